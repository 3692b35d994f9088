import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { HTTPException } from 'hono/http-exception';
import { getCookie, setCookie } from 'hono/cookie';
import { streamText } from 'hono/streaming';

const books = new Map([
  [1, { id: 1, title: 'Dune', year: 1965 }],
  [2, { id: 2, title: 'Neuromancer', year: 1984 }],
]);

const app = new Hono();

// Middleware: every answer says which app served it and how many requests it has seen.
let served = 0;
app.use('*', async (c, next) => {
  served += 1;
  await next();
  c.header('X-Served-By', 'hono-api');
});

app.use('/books/*', etag());

app.get('/', (c) => c.text('Hello from Hono'));

app.get('/books', (c) => {
  const after = Number(c.req.query('after') ?? 0);
  const list = [...books.values()].filter((b) => b.year > after);
  return c.json({ count: list.length, books: list });
});

app.get('/books/:id{[0-9]+}', (c) => {
  const book = books.get(Number(c.req.param('id')));
  if (!book) throw new HTTPException(404, { message: `no book ${c.req.param('id')}` });
  return c.json(book);
});

app.post('/books', async (c) => {
  let data;
  try {
    data = await c.req.json();
  } catch {
    return c.json({ error: 'invalid JSON' }, 400);
  }
  if (typeof data?.title !== 'string' || !Number.isInteger(data?.year)) {
    return c.json({ error: 'expected {"title": string, "year": integer}' }, 422);
  }
  const id = Math.max(0, ...books.keys()) + 1;
  books.set(id, { id, title: data.title, year: data.year });
  c.header('Location', `/books/${id}`);
  return c.json(books.get(id), 201);
});

app.post('/echo', async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  let sum = 0;
  for (const byte of body) sum = (sum * 31 + byte) >>> 0;
  return c.json({ length: body.length, checksum: sum, type: c.req.header('content-type') ?? null });
});

app.get('/big', (c) => {
  const size = Number(c.req.query('size') ?? 1000);
  return c.body('x'.repeat(size), 200, { 'Content-Type': 'text/plain' });
});

app.get('/stream', (c) => streamText(c, async (stream) => {
  const n = Number(c.req.query('n') ?? 3);
  for (let i = 0; i < n; i++) {
    await stream.writeln(`line ${i}`);
    await stream.sleep(10);
  }
}));

app.get('/slow-stream', (c) => streamText(c, async (stream) => {
  await stream.writeln('first');
  await stream.sleep(1500);
  await stream.writeln('second');
}));

app.get('/cookies', (c) => {
  setCookie(c, 'a', '1', { path: '/' });
  setCookie(c, 'b', '2', { httpOnly: true });
  setCookie(c, 'c', '3', { sameSite: 'Lax' });
  return c.json({ seen: getCookie(c, 'seen') ?? null });
});

app.get('/count', (c) => c.text(String(served)));

app.get('/no-content', (c) => c.body(null, 204));

app.get('/old', (c) => c.redirect('/books', 301));

app.get('/boom', () => {
  throw new Error('the Hono app broke');
});

app.notFound((c) => c.json({ error: `nothing at ${c.req.path}` }, 404));

app.onError((error, c) => {
  if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
  console.error(`unhandled: ${error.message}`);
  return c.json({ error: 'internal error' }, 500);
});

export default app;
