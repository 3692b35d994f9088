// Calls another service with Node's own client, as Node apps (and axios' Node adapter, got,
// node-fetch) do: GET /call?url=URL[&method=POST&how=get] answers what came back, or the error code.
const http = require('http');
const https = require('https');

function json(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

module.exports = (req, res) => {
  const query = new URL(req.url, 'http://x').searchParams;
  const target = query.get('url');
  const client = target.startsWith('https:') ? https : http;
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const done = (answer) => {
      const parts = [];
      answer.on('data', (chunk) => parts.push(chunk));
      answer.on('end', () => json(res, 200, {
        status: answer.statusCode, type: answer.headers['content-type'], cookies: answer.headers['set-cookie'],
        body: Buffer.concat(parts).toString(),
      }));
    };
    const fail = (error) => json(res, 502, { code: error.code });
    if (query.get('how') === 'get') {
      client.get(target, done).on('error', fail);
      return;
    }
    const body = Buffer.concat(chunks);
    const headers = { 'X-Caller': 'node', ...(body.length ? { 'Content-Length': body.length } : {}) };
    const out = client.request(target, { method: query.get('method') ?? 'GET', headers }, done);
    out.on('error', fail);
    out.write(body.subarray(0, 1000)); // written in two pieces, as streaming code does
    out.end(body.subarray(1000));
  });
};
