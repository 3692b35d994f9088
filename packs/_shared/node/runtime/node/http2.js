// node:http2 inside a component: the protocol between client and host is the host's business
// (wasmtime serves HTTP/1.1 and HTTP/2 alike), so an app's own HTTP/2 server can't be made;
// importing the module works (frameworks do at their top level), creating one fails.
function hostOwnsHttp2(what) {
  return () => {
    throw new Error(`http2.${what}() is not available in a Fabricks component: the host owns the connection; serve over HTTP/1.1 (the host speaks HTTP/2 to clients where it is set up to)`);
  };
}

export const createServer = hostOwnsHttp2('createServer');
export const createSecureServer = hostOwnsHttp2('createSecureServer');
export const connect = hostOwnsHttp2('connect');
export class Http2ServerRequest {}
export class Http2ServerResponse {}
export const constants = {};
export const sensitiveHeaders = Symbol('nodejs.http2.sensitiveHeaders');

export default { createServer, createSecureServer, connect, Http2ServerRequest, Http2ServerResponse, constants, sensitiveHeaders };
