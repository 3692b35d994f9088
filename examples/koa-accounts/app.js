// A Koa accounts service: users sign up and log in with passwords hashed by pbkdf2 (the
// default scheme) or scrypt (older accounts), a signed session cookie keeps them logged in,
// and an error middleware turns thrown errors into JSON answers.
const crypto = require('crypto');
const { promisify } = require('util');
const Koa = require('koa');
const { Router } = require('@koa/router');
const { bodyParser } = require('@koa/bodyparser');
const { createSession } = require('koa-session');

const pbkdf2 = promisify(crypto.pbkdf2);
const scrypt = promisify(crypto.scrypt);

const PBKDF2 = { iterations: 5000, keylen: 32, digest: 'sha256' };
const SCRYPT = { N: 1024, r: 8, p: 1 };

/** A stored password: "scheme$salt$hash" (hex). */
async function hashPassword(password, salt = crypto.randomBytes(16), scheme = 'pbkdf2') {
  const hash = scheme === 'scrypt'
    ? await scrypt(password, salt, 32, SCRYPT)
    : await pbkdf2(password, salt, PBKDF2.iterations, PBKDF2.keylen, PBKDF2.digest);
  return `${scheme}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

async function checkPassword(password, stored) {
  const [scheme, salt, hash] = stored.split('$');
  const again = (await hashPassword(password, Buffer.from(salt, 'hex'), scheme)).split('$')[2];
  return crypto.timingSafeEqual(Buffer.from(again, 'hex'), Buffer.from(hash, 'hex'));
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
    this.expose = true;
  }
}

// Seed accounts, hashed with fixed salts so that every run stores the same values.
const users = new Map();
async function seed() {
  users.set('ada', { name: 'ada', role: 'admin', password: await hashPassword('lovelace', Buffer.from('ada-salt'), 'pbkdf2') });
  users.set('grace', { name: 'grace', role: 'user', password: await hashPassword('hopper', Buffer.from('grace-salt'), 'scrypt') });
}
const seeded = seed();

const app = new Koa();
app.keys = ['koa-accounts signing key, not a secret in an example'];
app.proxy = false;

// Errors thrown anywhere below become JSON; unexpected ones are logged and hidden.
app.use(async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw new HttpError(404, `no route for ${ctx.method} ${ctx.path}`);
  } catch (error) {
    ctx.status = error.status || 500;
    ctx.body = { error: error.expose ? error.message : 'internal error' };
    if (ctx.status >= 500) ctx.app.emit('error', error, ctx);
  }
});

// Headers every answer carries.
app.use(async (ctx, next) => {
  await next();
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-store');
});

app.use(createSession({ key: 'accounts.sess', maxAge: 'session', signed: true, httpOnly: true, sameSite: 'lax' }, app));
app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '100kb' }));

const router = new Router();

function requireUser(ctx) {
  const user = ctx.session.user && users.get(ctx.session.user);
  if (!user) throw new HttpError(401, 'log in first');
  return user;
}

router.get('/', (ctx) => {
  ctx.body = { service: 'koa-accounts', routes: router.stack.map((layer) => `${layer.methods.filter((m) => m !== 'HEAD').join(',')} ${layer.path}`) };
});

router.post('/signup', async (ctx) => {
  await seeded;
  const { name, password } = ctx.request.body ?? {};
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_]{2,19}$/.test(name)) throw new HttpError(400, 'name: 3-20 lower-case letters, digits or _');
  if (typeof password !== 'string' || password.length < 6) throw new HttpError(400, 'password: at least 6 characters');
  if (users.has(name)) throw new HttpError(409, `${name} is taken`);
  users.set(name, { name, role: 'user', password: await hashPassword(password) });
  ctx.status = 201;
  ctx.body = { name, role: 'user' };
});

router.post('/login', async (ctx) => {
  await seeded;
  const { name, password } = ctx.request.body ?? {};
  const user = users.get(name);
  if (!user || typeof password !== 'string' || !(await checkPassword(password, user.password))) {
    throw new HttpError(401, 'wrong name or password');
  }
  ctx.session.user = user.name;
  ctx.session.logins = (ctx.session.logins ?? 0) + 1;
  ctx.body = { name: user.name, scheme: user.password.split('$')[0] };
});

router.post('/logout', (ctx) => {
  ctx.session = null;
  ctx.status = 204;
});

router.get('/me', (ctx) => {
  const user = requireUser(ctx);
  ctx.body = { name: user.name, role: user.role, logins: ctx.session.logins };
});

router.get('/users/:name', async (ctx) => {
  await seeded;
  requireUser(ctx);
  const user = users.get(ctx.params.name);
  if (!user) throw new HttpError(404, `no user ${ctx.params.name}`);
  ctx.body = { name: user.name, role: user.role, scheme: user.password.split('$')[0] };
});

router.get('/admin/hashes', async (ctx) => {
  await seeded;
  if (requireUser(ctx).role !== 'admin') throw new HttpError(403, 'admins only');
  // The seeded hashes, computed with fixed salts: the same bytes on every platform.
  ctx.body = Object.fromEntries(['ada', 'grace'].map((name) => [name, users.get(name).password]));
});

router.post('/echo', (ctx) => {
  ctx.body = { type: ctx.request.type, body: ctx.request.body };
});

router.get('/boom', () => {
  throw new Error('an unexpected failure');
});

app.use(router.routes());
app.use(router.allowedMethods());

// Logged by Koa's default handler otherwise; one line is enough here.
app.on('error', (error) => console.error(`koa-accounts: ${error.message}`));

app.listen(process.env.PORT || 3000);
