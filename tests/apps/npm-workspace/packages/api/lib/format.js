/** A response body with the service name from #config (a package.json "imports" entry). */
const config = require('#config');

module.exports = (data) => ({ service: config.service, ...data });
