// What the app's top level does at build time (pre-initialization) that can't be kept as is.
//
// Deferred work. Timers started before the snapshot don't survive it (their host pollables
// belong to the build), so an app whose setup continues in setImmediate / setTimeout(0)
// (Fastify plugins registered asynchronously, then listen()) would never be ready. Until the
// first request those callbacks go to a queue run here, each after the microtasks before it
// have settled, so such setup finishes at build time and is snapshotted done.
let building = true;
const deferred = [];
let draining = null;

/** Let the promise chains in flight run on: microtask turns, as many as such setup takes.
 *  NestFactory.create awaits through its whole module graph before the app's listen() (64
 *  turns were too few for a 3-module app); a turn costs microseconds, at build time only. */
async function settleMicrotasks() {
  for (let turn = 0; turn < 4096; turn++) await null;
}

// Started by the first deferred callback (not by the entry), so that an ES module app whose
// top level awaits its own readiness can get there while it is still being evaluated.
function runDeferred() {
  draining ??= (async () => {
    for (;;) {
      await settleMicrotasks();
      const task = deferred.shift();
      if (!task) break;
      task();
    }
    draining = null;
  })();
  return draining;
}

/** Settles once the microtasks in flight and every deferred build-time callback have run
 *  (the entry awaits it after importing the app). */
export async function buildTimeSettled() {
  for (;;) {
    await settleMicrotasks();
    if (!draining) return;
    await draining;
  }
}

// Timers with a delay can't be armed at build time (the engine can't reach the host's clock
// then): they wait here, and are armed when the instance starts serving, their delay counted
// from then. Clearing one before that forgets it.
const waiting = new Set();

function buildTimer(kind, callback, delay, args) {
  let cancelled = false;
  let engineId = null;
  const timer = {
    cancel() {
      cancelled = true;
      waiting.delete(timer);
      if (engineId !== null) (kind === 'interval' ? engineClearInterval : engineClearTimeout)(engineId);
    },
    arm() {
      if (!cancelled) engineId = armTimer(kind, callback, delay, args);
    },
    ref() { return this; },
    unref() { return this; },
    hasRef: () => true,
    refresh() { return this; },
    [Symbol.toPrimitive]: () => 0,
  };
  if (kind === 'timeout' && !(delay > 0)) {
    deferred.push(() => cancelled || callback(...args));
    runDeferred();
  } else {
    waiting.add(timer);
  }
  return timer;
}

const engineSetTimeout = globalThis.setTimeout;
const engineClearTimeout = globalThis.clearTimeout;
const engineSetInterval = globalThis.setInterval;
const engineClearInterval = globalThis.clearInterval;

// Once serving, the timers armed are counted (a request waiting on one is not stuck:
// uncaught.js) and their callbacks guarded (an exception thrown by one is uncaught, as in Node).
const armed = new Map(); // engine id -> 'timeout' | 'interval'
let guard = (callback) => callback;
let pending = 0; // other work a promise may be waiting on: fetches, body reads

/** Set how timer callbacks are wrapped once serving (uncaught.js: exceptions are uncaught). */
export function guardCallbacks(wrap) {
  guard = wrap;
}

function armTimer(kind, callback, delay, args) {
  if (typeof callback !== 'function') return (kind === 'interval' ? engineSetInterval : engineSetTimeout)(callback, delay, ...args);
  const run = guard(callback);
  let id;
  if (kind === 'interval') {
    id = engineSetInterval(run, delay, ...args);
  } else {
    id = engineSetTimeout(function fire(...callArgs) {
      armed.delete(id);
      return run.apply(this, callArgs);
    }, delay, ...args);
  }
  armed.set(id, kind);
  return id;
}

function disarm(handle, engineClear) {
  armed.delete(handle);
  engineClear(handle);
}

/** Work a request may be waiting on: armed timers, fetches and body reads in flight. */
export function pendingWork() {
  return armed.size + pending;
}

/** Count `promise` as pending work until it settles; returns it. */
export function trackPending(promise) {
  if (!promise || typeof promise.then !== 'function') return promise;
  pending += 1;
  const settle = () => { pending -= 1; };
  promise.then(settle, settle);
  return promise;
}

/** The engine's own timers, uncounted (the watchdog's), and clearing every armed timer (an
 *  instance being retired must leave the engine nothing to run). */
export const engineTimers = {
  setTimeout: (callback, delay) => engineSetTimeout(callback, delay),
  clearTimeout: (id) => engineClearTimeout(id),
  clearAll() {
    for (const [id, kind] of armed) (kind === 'interval' ? engineClearInterval : engineClearTimeout)(id);
    armed.clear();
  },
};

globalThis.setTimeout = function setTimeout(callback, delay, ...args) {
  if (building && typeof callback === 'function') return buildTimer('timeout', callback, delay, args);
  return armTimer('timeout', callback, delay, args);
};
globalThis.setInterval = function setInterval(callback, delay, ...args) {
  if (building && typeof callback === 'function') return buildTimer('interval', callback, delay, args);
  return armTimer('interval', callback, delay, args);
};
globalThis.clearTimeout = function clearTimeout(handle) {
  if (handle && typeof handle.cancel === 'function') handle.cancel();
  else disarm(handle, engineClearTimeout);
};
globalThis.clearInterval = function clearInterval(handle) {
  if (handle && typeof handle.cancel === 'function') handle.cancel();
  else disarm(handle, engineClearInterval);
};

// Randomness while the app's top level runs at build time (pre-initialization). The engine
// can't reach the host's wasi:random then, and a value drawn then would be baked into the
// snapshot: every instance of every deployment would share it (a session secret made at top
// level, say). So until the first request Math.random and crypto.getRandomValues draw from a
// fixed-seed generator, and the first caller is remembered for the build to warn about.
let firstUse = null;
let firstClock = null; // performance.now(), noted apart: a warm-up request's read is no concern
let state = 0x9e3779b9;

function seeded() {
  // mulberry32: deterministic, only ever used before the snapshot.
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// The toolchain's own modules (memfs's CBOR decoder seeds a cache) are not the app's doing:
// esbuild names each CommonJS wrapper after its path, which says where a draw came from.
const TOOLCHAIN = /_shared\/node\/node_modules\//;

function note(what) {
  const clock = what === 'performance.now()';
  if ((clock ? firstClock : firstUse) !== null) return;
  const stack = new Error().stack;
  if (TOOLCHAIN.test(stack)) return;
  if (clock) firstClock = { what, stack };
  else firstUse = { what, stack };
}

const engineRandom = Math.random;
Math.random = function random() {
  if (!building) return engineRandom();
  note('Math.random()');
  return seeded();
};

const webCrypto = globalThis.crypto;
if (webCrypto?.getRandomValues) {
  const engineGetRandomValues = webCrypto.getRandomValues.bind(webCrypto);
  webCrypto.getRandomValues = function getRandomValues(array) {
    if (!building) return engineGetRandomValues(array);
    note('crypto.getRandomValues()');
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(seeded() * 256);
    return array;
  };
  const engineRandomUUID = webCrypto.randomUUID?.bind(webCrypto);
  if (engineRandomUUID) {
    webCrypto.randomUUID = function randomUUID() {
      if (!building) return engineRandomUUID();
      note('crypto.randomUUID()');
      const hex = Array.from({ length: 16 }, () => Math.floor(seeded() * 256).toString(16).padStart(2, '0'));
      hex[6] = `4${hex[6][1]}`;
      hex[8] = ((parseInt(hex[8], 16) & 0x3f) | 0x80).toString(16);
      return `${hex.slice(0, 4).join('')}-${hex.slice(4, 6).join('')}-${hex.slice(6, 8).join('')}-${hex.slice(8, 10).join('')}-${hex.slice(10).join('')}`;
    };
  }
}

// The monotonic clock: reading it before the snapshot aborts the engine (it can't reach the
// host's clock then). Until the first request performance.now() answers 0, noted like
// randomness: a value read then is baked into every instance.
const enginePerformance = globalThis.performance;
if (enginePerformance && typeof enginePerformance.now === 'function') {
  const engineNow = enginePerformance.now.bind(enginePerformance);
  try {
    Object.defineProperty(enginePerformance, 'now', {
      configurable: true,
      writable: true,
      value: function now() {
        if (!building) return engineNow();
        note('performance.now()');
        return 0;
      },
    });
  } catch {
    // A frozen performance object: the engine's own now() stays, and the build says so if read.
  }
}

/** Whether the app's top level is still running at build time (before the first request). */
export function isBuilding() {
  return building;
}

/** End of the build-time phase (the entry calls it as the first request starts). */
export function endBuildTime() {
  if (!building) return;
  building = false;
  for (const timer of waiting) timer.arm();
  waiting.clear();
}

/** What the app drew randomness with at build time, and where: ``{what, stack}`` or null;
 *  with ``clock``, a read of performance.now() counts too (randomness first). What was noted
 *  is forgotten: the next draw is noted afresh (the top level's, then the warm-up's). */
export function takeBuildTimeRandomness({ clock = true } = {}) {
  const use = firstUse ?? (clock ? firstClock : null);
  firstUse = firstClock = null;
  return use;
}
