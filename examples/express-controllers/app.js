// Controllers are discovered at start-up: every .js file in controllers/ exports a prefix and
// a router, and is required by a path computed from the folder listing.
const express = require('express');
const fs = require('fs');
const path = require('path');
const User = require('./models/user');
const plugins = require('./lib/plugins');

// The helper many apps keep for config-driven loading: relative to this file, as in Node.
function load(p) {
  return require(p);
}

const app = express();
app.use(express.json());

const settings = load('./config/settings.json');
const controllersDir = path.join(__dirname, 'controllers');
const mounted = [];
fs.readdirSync(controllersDir).forEach((file) => {
  if (path.extname(file) !== '.js') return;
  const controller = require(path.join(controllersDir, file));
  app.use(controller.prefix, controller.router);
  mounted.push({ file, prefix: controller.prefix });
});

// Formatters named in settings.json, loaded by name when first used.
const FORMATTERS = { duration: 'ms' };

app.get('/', (req, res) => res.json({ name: settings.name, controllers: mounted }));

app.get('/debug/modules', (req, res) => {
  const again = load('./models/user');
  res.json({
    sameModel: again === User,
    sameAsController: require(path.join(controllersDir, 'users.js')).model === User,
    evaluations: User.evaluations(),
    resolved: path.relative(__dirname, require.resolve('./models/user')),
    resolvedDir: path.relative(__dirname, require.resolve('./lib/plugins')),
    products: load('./data/products.json').length,
    sameJson: load('./data/products.json') === require('./controllers/products').data,
    cached: Object.keys(require.cache).some((key) => key.endsWith(path.join('models', 'user.js'))),
  });
});

app.get('/debug/files', (req, res) => res.json({
  controllers: fs.readdirSync(controllersDir),
  data: fs.readdirSync(path.join(__dirname, 'data')),
}));

// A module required at request time, by a name from the URL.
app.get('/load/:name', (req, res) => {
  try {
    const controller = load(`./controllers/${req.params.name}`);
    res.json({ prefix: controller.prefix });
  } catch (error) {
    res.status(404).json({ code: error.code, message: error.message.split('\n')[0] });
  }
});

app.get('/plugins', (req, res) => res.json(plugins.apply(String(req.query.text ?? 'Fabricks'))));

app.get('/format/:ms', (req, res) => {
  const format = require(FORMATTERS[settings.format]);
  res.json({ text: format(Number(req.params.ms), { long: true }) });
});

app.listen(3000, () => console.log('listening on 3000'));
