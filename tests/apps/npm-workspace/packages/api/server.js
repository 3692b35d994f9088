// A workspace member: express is hoisted to the workspace root's node_modules, @ws/greet is
// a sibling workspace package, #lib/* and #config come from this package's "imports" map.
const express = require('express');
const { greet, where } = require('@ws/greet');
const shout = require('@ws/greet/shout');
const format = require('#lib/format');
const config = require('#config');

const app = express();

app.get('/', (req, res) => res.json(format({ hello: greet('workspace'), from: where() })));
app.get('/greet/:name', (req, res) => res.json(format({ text: greet(req.params.name, Number(req.query.ago ?? 0)) })));
app.get('/shout/:text', (req, res) => res.type('text').send(shout(req.params.text)));
app.get('/limit', (req, res) => res.json({ limit: config.limit }));
app.get('/express', (req, res) => res.json({ version: require('express/package.json').version }));

app.listen(3000);
