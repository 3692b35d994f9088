// node:async_hooks inside a component: AsyncResource runs callbacks as given (there is one
// request in flight per instance, so there is no other context to restore), and
// AsyncLocalStorage keeps its store across awaits of the run it was set in by keeping it
// for the instance's one request at a time.
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
  }

  getStore() {
    return this.store;
  }

  run(store, callback, ...args) {
    const previous = this.store;
    this.store = store;
    try {
      const result = callback(...args);
      if (result && typeof result.then === 'function') {
        return result.finally(() => { this.store = previous; });
      }
      this.store = previous;
      return result;
    } catch (error) {
      this.store = previous;
      throw error;
    }
  }

  enterWith(store) {
    this.store = store;
  }

  exit(callback, ...args) {
    return this.run(undefined, callback, ...args);
  }

  disable() {
    this.store = undefined;
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

export default { AsyncResource, AsyncLocalStorage, executionAsyncId, triggerAsyncId, createHook };
