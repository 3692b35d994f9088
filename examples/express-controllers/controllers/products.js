const { Router } = require('express');
const path = require('path');

// Data loaded by a computed path, relative to this file's folder.
const data = require(path.join(__dirname, '..', 'data', 'products.json'));
const router = Router();

router.get('/', (req, res) => {
  const max = Number(req.query.max_price ?? Infinity);
  res.json(data.filter((p) => p.price <= max));
});
router.get('/:id', (req, res) => {
  const product = data.find((p) => p.id === Number(req.params.id));
  if (!product) return res.status(404).json({ error: 'no such product' });
  res.json(product);
});

module.exports = { prefix: '/products', router, data };
