// node:url inside a component: the legacy parse/format/resolve from the npm `url` package,
// WHATWG URL from the engine, and the file: URL helpers for the bundled /app files.
import legacy from 'npm:url/url.js';

export const { parse, format, resolve, resolveObject, Url } = legacy;
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;

/** file:///app/x.js -> /app/x.js (POSIX paths only). @throws {TypeError} for other schemes. */
export function fileURLToPath(url) {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  if (parsed.protocol !== 'file:') throw new TypeError('The URL must be of scheme file');
  return decodeURIComponent(parsed.pathname);
}

/** /app/x.js -> file:///app/x.js */
export function pathToFileURL(path) {
  const url = new URL('file://');
  url.pathname = path.startsWith('/') ? path : `/app/${path}`;
  return url;
}

export function domainToASCII(domain) {
  return new URL(`http://${domain}`).hostname;
}

export function domainToUnicode(domain) {
  return domain;
}

export default { parse, format, resolve, resolveObject, Url, URL, URLSearchParams, fileURLToPath, pathToFileURL, domainToASCII, domainToUnicode };
