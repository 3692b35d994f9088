// Node's environment in a fetch app: what a Hono or itty-router app running on Node uses
// without thinking of it as Node's.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { EventEmitter, once } from 'node:events';
import { promisify } from 'node:util';

let count = 0;
const sleep = promisify(setTimeout);

export default {
  async fetch(request) {
    count += 1;
    const url = new URL(request.url);
    if (url.pathname === '/count') return new Response(String(count));
    if (url.pathname === '/env') {
      return Response.json({ greeting: process.env.FABRICKS_GREETING ?? null, missing: process.env.NOT_GRANTED ?? null,
        cwd: process.cwd(), platform: process.platform });
    }
    if (url.pathname === '/node') {
      const emitter = new EventEmitter();
      setImmediate(() => emitter.emit('ready', 'immediate'));
      const [from] = await once(emitter, 'ready');
      await sleep(5);
      return Response.json({
        from,
        base64: Buffer.from('héllo').toString('base64'),
        hex: createHash('sha256').update('abc').digest('hex'),
        joined: path.posix.join('/a', 'b', '../c'),
        tick: await new Promise((resolve) => process.nextTick(() => resolve('ticked'))),
      });
    }
    // Errors nobody catches (Node would exit): a timer's exception, and a rejection nobody
    // handles that leaves the handler waiting forever.
    if (url.pathname === '/timer-throw') {
      await new Promise(() => setTimeout(() => { throw new Error('thrown by a timer'); }, 1));
    }
    if (url.pathname === '/stuck') {
      await new Promise(() => { Promise.reject(new Error('rejected and never awaited')); });
    }
    return new Response('not found\n', { status: 404 });
  },
};
