// A fetch service that calls another service of its network, as it would on Node:
// fetch(process.env.<NAME>_URL + path). GET /call?service=NAME&path=/p (or ?url=URL) answers what
// came back, or the error fetch raised.
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const base = url.searchParams.get('url') ?? process.env[`${url.searchParams.get('service')}_URL`];
    if (!base) return new Response('no such service in this network', { status: 404 });
    try {
      const answer = await fetch(base + (url.searchParams.get('path') ?? ''));
      return Response.json({ status: answer.status, type: answer.headers.get('content-type'), body: await answer.text() });
    } catch (error) {
      return Response.json({ raised: error.name, message: String(error.message), code: error.cause?.code ?? null }, { status: 502 });
    }
  },
};
