// Randomness while the app's top level runs at build time (pre-initialization). The engine
// can't reach the host's wasi:random then, and a value drawn then would be baked into the
// snapshot: every instance of every deployment would share it (a session secret made at top
// level, say). So until the first request Math.random and crypto.getRandomValues draw from a
// fixed-seed generator, and the first caller is remembered for the build to warn about.
let building = true;
let firstUse = null;
let state = 0x9e3779b9;

function seeded() {
  // mulberry32: deterministic, only ever used before the snapshot.
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// The toolchain's own modules (memfs's CBOR decoder seeds a cache) are not the app's doing:
// esbuild names each CommonJS wrapper after its path, which says where a draw came from.
const TOOLCHAIN = /_shared\/node\/node_modules\//;

function note(what) {
  if (firstUse !== null) return;
  const stack = new Error().stack;
  if (!TOOLCHAIN.test(stack)) firstUse = { what, stack };
}

const engineRandom = Math.random;
Math.random = function random() {
  if (!building) return engineRandom();
  note('Math.random()');
  return seeded();
};

const webCrypto = globalThis.crypto;
if (webCrypto?.getRandomValues) {
  const engineGetRandomValues = webCrypto.getRandomValues.bind(webCrypto);
  webCrypto.getRandomValues = function getRandomValues(array) {
    if (!building) return engineGetRandomValues(array);
    note('crypto.getRandomValues()');
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(seeded() * 256);
    return array;
  };
  const engineRandomUUID = webCrypto.randomUUID?.bind(webCrypto);
  if (engineRandomUUID) {
    webCrypto.randomUUID = function randomUUID() {
      if (!building) return engineRandomUUID();
      note('crypto.randomUUID()');
      const hex = Array.from({ length: 16 }, () => Math.floor(seeded() * 256).toString(16).padStart(2, '0'));
      hex[6] = `4${hex[6][1]}`;
      hex[8] = ((parseInt(hex[8], 16) & 0x3f) | 0x80).toString(16);
      return `${hex.slice(0, 4).join('')}-${hex.slice(4, 6).join('')}-${hex.slice(6, 8).join('')}-${hex.slice(8, 10).join('')}-${hex.slice(10).join('')}`;
    };
  }
}

/** End of the build-time phase (the entry calls it as the first request starts). */
export function endBuildTime() {
  building = false;
}

/** What the app's top level drew randomness with, and where: {what, stack} or null. */
export function buildTimeRandomness() {
  return firstUse;
}
