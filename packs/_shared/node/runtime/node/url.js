// node:url inside a component: unenv's port of Node's lib/url.js (the legacy parse/format/
// resolve, fileURLToPath, pathToFileURL, domainToUnicode, urlToHttpOptions: Node's answers where
// the npm `url` package's differed, docs/notes/unenv-jco-std.md) and the engine's WHATWG URL.
import * as url from 'npm:unenv/node/url';

// unenv warns of DEP0169 on the first url.parse() (resolve() and format() parse too); Node 20,
// which apps are compared with, says nothing. Its once-only flag is spent here, silently.
const warn = console.warn;
console.warn = () => {};
try {
  url.parse('http://localhost/');
} finally {
  console.warn = warn;
}

export const { parse, format, resolve, resolveObject, Url, URL, URLSearchParams, fileURLToPath, pathToFileURL,
  domainToASCII, domainToUnicode, urlToHttpOptions } = url;

export default { parse, format, resolve, resolveObject, Url, URL, URLSearchParams, fileURLToPath, pathToFileURL,
  domainToASCII, domainToUnicode, urlToHttpOptions };
