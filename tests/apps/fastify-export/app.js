// A Fastify instance exported without listen(): made ready before it serves.
const fastify = require('fastify')();

fastify.register(async function greetings(instance) {
  await new Promise((resolve) => setTimeout(resolve, 10)); // a plugin that takes its time
  instance.decorate('greeting', 'hello');
  instance.get('/', async () => ({ greeting: instance.greeting }));
});

module.exports = fastify;
