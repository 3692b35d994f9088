// The node-hono pack's bridge: serves a fetch-style app (``app.fetch(request) -> Response``, as
// Hono, itty-router and the WinterTC servers take it) through wasi:http/incoming-handler, one
// request per call.
// Request bodies stream in as the app reads them; response bodies stream out chunk by chunk.
import { BodyReader, ResponseWriter, describe, requestParts } from '../runtime/wasi-http.js';
import { bodyless } from '../runtime/http-rules.js';
import { BaseResponse, knownLength } from '../runtime/web-compat.js';
import { resetStores } from '../runtime/node/async_hooks.js';
import { trackRequest } from '../runtime/node/uncaught.js';

function requestHeaders(rawHeaders) {
  const headers = new Headers();
  for (let i = 0; i < rawHeaders.length; i += 2) headers.append(rawHeaders[i], rawHeaders[i + 1]);
  return headers;
}

function bodyStream(reader) {
  return new ReadableStream({
    pull(controller) {
      const chunk = reader.read();
      if (chunk === null) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      reader.close();
    },
  });
}

/** [name, value] pairs of a Response's headers, each Set-Cookie on its own (Fetch 'getSetCookie'),
 *  with the Content-Length of a body whose length is known set to that length (not for HEAD,
 *  whose bodiless Response carries the GET body's length, RFC 9110 section 8.6). */
export function responseHeaders(response, method) {
  const { headers } = response;
  // Only a Content-Length that is there needs checking (and measuring a body has a cost).
  const length = method === 'HEAD' || !headers.has('content-length') ? null : knownLength(response);
  const out = [];
  for (const [name, value] of headers) {
    if (name === 'set-cookie' || (name === 'content-length' && length !== null)) continue;
    out.push([name, value]);
  }
  if (length !== null) out.push(['content-length', String(length)]);
  const cookies = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
  for (const cookie of cookies) out.push(['set-cookie', cookie]);
  return out;
}

/**
 * Handle one wasi:http request with ``fetch(request) -> Response | Promise<Response>``.
 * Never throws: an exception before the response starts gives a 500, one while the body
 * streams truncates it; either is logged to stderr and the instance goes on serving.
 */
export async function serveFetch(fetch, incoming, responseOut, env = {}) {
  const parts = requestParts(incoming);
  const where = `${parts.method} ${parts.pathWithQuery}`;
  const writer = new ResponseWriter(responseOut, parts.method, where);
  const reader = new BodyReader(incoming);
  resetStores(); // AsyncLocalStorage: nothing carries over from the previous request
  // An error nobody catches while this request runs fails it, as in the node:http bridge
  // (uncaught.js): a timer's exception, or a handler's promise left with nothing to run.
  let settled = false;
  const untrack = trackRequest({ where, done: () => settled, fail: () => writer.fail() });
  try {
    const hasBody = parts.method !== 'GET' && parts.method !== 'HEAD';
    const request = new Request(`${parts.scheme}://${parts.authority}${parts.pathWithQuery}`, {
      method: parts.method,
      headers: requestHeaders(parts.rawHeaders),
      body: hasBody ? bodyStream(reader) : undefined,
      duplex: 'half',
    });
    const response = await fetch(request, env, executionContext);
    if (!(response instanceof BaseResponse)) {
      throw new TypeError(`the app answered ${where} with ${Object.prototype.toString.call(response)}, not a Response`);
    }
    writer.start(response.status, responseHeaders(response, parts.method));
    if (response.body && !bodyless(response.status, parts.method)) {
      const body = response.body.getReader();
      for (;;) {
        const { done, value } = await body.read();
        if (done) break;
        if (!writer.write(value)) {
          // The connection is lost: the app's stream is cancelled, as workerd and Deno cancel it.
          await body.cancel().catch(() => {});
          return;
        }
      }
    }
    // Finishing the response is the last thing the instance does for the request when it can
    // be: the host may hand the client's next request to another instance until it returns.
    reader.close();
    writer.finish();
  } catch (error) {
    console.error(`Error handling ${where}: ${describe(error)}`);
    try {
      writer.fail();
    } catch (failure) {
      console.error(`could not end the response: ${describe(failure)}`);
    }
  } finally {
    settled = true;
    untrack();
    reader.close();
    await drainWaitUntil();
  }
}

// ExecutionContext (as Workers and Hono take it): waitUntil work runs before the call ends,
// after the response is complete, so the instance never holds it across requests.
const pending = [];
const executionContext = {
  waitUntil(promise) {
    pending.push(Promise.resolve(promise).catch((error) => console.error(`waitUntil: ${describe(error)}`)));
  },
  passThroughOnException() {},
  props: {},
};

async function drainWaitUntil() {
  while (pending.length) await pending.shift();
}
