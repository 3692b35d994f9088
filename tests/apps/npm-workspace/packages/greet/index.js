const ms = require('ms');

/** A greeting with how long ago `since` was, in words (ms, hoisted to the workspace root). */
exports.greet = (name, sinceMs = 0) => `Hello, ${name}! (${ms(sinceMs, { long: true })})`;
exports.where = () => require('path').basename(__dirname);
