// One app for both bridges: respond(path) -> {status, body}, or a promise of one.
let served = 0;
let token = null;

export async function respond(path) {
  served += 1;
  switch (path) {
    case '/count':
      return { status: 200, body: `served ${served}` };
    case '/slow':
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { status: 200, body: 'slow done' };
    case '/random':
      token ??= Math.random().toString(36);
      return { status: 200, body: token };
    case '/env':
      return { status: 200, body: `db ${process.env.DATABASE_URL} ${process.env.NODE_ENV}` };
    case '/throw':
      throw new Error('boom');
    default:
      return { status: 404, body: 'not found' };
  }
}
