// An ordinary Express 5 app: nothing in it knows about Fabricks.
const path = require('path');
const express = require('express');
const cookieParser = require('cookie-parser');

const app = express();
const products = [
  { id: 1, name: 'Teapot', price: 18.5 },
  { id: 2, name: 'Kettle', price: 32 },
  { id: 3, name: 'Mug', price: 6.25 },
];
let nextId = 4;

app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'ejs');
app.use(express.static(path.join(__dirname, 'public')));
app.use(cookieParser('shop-secret'));

app.use((req, res, next) => {
  res.set('X-Shop', 'express');
  next();
});

app.get('/', (req, res) => {
  res.render('index', { title: 'Shop', products, theme: req.cookies.theme || 'light' });
});

app.get('/api/products', (req, res) => {
  const max = Number(req.query.max_price);
  res.json(Number.isFinite(max) ? products.filter((p) => p.price <= max) : products);
});

app.get('/api/products/:id', (req, res) => {
  const product = products.find((p) => p.id === Number(req.params.id));
  if (!product) return res.status(404).json({ error: `no product ${req.params.id}` });
  res.json(product);
});

app.post('/api/products', express.json(), (req, res) => {
  const { name, price } = req.body ?? {};
  if (typeof name !== 'string' || typeof price !== 'number') {
    return res.status(400).json({ error: 'name (string) and price (number) are required' });
  }
  const product = { id: nextId++, name, price };
  products.push(product);
  res.status(201).location(`/api/products/${product.id}`).json(product);
});

app.post('/order', express.urlencoded({ extended: false }), (req, res) => {
  if (!req.body.product) return res.status(400).render('error', { title: 'Bad order', message: 'Pick a product.' });
  res.redirect(303, `/thanks?product=${encodeURIComponent(req.body.product)}`);
});

app.get('/thanks', (req, res) => {
  res.send(`<p>Thanks for ordering ${req.query.product}!</p>`);
});

app.get('/login', (req, res) => {
  res.cookie('session', 'alice', { signed: true, httpOnly: true, path: '/' });
  res.cookie('theme', 'dark', { path: '/' });
  res.cookie('seen', '1', { sameSite: 'lax' });
  res.redirect('/whoami');
});

app.get('/whoami', (req, res) => {
  res.json({ user: req.signedCookies.session || null, theme: req.cookies.theme || null });
});

app.get('/report', (req, res) => {
  res.sendFile(path.join(__dirname, 'files', 'report.txt'));
});

app.get('/download', (req, res) => {
  res.download(path.join(__dirname, 'files', 'report.txt'), 'shop-report.txt');
});

app.post('/echo', express.raw({ type: '*/*', limit: '50mb' }), (req, res) => {
  res.type('application/octet-stream').send(req.body);
});

app.get('/big', (req, res) => {
  const size = Number(req.query.size) || 1024 * 1024;
  const line = 'all work and no play makes a big response\n';
  res.type('text/plain').send(line.repeat(Math.ceil(size / line.length)).slice(0, size));
});

app.get('/stream', async (req, res) => {
  res.type('text/plain');
  for (let i = 1; i <= 3; i++) {
    res.write(`chunk ${i}\n`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  res.end('done\n');
});

app.get('/boom', () => {
  throw new Error('the shop fell over');
});

app.get('/async-boom', async () => {
  await null;
  throw new Error('the shop fell over later');
});

app.use((err, req, res, next) => {
  console.error(`shop error: ${err.message}`);
  res.status(500).json({ error: err.message });
});

const port = process.env.PORT || 3000;
app.listen(port, () => {
  console.log(`express-shop listening on port ${port}`);
});
