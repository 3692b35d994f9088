// A bare node:http request listener (no framework) exercising what the bridge must get right.
// CommonJS, exported with module.exports; it never calls listen().
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { URL } = require('url');

let count = 0;
// Read at the top level, as Express reads it: at build time in a component.
const modeAtTopLevel = process.env.NODE_ENV ?? null;

function json(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// Every 997th byte of the whole body (chunk boundaries differ between servers).
function checksum(chunks) {
  const body = Buffer.concat(chunks);
  let sum = 0;
  for (let i = 0; i < body.length; i += 997) sum = (sum * 31 + body[i]) % 1000000007;
  return { length: body.length, sum };
}

module.exports = function handler(req, res) {
  count += 1; // every request, failing ones too: /count tells whether the instance survived
  const url = new URL(req.url, 'http://localhost');
  switch (url.pathname) {
    case '/request': {
      // The host hands the component header names lower-cased and grouped by name, not in
      // wire order (docs/node-express.md): compared here by name, in sorted order.
      const own = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-')).sort());
      const raw = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (req.rawHeaders[i].toLowerCase().startsWith('x-')) raw.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      }
      raw.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => json(res, 200, {
        method: req.method, url: req.url, httpVersion: req.httpVersion, headers: own, rawHeaders: raw,
        distinct: req.headersDistinct['x-multi'] ?? null, cookie: req.headers.cookie ?? null,
        body: Buffer.concat(chunks).toString('utf8'), complete: req.complete,
      }));
      return;
    }
    case '/echo': {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => json(res, 200, checksum(chunks)));
      return;
    }
    case '/pipe':
      res.setHeader('Content-Type', 'application/octet-stream');
      req.pipe(res);
      return;
    case '/big': {
      const size = Number(url.searchParams.get('size'));
      const block = Buffer.alloc(65536, 'abcdefghijklmnopqrstuvwxyz');
      res.setHeader('Content-Type', 'text/plain');
      for (let sent = 0; sent < size; sent += block.length) res.write(block.subarray(0, Math.min(block.length, size - sent)));
      res.end();
      return;
    }
    case '/slow-stream':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first\n');
      setTimeout(() => res.end('second\n'), 1500);
      return;
    case '/cookies':
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly', 'c=3, d=4; SameSite=Lax']);
      res.end('cookies');
      return;
    case '/write-head':
      res.writeHead(201, 'Made', [['X-Pair', '1'], ['X-Pair', '2'], ['Content-Type', 'text/plain']]);
      res.end('made');
      return;
    case '/write-head-after-set':
      res.setHeader('X-Set', 'before');
      res.writeHead(200, ['X-Pair', '1', 'X-Pair', '2']);
      res.end(JSON.stringify(res.getHeaders()));
      return;
    case '/append':
      res.appendHeader('X-Append', 'one');
      res.appendHeader('X-Append', ['two', 'three']);
      res.statusCode = 202;
      res.end(JSON.stringify({ names: res.getHeaderNames(), sent: res.headersSent }));
      return;
    case '/etag':
      if (req.headers['if-none-match'] === '"v1"') {
        res.statusCode = 304;
        res.end();
        return;
      }
      res.setHeader('ETag', '"v1"');
      res.end('cached body');
      return;
    case '/no-content':
      res.statusCode = 204;
      res.end();
      return;
    case '/empty':
      res.end();
      return;
    case '/count':
      res.end(String(count));
      return;
    case '/env':
      json(res, 200, { greeting: process.env.FABRICKS_GREETING ?? null, cwd: process.cwd(), platform: typeof process.platform,
        mode: process.env.NODE_ENV ?? null, modeAtTopLevel, modeByName: process.env[['NODE', 'ENV'].join('_')] ?? null,
        modeListed: Object.keys(process.env).includes('NODE_ENV') });
      return;
    case '/fs': {
      const data = fs.readFileSync(path.join(__dirname, 'data.txt'), 'utf8');
      let readOnly = null;
      try {
        fs.writeFileSync(path.join(__dirname, 'written.txt'), 'x');
        fs.unlinkSync(path.join(__dirname, 'written.txt'));
        readOnly = 'writable';
      } catch (error) {
        readOnly = error.code;
      }
      json(res, 200, { data, exists: fs.existsSync(path.join(__dirname, 'nope.txt')), readOnly });
      return;
    }
    case '/crypto':
      json(res, 200, {
        sha256: crypto.createHash('sha256').update('abc').digest('hex'),
        hmac: crypto.createHmac('sha1', 'key').update('message').digest('base64'),
        random: crypto.randomBytes(16).length,
        uuid: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()),
      });
      return;
    case '/throw':
      throw new Error('thrown before the response started');
    case '/throw-after-start':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      throw new Error('thrown mid-body');
    default:
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`no route for ${req.method} ${url.pathname}\n`);
  }
};
