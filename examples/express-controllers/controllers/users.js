const { Router } = require('express');
const User = require('../models/user');

const router = Router();

router.get('/', (req, res) => res.json(User.all()));
router.get('/:id', (req, res) => {
  const user = User.find(Number(req.params.id));
  if (!user) return res.status(404).json({ error: 'no such user' });
  res.json(user);
});
router.post('/', (req, res) => {
  const name = req.body?.name;
  if (typeof name !== 'string' || !name) return res.status(400).json({ error: 'name is required' });
  res.status(201).json(User.create(name));
});

module.exports = { prefix: '/users', router, model: User };
