// ECMA-402 `Intl` for engines built without ICU: StarlingMonkey has no `Intl` global at all, and
// Node code uses it unasked (NestJS's logger makes an Intl.DateTimeFormat at its top level;
// currency and date formatting in views). build.mjs injects this module when the bundle names
// `Intl` (about 0.9 MB); each polyfill installs itself only where the engine lacks the API.
// FormatJS's polyfills, with English data: other locales fall back to English, as an ICU with
// only English data would. Time zones: UTC, the component's only one (WASI has no tz database).
import '@formatjs/intl-getcanonicallocales/polyfill.js';
import '@formatjs/intl-locale/polyfill.js';
import '@formatjs/intl-pluralrules/polyfill.js';
import '@formatjs/intl-pluralrules/locale-data/en.js';
import '@formatjs/intl-numberformat/polyfill.js';
import '@formatjs/intl-numberformat/locale-data/en.js';
import '@formatjs/intl-datetimeformat/polyfill.js';
import './intl-v8-spaces.mjs';
import '@formatjs/intl-datetimeformat/locale-data/en.js';
import '@formatjs/intl-listformat/polyfill.js';
import '@formatjs/intl-listformat/locale-data/en.js';
import '@formatjs/intl-relativetimeformat/polyfill.js';
import '@formatjs/intl-relativetimeformat/locale-data/en.js';
