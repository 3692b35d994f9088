// Exercises the fetch bridge directly: request parts, bodies both ways, streaming,
// repeated headers, and exceptions before and after the response starts.
let count = 0;

async function digest(bytes) {
  let sum = 0;
  for (const byte of bytes) sum = (sum * 31 + byte) >>> 0;
  return sum;
}

export default {
  async fetch(request) {
    count += 1;
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/request':
        return Response.json({
          method: request.method,
          path: url.pathname,
          search: url.search,
          headers: [...request.headers].filter(([name]) => name.startsWith('x-')),
        });
      case '/echo': {
        const body = new Uint8Array(await request.arrayBuffer());
        return Response.json({ length: body.length, checksum: await digest(body) });
      }
      case '/big': {
        const size = Number(url.searchParams.get('size'));
        const chunk = new Uint8Array(65536).fill(97);
        let sent = 0;
        return new Response(new ReadableStream({
          pull(controller) {
            const n = Math.min(chunk.length, size - sent);
            if (n <= 0) return controller.close();
            controller.enqueue(chunk.subarray(0, n));
            sent += n;
          },
        }), { headers: { 'content-type': 'application/octet-stream' } });
      }
      case '/slow-stream': {
        const encoder = new TextEncoder();
        return new Response(new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode('first\n'));
            await new Promise((resolve) => setTimeout(resolve, 1500));
            controller.enqueue(encoder.encode('second\n'));
            controller.close();
          },
        }), { headers: { 'content-type': 'text/plain' } });
      }
      case '/cookies': {
        const headers = new Headers({ 'content-type': 'text/plain' });
        headers.append('set-cookie', 'a=1; Path=/');
        headers.append('set-cookie', 'b=2; HttpOnly');
        headers.append('set-cookie', 'c=3, d=4; SameSite=Lax');
        return new Response('cookies', { headers });
      }
      case '/throw':
        throw new Error('thrown before the response');
      case '/throw-in-stream':
        return new Response(new ReadableStream({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode('partial'));
            controller.error(new Error('thrown while streaming'));
          },
        }));
      case '/count':
        return new Response(String(count));
      case '/no-content':
        return new Response(null, { status: 204 });
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
