// node:async_hooks inside a component: AsyncResource runs callbacks as given (there is one
// request in flight per instance, so there is no other context to restore), and
// AsyncLocalStorage keeps its store across awaits of the run it was set in by keeping it
// for the instance's one request at a time: the outermost run()'s store stays set for what
// its callback started (a next() it did not return, a timer), as Node's async context
// carries it, until the bridge ends the request (resetStores()); a nested run() gives the
// outer store back when it returns. The engine has no async context tracking (no
// AsyncContext, no promise hooks) for a library to build on.
const instances = new Set();

/** Forget every store: called by the bridges as each request starts. */
export function resetStores() {
  for (const storage of instances) storage.store = undefined;
}
export class AsyncResource {
  constructor(type) {
    this.type = type;
  }

  runInAsyncScope(fn, thisArg, ...args) {
    return fn.apply(thisArg, args);
  }

  bind(fn) {
    return fn.bind(undefined);
  }

  static bind(fn) {
    return fn;
  }

  emitDestroy() {
    return this;
  }

  asyncId() {
    return 1;
  }

  triggerAsyncId() {
    return 0;
  }
}

export class AsyncLocalStorage {
  constructor() {
    this.store = undefined;
    instances.add(this);
  }

  getStore() {
    return this.store;
  }

  run(store, callback, ...args) {
    instances.add(this);
    const previous = this.store;
    this.store = store;
    let result;
    try {
      result = callback(...args);
    } catch (error) {
      this.store = previous;
      throw error;
    }
    if (result && typeof result.then === 'function') {
      result.then(() => this._restore(store, previous), () => this._restore(store, previous));
      return result;
    }
    if (previous !== undefined) this.store = previous;
    return result;
  }

  _restore(store, previous) {
    if (this.store === store) this.store = previous;
  }

  enterWith(store) {
    instances.add(this);
    this.store = store;
  }

  exit(callback, ...args) {
    return this.run(undefined, callback, ...args);
  }

  disable() {
    this.store = undefined;
    instances.delete(this);
  }

  static bind(fn) {
    return fn;
  }

  static snapshot() {
    return (fn, ...args) => fn(...args);
  }
}

export function executionAsyncId() {
  return 1;
}

export function triggerAsyncId() {
  return 0;
}

export function createHook() {
  return { enable() { return this; }, disable() { return this; } };
}

export default { AsyncResource, AsyncLocalStorage, executionAsyncId, triggerAsyncId, createHook, resetStores };
