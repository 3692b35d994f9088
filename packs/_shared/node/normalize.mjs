// String.prototype.normalize for engines built without ICU: StarlingMonkey has none, and code
// strips accents with `s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')` (slugs, search keys,
// usernames). build.mjs injects this module when the bundle calls normalize() with no argument
// or a literal form; unorm installs its NFC/NFD/NFKC/NFKD only where the engine lacks them.
import 'unorm';
