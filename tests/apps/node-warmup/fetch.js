import { respond } from './routes.js';

export default {
  async fetch(request) {
    const { status, body } = await respond(new URL(request.url).pathname);
    return new Response(body, { status });
  },
};
