// node:process inside a component. The npm `process` shim runs nextTick on timers and says
// cwd() is "/"; here nextTick is a microtask, as close to Node's ordering as an engine
// without Node's tick queue gets, cwd() is the app folder (/app in the bundled files, as the
// app's own paths resolve there), and `env` is the host's environment: only the variables
// the Fabrickfile's [capabilities] grants, read when first asked for after the build.
import { EventEmitter } from 'events';
import { reportUncaught } from './uncaught.js';

const APP_ROOT = '/app';
// While the app's top level runs at build time the environment is empty: the build
// machine's variables must not be baked into the component. Once serving, `env` holds what
// the host grants, read at the first look. NODE_ENV is the build's (the pack's node_env
// option, which build.mjs defines), there from the top level on.
let environment = typeof __FABRICKS_NODE_ENV__ === 'string' ? { NODE_ENV: __FABRICKS_NODE_ENV__ } : {};
let builtEnvironment = {}; // what the app's top level set itself, kept under the host's
let getEnvironment = null;

function hostEnvironment() {
  if (environment === null) {
    environment = { ...builtEnvironment };
    for (const [name, value] of getEnvironment()) environment[name] = value;
  }
  return environment;
}

/** Called by the entry as each request starts: from the first on, `process.env` is the
 *  host's environment, from wasi:cli/environment get-environment (list<tuple<string, string>>). */
export function startServing(fn) {
  if (getEnvironment !== null) return;
  getEnvironment = fn;
  builtEnvironment = environment;
  environment = null;
}

// Variables a build-time warm-up request looked for (warmup.js warns: a client the app makes
// once from one would keep the build's empty value in every instance).
let envReads = null;

/** Start noting the variables read (``process.env.NAME``) while the environment is the build's. */
export function noteEnvReads() {
  envReads = { names: new Set(), stack: null };
}

/** The variables read since ``noteEnvReads()``, absent at build time: ``{names: string[],
 *  stack}`` (the first read's), or null; noting stops. */
export function takeEnvReads() {
  const reads = envReads;
  envReads = null;
  return reads && reads.names.size > 0 ? { names: [...reads.names], stack: reads.stack } : null;
}

function noteRead(name) {
  if (envReads === null || getEnvironment !== null || typeof name !== 'string' || name in environment) return;
  envReads.stack ??= new Error().stack;
  envReads.names.add(name);
}

const decoder = new TextDecoder();

function stream(fd, log) {
  return {
    fd,
    isTTY: false,
    writable: true,
    write(chunk, encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk);
      log(text.endsWith('\n') ? text.slice(0, -1) : text);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (done) queueMicrotask(done);
      return true;
    },
    on() { return this; },
    once() { return this; },
    end() {},
  };
}

const processObject = new EventEmitter();

const envProxy = new Proxy({}, {
  get: (_, name) => {
    noteRead(name);
    return hostEnvironment()[name];
  },
  set: (_, name, value) => { hostEnvironment()[name] = String(value); return true; },
  has: (_, name) => {
    noteRead(name);
    return name in hostEnvironment();
  },
  deleteProperty: (_, name) => delete hostEnvironment()[name],
  ownKeys: () => Reflect.ownKeys(hostEnvironment()),
  getOwnPropertyDescriptor: (_, name) => Reflect.getOwnPropertyDescriptor(hostEnvironment(), name),
});

Object.assign(processObject, {
  title: 'node',
  version: 'v22.0.0',
  versions: { node: '22.0.0' },
  platform: 'linux',
  arch: 'wasm32',
  release: { name: 'node' },
  argv: ['node', `${APP_ROOT}/index.js`],
  execArgv: [],
  execPath: '/usr/bin/node',
  pid: 1,
  ppid: 0,
  exitCode: undefined,
  env: envProxy,
  browser: false,
  stdout: stream(1, (text) => console.log(text)),
  stderr: stream(2, (text) => console.error(text)),
  stdin: { fd: 0, isTTY: false, on() { return this; } },
  cwd: () => APP_ROOT,
  chdir() {
    throw new Error('process.chdir() is not supported in a component');
  },
  umask: () => 0o22,
  uptime: () => performance.now() / 1000,
  hrtime: Object.assign((previous) => {
    const now = performance.now();
    const seconds = Math.floor(now / 1000);
    const nanos = Math.floor((now % 1000) * 1e6);
    if (!previous) return [seconds, nanos];
    let s = seconds - previous[0];
    let n = nanos - previous[1];
    if (n < 0) { s -= 1; n += 1e9; }
    return [s, n];
  }, { bigint: () => BigInt(Math.floor(performance.now() * 1e6)) }),
  memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
  cpuUsage: () => ({ user: 0, system: 0 }),
  nextTick(callback, ...args) {
    queueMicrotask(() => {
      try {
        callback(...args);
      } catch (error) {
        reportUncaught(error, 'uncaughtException');
      }
    });
  },
  emitWarning(warning, type) {
    const text = typeof warning === 'string' ? `${type ?? 'Warning'}: ${warning}` : `${warning.name}: ${warning.message}`;
    console.error(`(node) ${text}`);
  },
  exit(code) {
    throw new Error(`process.exit(${code ?? ''}) was called; a component can't exit, it answers requests until the host stops it`);
  },
  abort() {
    throw new Error('process.abort() was called');
  },
  binding(name) {
    throw new Error(`process.binding(${JSON.stringify(name)}) is not supported in a component`);
  },
  features: {},
  config: { variables: {} },
});

export default processObject;
