export const routes = ['/'];
export function handler(request) {
  return new Response('hello');
}
