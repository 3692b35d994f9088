// An Express app as an ES module that exports the app and never listens: no Fabrickfile.
import express from 'express';

const app = express();
app.get('/', (req, res) => res.json({ hello: 'esm', url: import.meta.url.startsWith('file://') }));
app.get('/params/:name', (req, res) => res.send(`hi ${req.params.name}`));

export default app;
