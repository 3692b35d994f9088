// Errors nobody catches, as Node meets them: a rejection nobody awaited, an exception thrown
// by a timer or a nextTick callback, before or after the response started. No process.on()
// handler is registered, so on Node each of these ends the process; in a component the
// request fails (500, or a cut-off body) and the instance is replaced.
let count = 0;

async function failLater(message) {
  await null;
  throw new Error(message);
}

module.exports = (req, res) => {
  count += 1;
  switch (req.url) {
    case '/count':
      res.end(String(count));
      return;
    case '/reject':
      failLater('rejected and never awaited');
      return;
    case '/reject-after-start':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      failLater('rejected mid-body');
      return;
    case '/timer-throw':
      setTimeout(() => {
        throw new Error('thrown by a timer');
      }, 1);
      return;
    case '/tick-throw':
      process.nextTick(() => {
        throw new Error('thrown by a nextTick callback');
      });
      return;
    case '/async-listener':
      return failLater('the async listener rejected');
    case '/wait':
      // Waiting on a timer is not being stuck.
      setTimeout(() => res.end('waited'), 200);
      return;
    default:
      res.statusCode = 404;
      res.end('not found\n');
  }
};
