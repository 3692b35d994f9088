// A plugin that decorates the instance with a notes store, registered asynchronously.
const fp = require('fastify-plugin');

module.exports = fp(async function store(fastify, options) {
  const notes = new Map();
  let nextId = 1;
  // Plugins may await during registration (a database connection, say).
  await new Promise((resolve) => setImmediate(resolve));
  for (const text of options.seed ?? []) notes.set(nextId, { id: nextId++, text, tags: [] });
  fastify.decorate('notes', {
    all: () => [...notes.values()],
    get: (id) => notes.get(id),
    add(text, tags) {
      const note = { id: nextId++, text, tags };
      notes.set(note.id, note);
      return note;
    },
    remove: (id) => notes.delete(id),
  });
}, { name: 'store' });
