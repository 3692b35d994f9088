const { Router } = require('express');
const path = require('path');

const router = Router();
router.get('/', (req, res) => res.json({
  status: 'ok',
  file: path.relative(process.cwd(), __filename),
  dir: path.basename(__dirname),
}));

module.exports = { prefix: '/health', router };
