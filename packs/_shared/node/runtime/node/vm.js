// node:vm inside a component: code runs in the one global context there is. runInThisContext
// and Script#runInThisContext are an indirect eval, which is what they mean in Node; new
// contexts (a second global object) don't exist in StarlingMonkey, so those calls throw
// naming the limit. Libraries that try vm and fall back (asn1.js) take the fallback then.
function unavailable(name) {
  return () => {
    throw Object.assign(new Error(`vm.${name}() is not available in a Fabricks component (there is one global context; vm.runInThisContext works)`),
      { code: 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM' });
  };
}

/** Evaluate `code` in the global scope, as Node's vm.runInThisContext does. */
export function runInThisContext(code) {
  return (0, eval)(String(code));
}

export class Script {
  constructor(code) {
    this.code = String(code);
  }

  runInThisContext() {
    return runInThisContext(this.code);
  }

  runInContext() {
    return unavailable('Script.runInContext')();
  }

  runInNewContext() {
    return unavailable('Script.runInNewContext')();
  }
}

export const createContext = unavailable('createContext');
export const runInContext = unavailable('runInContext');
export const runInNewContext = unavailable('runInNewContext');
export const compileFunction = unavailable('compileFunction');

export function isContext() {
  return false;
}

export default { runInThisContext, Script, createContext, runInContext, runInNewContext, compileFunction, isContext };
