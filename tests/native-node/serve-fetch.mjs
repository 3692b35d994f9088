// The native baseline of the node-hono pack: the app's fetch handler on @hono/node-server,
// found as the component's entry finds it.
//   node serve-fetch.mjs APP_FILE PORT [HANDLER]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';

const [file, port, handler] = process.argv.slice(2);
const mod = await import(pathToFileURL(resolve(file)).href);
const candidates = handler ? [mod[handler], mod.default?.[handler]] : [mod.default, mod.app, mod.default?.app];
const app = candidates.find((c) => c && typeof c.fetch === 'function');
if (!app) throw new Error(`${file} exports no app with fetch()`);
serve({ fetch: app.fetch.bind(app), port: Number(port), hostname: '127.0.0.1' });
