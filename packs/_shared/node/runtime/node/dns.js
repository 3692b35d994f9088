// node:dns inside a component: names the component itself knows (localhost, IP literals)
// resolve; anything else fails with ENOTFOUND, as a component has no resolver (wasi:http
// outgoing requests, through fetch, resolve on the host).
import { isIP } from './net.js';

function known(hostname) {
  if (isIP(hostname)) return [{ address: hostname, family: isIP(hostname) }];
  if (hostname === 'localhost' || hostname === undefined || hostname === null || hostname === '') {
    return [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }];
  }
  return null;
}

function notFound(hostname) {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (a component has no DNS resolver; fetch() resolves on the host)`),
    { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
}

function pick(hostname, options) {
  const found = known(hostname);
  if (!found) throw notFound(hostname);
  const family = typeof options === 'number' ? options : options?.family;
  const matching = family ? found.filter((a) => a.family === family) : found;
  return options?.all ? matching : matching[0];
}

export function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  queueMicrotask(() => {
    try {
      const result = pick(hostname, options);
      if (options?.all) callback(null, result);
      else callback(null, result.address, result.family);
    } catch (error) {
      callback(error);
    }
  });
}

export const promises = {
  lookup: async (hostname, options) => pick(hostname, options),
};

export default { lookup, promises };
