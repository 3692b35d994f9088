// A Node baseline as deployed on every core: node:cluster forks one worker per core (or WORKERS),
// each running a single-process baseline (serve-node.mjs or serve-fetch.mjs, beside this file);
// the workers share the port through the primary. Used by the benchmark (bench/baselines.py).
//   node serve-cluster.mjs SCRIPT APP_FILE PORT [HANDLER]
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareApp } from './prepare-app.mjs';

const [script, ...args] = process.argv.slice(2);
const workers = Number(process.env.WORKERS) || availableParallelism();
let stopping = false;

// Built once here, not by every worker at once.
prepareApp(args[0]);
cluster.setupPrimary({ exec: resolve(dirname(fileURLToPath(import.meta.url)), script), args });
for (let i = 0; i < workers; i += 1) cluster.fork();

function stop() {
  stopping = true;
  for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM');
}
cluster.on('exit', (worker, code, signal) => {
  if (!stopping) {
    console.error(`serve-cluster: worker ${worker.process.pid} exited (${signal || code}); stopping`);
    process.exitCode = 1;
    stop();
  }
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
