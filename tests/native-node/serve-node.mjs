// The native baseline of the node-express pack: the app on Node's own node:http, found by
// the same code as the component's entry. An app that listen()s at its top level gets PORT
// on 127.0.0.1 whatever port it asked for.
//   node serve-node.mjs APP_FILE PORT [HANDLER]
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { findListener, readyTarget } from '../../packs/node-express/bridge/find-listener.js';
import { prepareApp } from './prepare-app.mjs';

const [file, port, handler = ''] = process.argv.slice(2);
let listening = null;
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function listenOnTestPort(...args) {
  listening = this;
  const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
  return listen.call(this, Number(port), '127.0.0.1', callback);
};
const module = await import(pathToFileURL(prepareApp(resolve(file))).href);
// An app may listen() once its setup settles (Fastify, after its plugins load).
for (let waited = 0; !listening && waited < 2000; waited += 20) await new Promise((done) => setTimeout(done, 20));
const found = findListener(module, { handler, file, listening });
if (found !== listening) {
  const target = await readyTarget(found);
  (target instanceof http.Server ? target : http.createServer(target)).listen(Number(port), '127.0.0.1');
}
