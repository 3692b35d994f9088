import { respond } from './routes.js';

// An async listener: its rejection (GET /throw) is unhandled, as in Node.
export default async function listener(req, res) {
  const { status, body } = await respond(req.url);
  res.statusCode = status;
  res.end(body);
}
