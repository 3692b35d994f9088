import { Hono } from 'hono';
import isValidUTF8 from 'utf-8-validate';

const app = new Hono();
app.post('/', async (c) => c.json({ valid: isValidUTF8(new Uint8Array(await c.req.arrayBuffer())) }));
export default app;
