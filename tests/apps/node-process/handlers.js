// The same kinds of errors with process.on() handlers registered, which Node honors: the
// process does not exit, and here the instance serves on with its state. The handlers answer
// the request in flight with a 500 naming what they saw.
let count = 0;
let current = null;

function answer(origin, error) {
  if (current && !current.headersSent) {
    current.writeHead(500, { 'Content-Type': 'text/plain' });
    current.end(`${origin}: ${error.message}\n`);
  }
}

process.on('unhandledRejection', (reason) => answer('unhandledRejection', reason));
process.on('uncaughtException', (error, origin) => answer(origin, error));

module.exports = async (req, res) => {
  count += 1;
  current = res;
  switch (req.url) {
    case '/count':
      res.end(String(count));
      return;
    case '/async-listener':
      await null;
      throw new Error('the async listener rejected');
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
    default:
      res.statusCode = 404;
      res.end('not found\n');
  }
};
