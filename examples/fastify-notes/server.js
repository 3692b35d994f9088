// An ordinary Fastify 5 app: nothing in it knows about Fabricks.
const fastify = require('fastify')({ logger: false });

fastify.register(require('@fastify/cookie'), { secret: 'notes-secret' });
fastify.register(require('./plugins/store'), { seed: ['buy milk', 'write docs'] });

fastify.addHook('onRequest', async (request, reply) => {
  reply.header('x-notes-route', request.routeOptions.url ?? 'none');
});
fastify.addHook('onSend', async (request, reply, payload) => {
  reply.header('x-notes-app', 'fastify');
  return payload;
});

const noteSchema = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 200 },
    tags: { type: 'array', items: { type: 'string' }, default: [] },
  },
};

fastify.get('/', async () => ({ app: 'notes', routes: ['/notes', '/notes/:id'] }));

fastify.get('/notes', {
  schema: { querystring: { type: 'object', properties: { tag: { type: 'string' }, limit: { type: 'integer', minimum: 1, default: 50 } } } },
}, async (request) => {
  const { tag, limit } = request.query;
  return fastify.notes.all().filter((n) => !tag || n.tags.includes(tag)).slice(0, limit);
});

fastify.get('/notes/:id', {
  schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } },
}, async (request, reply) => {
  const note = fastify.notes.get(request.params.id);
  if (!note) return reply.code(404).send({ error: 'Not Found', message: `no note ${request.params.id}` });
  return note;
});

fastify.post('/notes', { schema: { body: noteSchema } }, async (request, reply) => {
  const note = fastify.notes.add(request.body.text, request.body.tags);
  reply.code(201).header('location', `/notes/${note.id}`);
  return note;
});

fastify.delete('/notes/:id', async (request, reply) => {
  fastify.notes.remove(Number(request.params.id));
  reply.code(204).send();
});

fastify.get('/session', async (request, reply) => {
  const signed = request.cookies.who ? request.unsignCookie(request.cookies.who) : { valid: false, value: null };
  reply.setCookie('who', 'ada', { signed: true, path: '/' }).setCookie('visits', '1', { path: '/' });
  return { user: signed.valid ? signed.value : null };
});

// Raw uploads up to 16 MiB come back as they went.
fastify.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 },
  (request, body, done) => done(null, body));
fastify.post('/echo', async (request, reply) => {
  reply.type('application/octet-stream');
  return request.body;
});

fastify.get('/export', async (request) => {
  const count = Number(request.query.count) || 1000;
  return Array.from({ length: count }, (_, i) => ({ id: i, text: `note number ${i}`, tags: ['export'] }));
});

const VERSION = '"notes-v1"';
fastify.get('/version', async (request, reply) => {
  reply.header('etag', VERSION);
  if (request.headers['if-none-match'] === VERSION) return reply.code(304).send();
  return { version: 1 };
});

fastify.get('/boom', async () => {
  throw new Error('the notes fell over');
});

fastify.listen({ port: Number(process.env.PORT) || 3000, host: '127.0.0.1' }, (err, address) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  console.log(`fastify-notes listening on ${address}`);
});
