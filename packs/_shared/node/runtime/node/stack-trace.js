// V8's stack trace API on SpiderMonkey. Node libraries read structured call sites through
// Error.prepareStackTrace + Error.captureStackTrace (depd, which Express's body-parser and
// http-errors call at their top level; callsites; source-map-support). SpiderMonkey keeps
// `stack` a string of "function@file:line:column" lines and ignores prepareStackTrace, so
// captureStackTrace here parses that string into CallSite objects and honours the hook.
const FRAME = /^(.*?)@(.*?):(\d+):(\d+)$/;

class CallSite {
  constructor(functionName, fileName, line, column) {
    this.functionName = functionName || null;
    this.fileName = fileName || null;
    this.line = line;
    this.column = column;
  }

  getFileName() { return this.fileName; }

  getScriptNameOrSourceURL() { return this.fileName; }

  getLineNumber() { return this.line; }

  getColumnNumber() { return this.column; }

  getFunctionName() { return this.functionName; }

  getMethodName() { return null; }

  getTypeName() { return null; }

  getThis() { return undefined; }

  getFunction() { return undefined; }

  getEvalOrigin() { return undefined; }

  isEval() { return false; }

  isNative() { return false; }

  isToplevel() { return this.functionName === null; }

  isConstructor() { return false; }

  isAsync() { return false; }

  isPromiseAll() { return false; }

  getPromiseIndex() { return null; }

  toString() {
    const where = `${this.fileName ?? '<anonymous>'}:${this.line}:${this.column}`;
    return this.functionName ? `${this.functionName} (${where})` : where;
  }
}

function callSites(stack) {
  return String(stack).split('\n').map((line) => FRAME.exec(line.trim())).filter(Boolean)
    .map(([, name, file, line, column]) => new CallSite(name.replace(/[/<]*$/, ''), file, Number(line), Number(column)));
}

function format(error, sites) {
  const head = error instanceof Error || (error && 'message' in error)
    ? `${error.name ?? 'Error'}${error.message ? `: ${error.message}` : ''}` : 'Error';
  return [head, ...sites.map((site) => `    at ${site}`)].join('\n');
}

/** Install captureStackTrace/prepareStackTrace semantics unless the engine has V8's. */
export function installStackTraceApi(target = Error) {
  const probe = {};
  const previous = target.prepareStackTrace;
  let v8 = false;
  try {
    target.prepareStackTrace = (_, sites) => { v8 = Array.isArray(sites); return 'v8'; };
    target.captureStackTrace?.(probe);
    void probe.stack;
  } catch {
    v8 = false;
  } finally {
    target.prepareStackTrace = previous;
  }
  if (v8) return;
  if (target.stackTraceLimit === undefined) target.stackTraceLimit = 10;
  target.captureStackTrace = function captureStackTrace(object, constructorOpt) {
    // Drop this function's own frame; constructorOpt's frames can't be told apart by name.
    let sites = callSites(new Error().stack).slice(1);
    if (constructorOpt?.name) {
      const at = sites.findIndex((site) => site.functionName === constructorOpt.name);
      if (at !== -1) sites = sites.slice(at + 1);
    }
    sites = sites.slice(0, Math.max(0, target.stackTraceLimit ?? 10));
    const prepare = target.prepareStackTrace;
    const stack = typeof prepare === 'function' ? prepare(object, sites) : format(object, sites);
    Object.defineProperty(object, 'stack', { value: stack, writable: true, configurable: true, enumerable: false });
  };
}
