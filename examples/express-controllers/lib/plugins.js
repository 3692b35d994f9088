// Text plugins, loaded by name relative to this file (./plugins/NAME), in the order listed.
const ORDER = ['trim', 'upper', 'exclaim'];
const plugins = ORDER.map((name) => ({ name, run: require('./plugins/' + name) }));

exports.apply = (text) => ({
  plugins: plugins.map((p) => p.name),
  result: plugins.reduce((acc, p) => p.run(acc), text),
});
