// An in-memory user store. Counted on evaluation: required statically by app.js and the users
// controller, and by a computed path, it must be evaluated once.
globalThis.userModelEvaluations = (globalThis.userModelEvaluations ?? 0) + 1;

const users = [
  { id: 1, name: 'Ada' },
  { id: 2, name: 'Grace' },
];

module.exports = {
  all: () => users,
  find: (id) => users.find((u) => u.id === id),
  create(name) {
    const user = { id: users.length + 1, name };
    users.push(user);
    return user;
  },
  evaluations: () => globalThis.userModelEvaluations,
};
