// Node formats times with a plain space before AM/PM ("6:05 PM": measured on Node 20 here), where
// FormatJS's CLDR data has U+202F NARROW NO-BREAK SPACE. Its English data gets Node's space as it
// is added (intl.mjs; tests/unit/test_node_compat.py compares with Node).
const DateTimeFormat = globalThis.Intl?.DateTimeFormat;
const add = DateTimeFormat?.polyfilled && DateTimeFormat.__addLocaleData;
if (add) {
  DateTimeFormat.__addLocaleData = (...data) => add.apply(DateTimeFormat, JSON.parse(JSON.stringify(data).replaceAll('\u202f', ' ')));
}
