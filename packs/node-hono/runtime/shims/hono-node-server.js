// Stand-in for @hono/node-server inside a component: the host owns the socket, so
// `serve({ fetch: app.fetch, port })` at an app's top level registers the handler instead
// of listening. The returned object answers what apps usually call on a server.
let registered = null;

export function registeredFetch() {
  return registered;
}

function fakeServer(port) {
  return {
    close(callback) { callback?.(); return this; },
    address() { return { address: '0.0.0.0', family: 'IPv4', port }; },
    on() { return this; },
    once() { return this; },
  };
}

export function serve(options, listeningListener) {
  const fetch = typeof options === 'function' ? options : options?.fetch;
  if (typeof fetch !== 'function') throw new TypeError('serve() needs { fetch }');
  registered = fetch;
  const port = options?.port ?? 3000;
  // Node calls the listener once listening; here "listening" is the host's job.
  if (listeningListener) queueMicrotask(() => listeningListener({ address: '0.0.0.0', family: 'IPv4', port }));
  return fakeServer(port);
}

export function createAdaptorServer(options) {
  registered = options.fetch;
  return { ...fakeServer(options?.port ?? 3000), listen() { return this; } };
}
