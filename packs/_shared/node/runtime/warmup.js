// Build-time warm-up: requests served through the pack's real bridge before the engine's heap
// is snapshotted, so the code on the request path (the bridge, the framework's router, the
// app's handlers) is already compiled to bytecode and its lazy setup done in every instance.
// A fresh instance otherwise spends most of its first request there (docs/benchmarks.md).
// The host's wasi:http resources can't be reached before the snapshot: stand-ins with the
// same methods (WIT: wasi:http/types@0.2.6) take their place, in memory.
import { withStandIns, describe } from './wasi-http.js';
import { buildTimeSettled, takeBuildTimeRandomness } from './node/build-time.js';
import { noteEnvReads, takeEnvReads } from './node/process.js';
import { forgetInFlight } from './node/uncaught.js';

const utf8 = new TextEncoder();
const HEADERS = [['host', 'localhost'], ['user-agent', 'fabricks-warmup']];

class StandInFields {
  /** @param {[string, Uint8Array][]} list */
  static fromList(list) {
    const fields = new StandInFields();
    fields.list = list;
    return fields;
  }
  entries() { return this.list; }
  [Symbol.dispose]() {}
}

const disposable = { [Symbol.dispose]() {} };
const emptyStream = {
  blockingRead() { throw { payload: { tag: 'closed' } }; },  // wasi:io/streams' end of stream
  [Symbol.dispose]() {},
};

/** An incoming-request: GET ``path``, with a Host and a User-Agent, no body. */
class StandInIncomingRequest {
  constructor(path) { this.path = path; }
  method() { return { tag: 'get' }; }
  scheme() { return { tag: 'HTTP' }; }
  authority() { return 'localhost'; }
  pathWithQuery() { return this.path; }
  headers() { return StandInFields.fromList(HEADERS.map(([name, value]) => [name, utf8.encode(value)])); }
  consume() { return { stream: () => emptyStream }; }
  [Symbol.dispose]() {}
}

/** An outgoing-response whose body goes nowhere: a warm-up's answer is not kept. */
class StandInOutgoingResponse {
  setStatusCode() {}
  body() {
    return {
      write: () => ({ blockingWriteAndFlush() {}, [Symbol.dispose]() {} }),
      [Symbol.dispose]() {},
    };
  }
}

const STAND_INS = {
  Fields: StandInFields,
  IncomingBody: { finish: () => disposable },
  OutgoingBody: { finish() {} },
  OutgoingResponse: StandInOutgoingResponse,
  ResponseOutparam: { set() {} },
};

/**
 * Serve a GET of each of ``paths`` with ``serve(incoming, responseOut)`` (the pack's bridge,
 * its promise settling once the response is written) at build time, answers discarded.
 * Prints a ``fabricks-warning`` (one each, for all the requests) when requests were still
 * waiting once nothing was left to run at build time (on a timer, or on I/O: they are
 * abandoned), read environment variables (empty at build time) or drew randomness: a value
 * the app keeps from either (a client or a secret made on first use) would be wrong, or the
 * same, in every instance. Never throws: a broken warm-up must not break the build.
 * @param {(incoming: object, responseOut: object) => Promise<void>} serve
 * @param {string[]} paths
 */
export async function warmUp(serve, paths) {
  const abandoned = [];
  noteEnvReads();
  for (const path of paths) {
    let settled = false;
    // Started in a microtask, so that a synchronous throw is a rejection like any other.
    Promise.resolve().then(() => withStandIns(STAND_INS, () => serve(new StandInIncomingRequest(path), {})))
      .then(() => { settled = true; }, (error) => {
        settled = true;
        warn(`the warm-up request GET ${path} failed: ${describe(error)}`);
      });
    await buildTimeSettled();
    if (!settled) abandoned.push(`GET ${path}`);
  }
  forgetInFlight();
  const which = paths.length === 1 ? `the warm-up request GET ${paths[0]}` : 'the warm-up requests';
  const keeps = 'harmless for what the app uses per request, wrong for what it keeps (a client or a secret made on first use), which every instance would share; set `warmup = []` in [nodejs] if it keeps one';
  if (abandoned.length > 0) {
    const them = abandoned.length === 1 ? `request ${abandoned[0]} was` : `requests ${abandoned.join(', ')} were`;
    warn(`the warm-up ${them} still waiting (on a timer or I/O) when nothing was left to run at build time, and abandoned. Set \`warmup\` in [nodejs] to paths that answer without waiting, or to [].`);
  }
  const env = takeEnvReads();
  if (env) {
    warn(`${which} read ${env.names.map((n) => `process.env.${n}`).join(', ')} at build time, before the host's variables are there: ${keeps}\n${env.stack}`);
  }
  const random = takeBuildTimeRandomness({ clock: false });
  if (random) warn(`${which} called ${random.what} at build time, from a fixed seed: ${keeps}\n${random.stack}`);
}

function warn(message) {
  console.log(`fabricks-warning: ${message}`);
}
