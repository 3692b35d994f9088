const raw = '{"greeting": "hello"';

export const settings = JSON.parse(raw);
