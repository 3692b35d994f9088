// Express behind the compression middleware: bodies over its threshold are gzipped or
// deflated (by Accept-Encoding) through node:zlib, streamed as Express writes them.
const express = require('express');
const compression = require('compression');

const app = express();
app.set('etag', false);
app.use(compression({ threshold: 512 }));

const rows = Array.from({ length: 400 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b', String(i % 7)] }));

app.get('/json', (req, res) => res.json(rows));
app.get('/small', (req, res) => res.send('too small to compress'));
app.get('/stream', (req, res) => {
  res.type('text/plain');
  for (let i = 0; i < 200; i++) res.write(`line ${i} ${'x'.repeat(i % 50)}\n`);
  res.end('done\n');
});

module.exports = app;
