// Node formats times with a plain space before AM/PM ("6:05 PM"; Node 20 and Chrome keep it in
// their ICU data, where CLDR 42 has U+202F NARROW NO-BREAK SPACE, since text compared or parsed
// as "6:05 PM" broke). FormatJS ships CLDR as is; its English data gets Node's space as it is
// added (intl.mjs; tests/unit/test_node_compat.py compares with Node).
const DateTimeFormat = globalThis.Intl?.DateTimeFormat;
const add = DateTimeFormat?.polyfilled && DateTimeFormat.__addLocaleData;
if (add) {
  DateTimeFormat.__addLocaleData = (...data) => add.apply(DateTimeFormat, JSON.parse(JSON.stringify(data).replaceAll('\u202f', ' ')));
}
