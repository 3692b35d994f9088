import { Hono } from 'hono';
import { hash } from '@node-rs/argon2';

const app = new Hono();
app.get('/', async (c) => c.text(await hash('password')));
export default app;
