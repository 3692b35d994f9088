// The native baseline of the node-hono pack: the app's fetch handler on @hono/node-server,
// found by the same code as the component's entry.
//   node serve-fetch.mjs APP_FILE PORT [HANDLER]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { findFetch } from '../../packs/node-hono/bridge/find-fetch.js';
import { prepareApp } from './prepare-app.mjs';

const [file, port, handler = ''] = process.argv.slice(2);
const module = await import(pathToFileURL(prepareApp(resolve(file))).href);
serve({ fetch: findFetch(module, { handler, file }), port: Number(port), hostname: '127.0.0.1' });
