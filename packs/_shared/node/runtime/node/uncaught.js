// Errors nobody catches, as Node meets them. In Node an exception thrown by a timer, a
// nextTick or a microtask callback, or a rejection nobody handles, goes to the app's
// process.on('uncaughtException' | 'unhandledRejection') handlers, and without one ends the
// process. Here, without a handler, the requests in flight fail (a 500 if their headers
// were not sent, else the body is cut off), the error is logged once at the user's
// file:line, and the instance is retired (the host starts a fresh one; the service serves on).
//
// The engine does not tell JavaScript about a rejection nobody handles. A request whose code
// rejected that way is left with no response and nothing left to run, which would abort the
// engine with the client's connection dropped: a watchdog notices that state (no timer,
// fetch or body read pending, the response not ended) and fails the request the same way;
// the engine's own report of the rejection follows as the instance is retired.
import processObject from './process.js';
import { engineTimers, guardCallbacks, isBuilding, pendingWork, trackPending } from './build-time.js';

const inFlight = new Set();
let retired = false;
let logged = false;

/** An error as Node prints it, with its bundle frames at the user's files (the line table
 *  build.mjs appends to the bundle). */
export function describeError(error) {
  if (!(error instanceof Error)) return `${typeof error === 'string' ? error : safeString(error)}`;
  return `${error.name}: ${error.message}${error.stack ? '\n' + mapStack(error.stack).trimEnd() : ''}`;
}

function safeString(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `fn@bundle.js:L:C` frames -> `fn@file:line` for lines that came from the app's files. */
export function mapStack(stack) {
  const table = globalThis.__fabricksLines;
  if (!table) return String(stack);
  return String(stack).replace(/(?:[^\s@]*\/)?bundle\.js:(\d+):(\d+)/g, (whole, line) => {
    const found = table[line];
    return found ? `${table.files[found[0]]}:${found[1]}` : whole;
  });
}

/** The first frame of `error` in the app's own files ("server.js:14"), or null. */
function userFrame(error) {
  const table = globalThis.__fabricksLines;
  if (!table || !(error instanceof Error) || !error.stack) return null;
  for (const [, line] of String(error.stack).matchAll(/bundle\.js:(\d+):\d+/g)) {
    const found = table[line];
    if (found) return `${table.files[found[0]]}:${found[1]}`;
  }
  return null;
}

/**
 * Track a request while it runs: `fail(error)` ends it abnormally. Returns the function that
 * stops tracking (call it once the response is complete).
 * @param {{fail: (error: unknown) => void, done: () => boolean, where: string}} request
 */
export function trackRequest(request) {
  inFlight.add(request);
  const stopWatching = watch(request);
  return () => {
    inFlight.delete(request);
    stopWatching();
  };
}

/** Forget the requests in flight: the build-time warm-up's it abandoned (warmup.js), which
 *  must not be failed, or named in a log line, by an instance's later error. */
export function forgetInFlight() {
  inFlight.clear();
}

/** Whether an uncaught error retired this instance (the entry then ends it). */
export function isRetired() {
  return retired;
}

/**
 * An error no caller will see. `origin`: 'uncaughtException' (a callback threw) or
 * 'unhandledRejection' (a promise nobody handles was rejected with `error`).
 */
export function reportUncaught(error, origin = 'uncaughtException', promise = undefined) {
  if (origin === 'unhandledRejection' && processObject.listenerCount('unhandledRejection') > 0) {
    try {
      processObject.emit('unhandledRejection', error, promise);
      return;
    } catch (thrown) {
      // A handler that throws is itself uncaught (Node).
      error = thrown;
      origin = 'uncaughtException';
    }
  }
  if (processObject.listenerCount('uncaughtException') > 0) {
    try {
      processObject.emit('uncaughtException', error, origin);
      return;
    } catch (thrown) {
      error = thrown;
    }
  }
  fatal(error, origin);
}

function fatal(error, origin, note = '') {
  if (isBuilding()) {
    // The app's top level or a warm-up request is running (at build time): logged, the
    // warm-up request fails, and the build goes on; an instance made from this snapshot must
    // not start retired.
    const requests = [...inFlight].map((r) => r.where).join(', ');
    console.error(`${origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception'} ` +
      `${requests ? `while the warm-up request ${requests} ran` : 'while the app\'s top level ran'}: ${describeError(error)}`);
    failInFlight(error);
    return;
  }
  if (!logged) {
    logged = true;
    const at = userFrame(error);
    const kind = origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception';
    const requests = [...inFlight].map((r) => r.where).join(', ');
    console.error(`${kind}${at ? ` at ${at}` : ''}${requests ? ` while serving ${requests}` : ''}: ${describeError(error)}${note}\n` +
      '(Node would exit here; the request fails and this instance is replaced.)');
  }
  retired = true;
  failInFlight(error);
  engineTimers.clearAll();
}

function failInFlight(error) {
  for (const request of [...inFlight]) {
    inFlight.delete(request);
    try {
      request.fail(error);
    } catch {
      // The response may be past failing; the instance ends anyway.
    }
  }
}

// How often the watchdog looks, and how many looks in a row must find nothing pending: the
// engine settles promise chains between timer turns, so two idle looks mean nothing will.
const WATCH_MS = 20;
const IDLE_LOOKS = 2;

/** Look at `request` every WATCH_MS until it is done; returns what stops looking. The timer is
 *  cleared, not left to fire: a timer due after the response is not run by the engine before
 *  its next request needs the event loop, so each request's would pile up (every pending timer
 *  is a pollable the engine polls; 45,000 requests took hello-world from 4,800 to 23 req/s). */
function watch(request) {
  // A build-time warm-up request: no engine timer can be armed before the snapshot, and the
  // warm-up awaits its request itself (warmup.js).
  if (isBuilding()) return () => {};
  let idle = 0;
  let timer = null;
  const look = () => {
    timer = null;
    if (!inFlight.has(request) || request.done()) return;
    idle = pendingWork() === 0 ? idle + 1 : 0;
    if (idle >= IDLE_LOOKS) {
      const error = new Error(`the request stopped with no response and nothing left to run: an exception in a promise nobody awaited (an async handler that threw?)`);
      error.stack = '';
      fatal(error, 'unhandledRejection', '\n(The engine reports the rejection as the instance ends, below.)');
      return;
    }
    timer = engineTimers.setTimeout(look, WATCH_MS);
  };
  timer = engineTimers.setTimeout(look, WATCH_MS);
  return () => {
    if (timer !== null) engineTimers.clearTimeout(timer);
    timer = null;
  };
}

/** Run `callback` as a task whose exception is uncaught in Node's sense. */
export function guarded(callback) {
  return function guardedCallback(...args) {
    try {
      return callback.apply(this, args);
    } catch (error) {
      reportUncaught(error, 'uncaughtException');
      return undefined;
    }
  };
}

guardCallbacks(guarded);

// queueMicrotask callbacks that throw: in Node an uncaught exception.
const engineQueueMicrotask = globalThis.queueMicrotask;
if (typeof engineQueueMicrotask === 'function') {
  globalThis.queueMicrotask = function queueMicrotask(callback) {
    return engineQueueMicrotask(typeof callback === 'function' ? guarded(callback) : callback);
  };
}

// What a request's promises may wait on besides timers: fetches and reading their bodies.
// Counted until they settle, so that a request waiting on one is not taken for stuck.
const engineFetch = globalThis.fetch;
if (typeof engineFetch === 'function') {
  globalThis.fetch = function fetch(...args) {
    return trackPending(engineFetch.apply(this, args));
  };
}
for (const Type of [globalThis.Response, globalThis.Request, globalThis.Blob]) {
  for (const name of ['text', 'json', 'arrayBuffer', 'blob', 'formData', 'bytes']) {
    const method = Type?.prototype?.[name];
    if (typeof method !== 'function') continue;
    Type.prototype[name] = function tracked(...args) {
      return trackPending(method.apply(this, args));
    };
  }
}
const Reader = globalThis.ReadableStreamDefaultReader;
if (typeof Reader?.prototype?.read === 'function') {
  const read = Reader.prototype.read;
  Reader.prototype.read = function tracked(...args) {
    return trackPending(read.apply(this, args));
  };
}
