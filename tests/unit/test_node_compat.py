"""The Node stand-ins' pure parts, run on the host's Node: module paths, \\p{} lowering,
request header folding, the V8 stack trace API, and the built-in map."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parents[2] / "packs" / "_shared" / "node"
pytestmark = pytest.mark.skipif(shutil.which("node") is None or not (NODE_DIR / "node_modules").is_dir(),
                                reason="needs Node and the toolchain (make setup)")


def run(script: str) -> object:
    """Run an ES module body on Node with NODE_DIR as the working folder; it prints JSON."""
    proc = subprocess.run(["node", "--input-type=module", "-e", script], cwd=NODE_DIR, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_module_paths_keep_lines_and_directives():
    out = run("""
      import { withModulePaths } from './node-compat.mjs';
      const cjs = withModulePaths("'use strict';\\nmodule.exports = __dirname;\\n", '/app/lib/a.js');
      const esm = withModulePaths("export const u = import.meta.url, d = import.meta.dirname;\\n", '/app/b.mjs');
      const bare = withModulePaths("'use strict'\\nmodule.exports = __filename\\n", '/app/d.js');
      const declared = withModulePaths("const __dirname = 'mine';\\nexport default __dirname;\\n", '/app/c.mjs');
      console.log(JSON.stringify({ cjs, esm, declared, bare }));
    """)
    assert out["cjs"] == "'use strict';var __dirname = \"/app/lib\";\nmodule.exports = __dirname;\n"
    assert out["esm"] == 'export const u = "file:///app/b.mjs", d = "/app";\n'
    assert out["bare"] == "'use strict';var __filename = \"/app/d.js\";\nmodule.exports = __filename\n"
    assert out["declared"] == "const __dirname = 'mine';\nexport default __dirname;\n"


def test_property_escapes_are_lowered_and_division_left_alone():
    out = run(r"""
      import { lowerPropertyEscapes } from './node-compat.mjs';
      const text = lowerPropertyEscapes('const ID = /^[$_\\p{ID_Start}]$/u; const q = a / b / c;');
      const re = eval(text.match(/new RegExp\(.*?\)(?=;)/)[0]);
      console.log(JSON.stringify({ text: text.slice(-20), letter: re.test('é'), digit: re.test('1'),
                                   untouched: lowerPropertyEscapes('x = /a/g') }));
    """)
    assert out == {"text": "const q = a / b / c;", "letter": True, "digit": False, "untouched": "x = /a/g"}


def test_request_headers_fold_as_node_folds_them():
    assert _headers() == {"host": "a", "cookie": "x=1; y=2", "set-cookie": ["s=1", "t=2"], "x-multi": "1, 2"}


def _headers() -> object:
    # http.js imports wasi:http, which only a component has: the folding function is read
    # out of the source and evaluated alone.
    source = (NODE_DIR / "runtime" / "node" / "http.js").read_text()
    start = source.index("const SINGLE = new Set(")
    single = source[start:source.index(";", source.index("]);", start)) + 1]
    fold = source[source.index("export function headersObject"):source.index("\n}\n", source.index("export function headersObject")) + 3]
    return run(single + "\n" + fold.replace("export ", "") + """
      console.log(JSON.stringify(headersObject(['Host', 'a', 'Host', 'b', 'Cookie', 'x=1', 'cookie', 'y=2',
        'Set-Cookie', 's=1', 'set-cookie', 't=2', 'X-Multi', '1', 'x-multi', '2'])));
    """)


def test_stack_trace_api_gives_call_sites_on_spidermonkey_style_stacks():
    out = run("""
      import { installStackTraceApi } from './runtime/node/stack-trace.js';
      // A SpiderMonkey-like Error: no captureStackTrace, "name@file:line:column" stacks.
      class SMError { constructor() { this.stack = 'inner@bundle.js:10:5\\nouter@bundle.js:20:7\\n@bundle.js:30:1\\n'; } }
      SMError.stackTraceLimit = 10;
      const realError = globalThis.Error;
      globalThis.Error = SMError;
      installStackTraceApi(SMError);
      SMError.prepareStackTrace = (_, sites) => sites;
      const holder = {};
      SMError.captureStackTrace(holder);
      globalThis.Error = realError;
      const sites = holder.stack;
      console.log(JSON.stringify(sites.map((s) => [s.getFunctionName(), s.getFileName(), s.getLineNumber(), s.isToplevel()])));
    """)
    assert out == [["outer", "bundle.js", 20, False], [None, "bundle.js", 30, True]]


def test_every_mapped_builtin_exists():
    out = run("""
      import { existsSync } from 'node:fs';
      import { lightBuiltins, nodeBuiltins } from './node-compat.mjs';
      const all = [...Object.entries(nodeBuiltins()), ...Object.entries(lightBuiltins())];
      console.log(JSON.stringify(all.filter(([, file]) => !existsSync(file))));
    """)
    assert out == []


MEMBER_CASES = {
    "cjs": ("var crypto = require('crypto'); const f = (e) => crypto.createHash('sha1').update(e);", ["createHash"]),
    "destructured": ("const { randomBytes, createHmac: h } = require('node:crypto');", ["createHmac", "randomBytes"]),
    "esm": ("import { createHash } from 'crypto'; import c from 'node:crypto'; c.randomUUID(); c.default.createSign();",
            ["createHash", "createSign", "randomUUID"]),
    "tsc": ("const crypto_1 = __importStar(require('crypto')); (0, crypto_1.createHash)('x');"
            "const d = tslib_1.__importDefault(require('crypto')); d.default.randomBytes(1);", ["createHash", "randomBytes"]),
    "string key": ("require('crypto')['randomBytes'](1)", ["randomBytes"]),
    "alias read above": ("function g() { return d.createSign(); } const c = require('crypto'); const d = c;", ["createSign"]),
    "tests": ("var c; try { c = require('crypto'); } catch {} if (c && typeof c !== 'undefined') c.timingSafeEqual(a, b);",
              ["timingSafeEqual"]),
    "not imported": ("const crypto = globalThis.crypto; crypto.subtle;", []),
    "passed along": ("import * as c from 'crypto'; use(c);", None),
    "computed key": ("const c = require('crypto'); c[name]();", None),
    "re-exported": ("import c from 'crypto'; export { c };", None),
    "exported whole": ("module.exports = require('crypto');", None),
    "export star": ("export * from 'node:crypto';", None),
    "dynamic import": ("const m = await import('crypto');", None),
    "stored": ("this.crypto = require('crypto');", None),
    "shorthand": ("const c = require('crypto'); make({ c });", None),
}


@pytest.mark.parametrize("case", sorted(MEMBER_CASES))
def test_builtin_members_read_are_found_or_the_module_escapes(case):
    """builtin-uses.mjs: the members a module reads, through the forms compilers emit; null
    ("anything") whenever the module object goes where the source does not show."""
    text, expected = MEMBER_CASES[case]
    out = run(f"""
      import {{ builtinMembersUsed }} from './builtin-uses.mjs';
      const found = builtinMembersUsed({json.dumps(text)}, new Set(['crypto', 'node:crypto']));
      console.log(JSON.stringify(found && [...found].sort()));
    """)
    assert out == expected


def test_a_module_reading_only_the_light_crypto_gets_it_and_one_signing_gets_the_whole(tmp_path):
    """The build gives each importer of node:crypto the light stand-in (crypto-core.js) when
    all it reads is there, else the whole one, which re-exports the light one: one KeyObject
    class and one module state for both."""
    (tmp_path / "hash.js").write_text("const c = require('crypto');\n"
                                      "module.exports = c.createHash('sha256').update('x').digest('hex');\n")
    (tmp_path / "sign.js").write_text("const { createSign, KeyObject } = require('crypto');\n"
                                      "module.exports = typeof createSign + typeof KeyObject;\n")
    (tmp_path / "both.js").write_text("const { KeyObject } = require('crypto'); const s = require('./sign.js');\n"
                                      "const h = require('./hash.js');\n"
                                      "module.exports = [h, s, KeyObject === require('./sign-key.js')];\n")
    (tmp_path / "sign-key.js").write_text("module.exports = require('node:crypto').createPublicKey && require('crypto').KeyObject;\n")
    out = run(_stand_in_module() + f"""
      const {{ lightBuiltins }} = await import('./node-compat.mjs');
      const inputsOf = async (entry) => {{
        const built = await esbuild.build({{ entryPoints: [entry], bundle: true, write: false, metafile: true, format: 'esm',
          platform: 'neutral', target: 'es2022', mainFields: ['module', 'main'], conditions: ['node'],
          alias: Object.fromEntries(Object.entries(nodeBuiltins()).flatMap(([k, v]) => [[k, v], [`node:${{k}}`, v]])),
          inject: [globalsModule()], plugins: [wasiStub, ...plugins({{ appRoot: null, light: lightBuiltins() }})], logLevel: 'silent' }});
        const file = join(mkdtempSync(join(tmpdir(), 'fabricks-light-')), 'out.mjs');
        writeFileSync(file, built.outputFiles[0].text);
        const names = Object.keys(built.metafile.inputs).filter((k) => k.includes('runtime/node/crypto')).map((k) => k.split('/').pop());
        return {{ stand: names.sort(), value: (await import(file)).default }};
      }};
      console.log(JSON.stringify({{
        hash: await inputsOf({json.dumps(str(tmp_path / "hash.js"))}),
        sign: await inputsOf({json.dumps(str(tmp_path / "sign.js"))}),
        both: await inputsOf({json.dumps(str(tmp_path / "both.js"))}),
      }}));
    """)
    digest = hashlib.sha256(b"x").hexdigest()
    core = ["crypto-common.js", "crypto-core.js", "crypto-native.js"]
    assert out["hash"] == {"stand": core, "value": digest}
    assert out["sign"] == {"stand": sorted([*core, "crypto.js"]), "value": "functionfunction"}
    assert out["both"] == {"stand": sorted([*core, "crypto.js"]), "value": [digest, "functionfunction", True]}


def test_computed_requires_go_to_the_module_loader_and_literals_stay_for_esbuild():
    out = run(r"""
      import { rewriteComputedRequires as rewrite } from './node-compat.mjs';
      const src = "const e = require('express');\n" +
        "fs.readdirSync(dir).forEach((f) => require(path.join(dir, f)));\n" +
        "function load(p) { return require(p) }\n" +
        "const r = require.resolve(p), t = typeof require, o = { require }, k = obj.require;\n" +
        "import(name); import('./lit.js');\n";
      const own = rewrite('function f(require) { return require(x) }', '/app/umd.js');
      console.log(JSON.stringify({ out: rewrite(src, '/app/lib/a.js', 'script'), own,
        literal: rewrite("module.exports = require(`./x`)", '/app/a.js') }));
    """)
    text = out["out"]["text"].split("\n")
    loader = '__fabricksRequire("/app/lib/a.js")'
    assert out["out"]["rewritten"] is True
    assert text[0] == "const e = require('express');"
    assert text[1] == f"fs.readdirSync(dir).forEach((f) => {loader}(path.join(dir, f)));"
    assert text[2] == f"function load(p) {{ return {loader}(p) }}"
    assert text[3] == f"const r = {loader}.resolve(p), t = typeof require, o = {{ require: {loader} }}, k = obj.require;"
    assert text[4] == "__fabricksImport(\"/app/lib/a.js\")(name); import('./lit.js');"
    assert out["own"]["rewritten"] is False and out["literal"]["rewritten"] is False


def _require_runtime(script: str) -> object:
    """Run ``script`` against runtime/node/require.js bundled with a small app's registry."""
    return run("""
      import * as esbuild from 'esbuild';
      const files = { '/app/app.js': 'x', '/app/lib/index.js': 'x', '/app/lib/util.js': 'x', '/app/data.json': '{"n": 1}',
        '/app/pkg/package.json': '{"main": "main.js"}', '/app/pkg/main.js': 'x', '/app/notes.txt': 'hi',
        '/app/bad.js': 'x' };
      const b64 = (t) => Buffer.from(t).toString('base64');
      const virtual = {
        'fabricks:app-files': `export default ${JSON.stringify(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [b64(v), 0]])))};`,
        'fabricks:dynamic-requires': "export default { ms: () => 'ms!' };",
        'fabricks:app-modules': `let n = 0; export default { files: {
          '/app/app.js': () => ({ app: ++n }), '/app/lib/index.js': () => ({ lib: true }), '/app/lib/util.js': () => ({ util: true }),
          '/app/pkg/main.js': () => ({ pkg: true }), '/app/bad.js': '/app/bad.js:1: Unexpected "x"' },
          builtins: { path: () => ({ path: true }) } };`,
      };
      const plugin = { name: 'virtual', setup(build) {
        build.onResolve({ filter: /^fabricks:/ }, (a) => ({ path: a.path, namespace: 'v' }));
        build.onLoad({ filter: /.*/, namespace: 'v' }, (a) => ({ contents: virtual[a.path], loader: 'js' }));
      } };
      const out = await esbuild.build({ entryPoints: ['./runtime/node/require.js'], bundle: true, write: false, format: 'esm',
        platform: 'neutral', plugins: [plugin], logLevel: 'silent' });
      const { requireFrom } = await import('data:text/javascript;base64,' + b64(out.outputFiles[0].text));
      const attempt = (f) => { try { return f(); } catch (e) { return { code: e.code, message: e.message }; } };
    """ + script)


def test_computed_require_resolves_as_node_and_shares_one_cache():
    out = _require_runtime("""
      const req = requireFrom('/app/lib/util.js');
      console.log(JSON.stringify({
        same: req('../app') === requireFrom('/app/app.js')('./app.js'),
        index: req('.'), dir: req('/app/pkg'), json: req('../data.json'), ext: req('./util'),
        builtin: req('node:path'), pkg: req('ms'),
        resolved: [req.resolve('../pkg'), req.resolve('path'), req.resolve('../data')],
        missing: attempt(() => req('./nope')), bare: attempt(() => req('left-pad')),
        text: attempt(() => req('../notes.txt')).code, bad: attempt(() => req('../bad')).message,
      }));
    """)
    assert out["same"] is True
    assert out["index"] == {"lib": True} and out["dir"] == {"pkg": True} and out["json"] == {"n": 1}
    assert out["ext"] == {"util": True} and out["builtin"] == {"path": True} and out["pkg"] == "ms!"
    assert out["resolved"] == ["/app/pkg/main.js", "path", "/app/data.json"]
    assert out["missing"] == {"code": "MODULE_NOT_FOUND",
                              "message": "Cannot find module './nope'\nRequire stack:\n- /app/lib/util.js"}
    assert out["bare"]["code"] == "MODULE_NOT_FOUND"
    assert out["text"] == "ERR_REQUIRE_BUNDLE" and 'Unexpected "x"' in out["bad"]


def test_workspace_globs_and_install_root(tmp_path):
    root = tmp_path / "ws"
    for rel, manifest in [("", {"name": "root", "workspaces": ["packages/*", "!packages/old"]}),
                          ("packages/api", {"name": "api"}), ("packages/old", {"name": "old"}),
                          ("services/x", None), ("lone", {"name": "lone"})]:
        (root / rel).mkdir(parents=True, exist_ok=True)
        if manifest is not None:
            (root / rel / "package.json").write_text(json.dumps(manifest))
    (root / "pnpm" / "apps" / "web").mkdir(parents=True)
    (root / "pnpm" / "pnpm-workspace.yaml").write_text("packages:\n  - 'apps/*'\n  - \"!**/test/**\" # no\n")
    (root / "pnpm" / "package.json").write_text("{}")
    (root / "pnpm" / "apps" / "web" / "package.json").write_text('{"name": "web", "dependencies": {"ui": "workspace:*"}}')
    out = run(f"""
      import * as w from './workspace.mjs';
      const root = {json.dumps(str(root))};
      const pick = ({{ kind, member, tool, members }}) => ({{ kind, member, tool, members }});
      console.log(JSON.stringify({{
        api: pick(w.installRoot(root + '/packages/api')), old: pick(w.installRoot(root + '/packages/old')),
        nested: pick(w.installRoot(root + '/services/x')), pnpm: pick(w.installRoot(root + '/pnpm/apps/web')),
        globs: [w.globRegExp('apps/**').test('apps/a/b'), w.globRegExp('**/svc').test('a/svc'), w.globRegExp('p/*').test('p/a/b')],
        manifest: w.npmManifest({{ dependencies: {{ ui: 'workspace:^', x: '1.0.0' }} }}),
      }}));
    """)
    assert out["api"] == {"kind": "workspace", "member": "packages/api", "tool": "npm",
                          "members": [{"name": "api", "dir": "packages/api"}]}
    assert out["old"]["kind"] == "app"  # excluded by the negated glob
    assert out["nested"] == {"kind": "parent", "member": "services/x"}
    assert out["pnpm"]["kind"] == "workspace" and out["pnpm"]["tool"] == "pnpm" and out["pnpm"]["member"] == "apps/web"
    assert out["globs"] == [True, True, False]
    assert out["manifest"] == {"dependencies": {"ui": "*", "x": "1.0.0"}}


def _stand_in_module() -> str:
    """An ES module body that bundles a built-in's stand-in as build.mjs does (the built-in
    map, the injected globals, the toolchain plugins) and binds it to ``standIn(name)``."""
    return """
      import * as esbuild from 'esbuild';
      import { writeFileSync, mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      import { nodeBuiltins, globalsModule, plugins } from './node-compat.mjs';
      // The WASI imports and the composed hashes exist only in a component: empty here (the
      // globals' fetch imports them; under Node the stand-ins hash in JavaScript, as at build time).
      const wasiStub = { name: 'wasi-stub', setup(build) {
        build.onResolve({ filter: /^(wasi|fabricks):/ }, (args) => ({ path: args.path, namespace: 'wasi-stub' }));
        build.onLoad({ filter: /.*/, namespace: 'wasi-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
      } };
      async function standIn(name = 'crypto') {
        const alias = nodeBuiltins();
        const out = await esbuild.build({
          stdin: { contents: `export * from 'node:${name}'; export { default } from 'node:${name}';`, resolveDir: process.cwd(), loader: 'js' },
          bundle: true, write: false, format: 'esm', platform: 'neutral', target: 'es2022', mainFields: ['module', 'main'],
          conditions: ['node'], alias: Object.fromEntries(Object.entries(alias).flatMap(([k, v]) => [[k, v], [`node:${k}`, v]])),
          inject: [globalsModule()], plugins: [wasiStub, ...plugins({ appRoot: null })], logLevel: 'silent' });
        const file = join(mkdtempSync(join(tmpdir(), `fabricks-${name}-`)), `${name}.mjs`);
        writeFileSync(file, out.outputFiles[0].text);
        return import(file);
      }
    """


# Each case runs ``f(c)`` with the stand-in and with Node's own node:crypto: ``both``.
CRYPTO_CASES = r"""
const ours = await standIn();
const node = await import('node:crypto');
const hex = (b) => Buffer.from(b).toString('hex');
const both = (f) => { const a = f(ours), b = f(node); return { ours: a, node: b }; };
const results = {};
const attempt = (name, f) => { try { results[name] = f(); } catch (e) { results[name] = { error: String(e.stack || e) }; } };

attempt('pbkdf2', () => both((c) => ['sha1', 'sha256', 'SHA512', 'md5'].map((d) => hex(c.pbkdf2Sync('pässword', Buffer.from('salt'), 1000, 40, d)))));
attempt('pbkdf2-bad-digest', () => both((c) => { try { c.pbkdf2Sync('a', 'b', 1, 1, 'nope'); } catch (e) { return [e.name, e.code, e.message]; } }));
attempt('scrypt', () => both((c) => [hex(c.scryptSync('password', 'salt', 64)), hex(c.scryptSync('pw', 'NaCl', 32, { N: 1024, r: 8, p: 2 })),
  hex(c.scryptSync('pw', 'NaCl', 16, { cost: 256, blockSize: 4, parallelization: 1 }))]));
attempt('hkdf', () => both((c) => [hex(c.hkdfSync('sha256', 'key', 'salt', 'info', 42)), hex(c.hkdfSync('sha512', Buffer.alloc(0), '', 'x', 64))]));
const key32 = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const iv12 = Buffer.from('0a0b0c0d0e0f101112131415', 'hex');
const iv16 = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', 'hex');
const msg = 'The quick brown fox jumps over the lazy dog, more than one block of it.';
attempt('gcm', () => both((c) => {
  const e = c.createCipheriv('aes-256-gcm', key32, iv12); e.setAAD(Buffer.from('head'));
  const ct = Buffer.concat([e.update(msg, 'utf8'), e.final()]); const tag = e.getAuthTag();
  const d = c.createDecipheriv('aes-256-gcm', key32, iv12); d.setAAD(Buffer.from('head')); d.setAuthTag(tag);
  const pt = Buffer.concat([d.update(ct), d.final()]).toString();
  const bad = c.createDecipheriv('aes-256-gcm', key32, iv12); bad.setAuthTag(Buffer.alloc(16));
  let failed = false; try { bad.update(ct); bad.final(); } catch { failed = true; }
  return [hex(ct), hex(tag), pt, failed];
}));
attempt('cbc-ctr', () => both((c) => ['aes-128-cbc', 'aes-256-cbc', 'aes-256-ctr', 'aes-192-ctr'].map((alg) => {
  const k = key32.subarray(0, Number(alg.split('-')[1]) / 8);
  const e = c.createCipheriv(alg, k, iv16); const ct = e.update(msg, 'utf8', 'base64') + e.final('base64');
  const d = c.createDecipheriv(alg, k, iv16); return [ct, d.update(ct, 'base64', 'utf8') + d.final('utf8')];
})));
attempt('chacha', () => both((c) => {
  const e = c.createCipheriv('chacha20-poly1305', key32, iv12, { authTagLength: 16 }); e.setAAD(Buffer.from('aad'));
  const ct = Buffer.concat([e.update(msg), e.final()]); const tag = e.getAuthTag();
  const d = c.createDecipheriv('chacha20-poly1305', key32, iv12, { authTagLength: 16 }); d.setAAD(Buffer.from('aad')); d.setAuthTag(tag);
  return [hex(ct), hex(tag), Buffer.concat([d.update(ct), d.final()]).toString()];
}));
const rsa = node.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' });
const rsaPkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' });
const rsaSpki = rsa.publicKey.export({ type: 'spki', format: 'pem' });
attempt('rsa-sign', () => both((c) => [
  c.createSign('RSA-SHA256').update('hello ').update('world').sign(rsaPkcs8, 'base64'),
  hex(c.sign('sha512', Buffer.from('data'), rsaPkcs1)), hex(c.sign('sha1', Buffer.from('data'), c.createPrivateKey(rsaPkcs8))),
  c.verify('sha256', Buffer.from('data'), rsaSpki, node.sign('sha256', Buffer.from('data'), rsaPkcs8)),
  c.verify('sha256', Buffer.from('datA'), rsaSpki, node.sign('sha256', Buffer.from('data'), rsaPkcs8)),
  c.createPublicKey(rsaPkcs1).export({ type: 'spki', format: 'pem' }),
  c.createPrivateKey(rsaPkcs8).asymmetricKeyType, c.createPublicKey(rsaSpki).type,
  c.createPrivateKey(rsaPkcs8).asymmetricKeyDetails.modulusLength,
]));
attempt('rsa-encrypt', () => both((c) => {
  const enc = c.publicEncrypt(rsaSpki, Buffer.from('secret'));
  const pk = c.publicEncrypt({ key: rsaSpki, padding: c.constants.RSA_PKCS1_PADDING }, Buffer.from('secret'));
  return [node.privateDecrypt(rsaPkcs8, enc).toString(), c.privateDecrypt(rsaPkcs8, node.publicEncrypt(rsaSpki, Buffer.from('back'))).toString(),
    node.publicDecrypt(rsaSpki, c.privateEncrypt(rsaPkcs8, Buffer.from('signed'))).toString(),
    c.publicDecrypt(rsaSpki, node.privateEncrypt(rsaPkcs8, Buffer.from('signed'))).toString(), pk.length];
}));
const ec = node.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ecPkcs8 = ec.privateKey.export({ type: 'pkcs8', format: 'pem' });
const ecSec1 = ec.privateKey.export({ type: 'sec1', format: 'pem' });
const ecSpki = ec.publicKey.export({ type: 'spki', format: 'pem' });
attempt('ecdsa', () => both((c) => [
  node.verify('sha256', Buffer.from('m'), ecSpki, c.sign('sha256', Buffer.from('m'), ecPkcs8)),
  node.verify('sha384', Buffer.from('m'), ecSpki, c.createSign('SHA384').update('m').sign(ecSec1)),
  node.verify('sha256', Buffer.from('m'), { key: ecSpki, dsaEncoding: 'ieee-p1363' }, c.sign('sha256', Buffer.from('m'), { key: ecPkcs8, dsaEncoding: 'ieee-p1363' })),
  c.verify('sha256', Buffer.from('m'), ecSpki, node.sign('sha256', Buffer.from('m'), ecPkcs8)),
  c.verify('sha256', Buffer.from('m'), { key: ecSpki, dsaEncoding: 'ieee-p1363' }, node.sign('sha256', Buffer.from('m'), { key: ecPkcs8, dsaEncoding: 'ieee-p1363' })),
  c.verify('sha256', Buffer.from('n'), ecSpki, node.sign('sha256', Buffer.from('m'), ecPkcs8)),
  c.createPublicKey(ecPkcs8).export({ type: 'spki', format: 'pem' }),
  c.createPublicKey(ecSec1).asymmetricKeyDetails.namedCurve,
]));
const ed = node.generateKeyPairSync('ed25519');
const edPkcs8 = ed.privateKey.export({ type: 'pkcs8', format: 'pem' });
const edSpki = ed.publicKey.export({ type: 'spki', format: 'pem' });
attempt('ed25519', () => both((c) => [hex(c.sign(null, Buffer.from('msg'), edPkcs8)), c.verify(null, Buffer.from('msg'), edSpki, node.sign(null, Buffer.from('msg'), edPkcs8)),
  c.verify(null, Buffer.from('msg!'), edSpki, node.sign(null, Buffer.from('msg'), edPkcs8)),
  c.createPublicKey(edPkcs8).export({ type: 'spki', format: 'pem' }), c.createPrivateKey(edPkcs8).export({ type: 'pkcs8', format: 'der' }).toString('hex'),
  c.createPublicKey(edSpki).asymmetricKeyType]));
attempt('generated', () => {
  const out = {};
  for (const [type, opts] of [['ed25519', {}], ['ec', { namedCurve: 'P-256' }], ['ec', { namedCurve: 'secp384r1' }], ['ec', { namedCurve: 'secp256k1' }]]) {
    const pair = ours.generateKeyPairSync(type, { ...opts, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const reread = node.createPrivateKey(pair.privateKey);
    const sig = ours.sign(type === 'ed25519' ? null : 'sha256', Buffer.from('x'), pair.privateKey);
    out[type + (opts.namedCurve ?? '')] = {
      privateSame: reread.export({ type: 'pkcs8', format: 'pem' }) === pair.privateKey,
      publicSame: node.createPublicKey(reread).export({ type: 'spki', format: 'pem' }) === pair.publicKey,
      verifies: node.verify(type === 'ed25519' ? null : 'sha256', Buffer.from('x'), pair.publicKey, sig),
    };
  }
  const objects = ours.generateKeyPairSync('ed25519');
  out.objects = [objects.publicKey.type, objects.privateKey.asymmetricKeyType];
  return out;
});
attempt('ecdh', () => both((c) => ['prime256v1', 'secp256k1', 'secp384r1'].map((curve) => {
  const a = c.createECDH(curve); a.setPrivateKey(Buffer.alloc(curve === 'secp384r1' ? 48 : 32, 7));
  const b = c.createECDH(curve); b.setPrivateKey(Buffer.alloc(curve === 'secp384r1' ? 48 : 32, 9));
  return [a.getPublicKey('hex'), a.getPublicKey('hex', 'compressed'), hex(a.computeSecret(b.getPublicKey()))];
})));
attempt('misc', () => both((c) => [c.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), c.timingSafeEqual(Buffer.from('abc'), Buffer.from('abd')),
  (() => { try { c.timingSafeEqual(Buffer.from('a'), Buffer.from('ab')); } catch (e) { return e.code; } })(),
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(c.randomUUID()),
  c.createHash('sha256').update('x').digest('hex'), c.createHmac('sha1', 'k').update('x').digest('base64'),
  c.createSecretKey(Buffer.from('abcd')).symmetricKeySize, hex(c.createHmac('sha256', c.createSecretKey(Buffer.from('k'))).update('x').digest()),
  typeof c.webcrypto.subtle.digest, c.randomBytes(8).length]));
results.async = await new Promise((done) => ours.pbkdf2('a', 'b', 10, 8, 'sha256', (e, k) =>
  ours.scrypt('a', 'b', 8, (e2, s) => ours.generateKeyPair('ec', { namedCurve: 'P-256' }, (e3, pub, priv) =>
    done(e3 ? [String(e3)] : [hex(k) === hex(node.pbkdf2Sync('a', 'b', 10, 8, 'sha256')), hex(s) === hex(node.scryptSync('a', 'b', 8)), pub.type, priv.type])))));
console.log(JSON.stringify(results));
"""


def test_crypto_stand_in_gives_nodes_bytes():
    """pbkdf2, scrypt, hkdf, AES-GCM/CBC/CTR, ChaCha20-Poly1305, RSA/ECDSA/Ed25519 signatures,
    RSA encryption, KeyObjects, generated key pairs and ECDH: the bundled stand-in against Node."""
    out = run(_stand_in_module() + CRYPTO_CASES)
    compared = {name: value for name, value in out.items() if isinstance(value, dict) and "ours" in value}
    errors = {name: value for name, value in out.items() if isinstance(value, dict) and "error" in value}
    assert not errors, errors
    assert {name for name, value in compared.items() if value["ours"] != value["node"]} == set(), compared
    assert len(compared) == 13
    assert out["ecdsa"]["ours"][:5] == [True] * 5 and out["ecdsa"]["ours"][5] is False
    assert out["rsa-sign"]["ours"][3:5] == [True, False]
    assert out["ed25519"]["ours"][1:3] == [True, False]
    for pair in out["generated"].values():
        assert pair in (["public", "ed25519"], {"privateSame": True, "publicSame": True, "verifies": True}), out["generated"]
    assert out["async"] == [True, True, "public", "private"]


def test_async_local_storage_carries_the_store_to_what_the_run_started():
    """The outermost run's store reaches callbacks its callback started without returning them
    (Express-style `als.run(ctx, () => next())`), a nested run gives the outer store back, and
    the bridges' request boundary clears it."""
    out = run("""
      import { AsyncLocalStorage, resetStores } from './runtime/node/async_hooks.js';
      const als = new AsyncLocalStorage();
      const seen = {};
      const later = new Promise((resolve) => als.run('request-1', () => {
        setTimeout(() => { seen.timer = als.getStore(); resolve(); }, 1);
        als.run('inner', () => { seen.inner = als.getStore(); });
        seen.afterInner = als.getStore();
      }));
      await later;
      seen.awaited = await als.run('async', async () => { await null; await new Promise((r) => setTimeout(r, 1)); return als.getStore(); });
      seen.afterAsync = als.getStore();
      resetStores();
      seen.nextRequest = als.getStore() ?? null;
      console.log(JSON.stringify(seen));
    """)
    assert out == {"timer": "request-1", "inner": "inner", "afterInner": "request-1", "awaited": "async",
                   "afterAsync": "request-1", "nextRequest": None}


def test_node_compat_doc_lists_every_builtin_as_the_map_has_it():
    """docs/node-compat.md: one row per Node built-in; "fails the build" exactly where the
    built-in map (node-compat.mjs) has no stand-in."""
    doc = (NODE_DIR.parents[2] / "docs" / "node-compat.md").read_text()
    rows = {}
    for line in doc.splitlines():
        if line.startswith("| `"):
            name, status, _ = (cell.strip() for cell in line.strip("|").split("|", 2))
            assert name.strip("`") not in rows, f"{name} listed twice"
            rows[name.strip("`")] = status
    out = run("""
      import { builtinModules } from 'node:module';
      import { nodeBuiltins } from './node-compat.mjs';
      console.log(JSON.stringify({ all: builtinModules.filter((n) => !n.startsWith('_')), mapped: Object.keys(nodeBuiltins()) }));
    """)
    assert sorted(rows) == sorted(out["all"])
    failing = {name for name, status in rows.items() if status.startswith("fails the build")}
    assert failing == set(out["all"]) - set(out["mapped"])


INTL_CASES = """
  const at = Date.UTC(2026, 11, 6, 18, 5, 9, 42);
  const cases = {
    nestLogger: new Intl.DateTimeFormat(undefined, { year: 'numeric', hour: 'numeric', minute: 'numeric',
      second: 'numeric', day: '2-digit', month: '2-digit' }).format(at),
    dateDefault: new Intl.DateTimeFormat('en-US').format(at),
    dateLong: new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' }).format(at),
    parts: new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' }).formatToParts(at),
    number: new Intl.NumberFormat().format(1234567.891),
    currency: new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(-1234.5),
    percent: new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(0.1234),
    compact: new Intl.NumberFormat('en', { notation: 'compact' }).format(15300),
    plural: [0, 1, 2, 3, 11, 22, 103].map((n) => new Intl.PluralRules('en', { type: 'ordinal' }).select(n)),
    list: new Intl.ListFormat('en', { type: 'conjunction' }).format(['a', 'b', 'c']),
    relative: new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(-1, 'day'),
    toLocale: new Date(at).toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }),
    numberLocale: (12345.678).toLocaleString('en-US', { maximumFractionDigits: 1 }),
    canonical: Intl.getCanonicalLocales(['EN-us', 'pt-br']),
  };
  console.log(JSON.stringify(cases));
"""


def test_intl_polyfill_formats_as_nodes_icu(tmp_path):
    """The engine has no Intl; intl.mjs (FormatJS) formats English dates, numbers, plurals,
    lists and relative times as Node's ICU does, NestJS's logger timestamp among them."""
    bundled = tmp_path / "intl.mjs"
    subprocess.run([str(NODE_DIR / "node_modules" / ".bin" / "esbuild"), str(NODE_DIR / "intl.mjs"), "--bundle",
                    "--format=esm", "--platform=neutral", f"--outfile={bundled}", "--log-level=warning"],
                   check=True, timeout=60)
    env = {"PATH": os.environ["PATH"], "TZ": "UTC", "LANG": "en_US.UTF-8"}
    def node(script: str) -> object:
        proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                              timeout=60, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)
    native = node(INTL_CASES)
    # Without ICU's Intl, as in the engine: the polyfills install themselves from scratch.
    polyfilled = node("delete globalThis.Intl;\nawait import('./intl.mjs');\n" + INTL_CASES)
    assert polyfilled == native
    assert native["nestLogger"] == "12/06/2026, 6:05:09 PM"


def test_url_querystring_and_os_stand_ins_answer_as_node():
    """node:url (unenv's port of Node's lib/url.js), node:querystring (Node's own code, a stray
    % kept as text) and node:os, bundled as in a component, against Node's own modules."""
    out = run(_stand_in_module() + """
      import * as nodeUrl from 'node:url';
      import * as nodeQs from 'node:querystring';
      import * as nodeOs from 'node:os';
      const cases = (url, qs, os) => ({
        parse: ['http://user:pw@Example.COM:8080/a/../b?x=1&y=%20#h', '//host/p?q', '/just/a/path?x', 'mailto:a@b.c',
                'HTTP://[::1]:3000/x'].map((u) => ({ ...url.parse(u, true) })),
        resolve: url.resolve('http://a.test/b/c/d', '../e?f'),
        format: url.format({ protocol: 'https', hostname: 'a.test', pathname: '/x y', query: { q: 'é' } }),
        file: [url.fileURLToPath('file:///app/a%20b.js'), url.pathToFileURL('/app/%41.js').href],
        unicode: url.domainToUnicode('xn--mnchen-3ya.de'),
        qs: ['d=50%', 'b=%ZZ&b=2', 'x=%E0%A4%A', 'a[b]=1&&=&==3', 'plus=a+b'].map((t) => ({ ...qs.parse(t) })),
        qsOut: qs.stringify({ a: [1, 2], b: 'é &', c: '' }),
        os: [os.EOL, os.platform(), typeof os.constants.signals.SIGTERM, typeof os.tmpdir()],
      });
      const [url, qs, os] = [await standIn('url'), await standIn('querystring'), await standIn('os')];
      console.log(JSON.stringify({ ours: cases(url, qs, os), node: cases(nodeUrl, nodeQs, nodeOs) }));
    """)
    assert out["ours"] == out["node"]


def test_normalize_polyfill_gives_nodes_forms(tmp_path):
    """The engine has no String.prototype.normalize; normalize.mjs (unorm) gives Node's NFC, NFD,
    NFKC and NFKD for Latin, Hangul, compatibility characters and stacked marks."""
    bundled = tmp_path / "normalize.mjs"
    subprocess.run([str(NODE_DIR / "node_modules" / ".bin" / "esbuild"), str(NODE_DIR / "normalize.mjs"), "--bundle",
                    "--format=esm", "--platform=neutral", "--main-fields=module,main", f"--outfile={bundled}",
                    "--log-level=warning"], check=True, timeout=60)
    cases = """
      const texts = ['Crème Brûlée', 'Å', '\\u212B', 'ﬁ①²', '한국어', 'e\\u0301', '\\u1E9B\\u0323', 'Ǆ', 'Água'];
      console.log(JSON.stringify(texts.map((s) => ['NFC', 'NFD', 'NFKC', 'NFKD', undefined].map((f) => s.normalize(f)))));
    """
    native = run(cases)
    polyfilled = run(f"delete String.prototype.normalize;\nawait import({json.dumps(bundled.as_uri())});\n" + cases)
    assert polyfilled == native
    assert native[-1][1] != "Água" and native[-1][1].startswith("A")


def test_buffer_base64_and_hex_match_node():
    """The buffer stand-in's base64, base64url and hex (through the engine's btoa and a table)
    give Node's text, over ranges and past btoa's 8192-byte chunks."""
    out = run(_stand_in_module() + r"""
      const { Buffer: Ours } = await standIn('buffer');
      const bytes = Uint8Array.from({ length: 20000 }, (_, i) => (i * 7919) % 256);
      const texts = (B) => ['base64', 'base64url', 'hex'].flatMap((e) => [
        B.from(bytes).toString(e), B.from(bytes).toString(e, 3, 8200), B.from(bytes.subarray(0, 5)).toString(e),
        B.alloc(0).toString(e), B.from(bytes).toString(e, 10, 2)]);
      const ours = texts(Ours), node = texts(Buffer);
      console.log(JSON.stringify({ same: ours.map((t, i) => t === node[i]), ours: Ours.from('hi').toString('base64') }));
    """)
    assert all(out["same"]) and out["ours"] == "aGk="


def test_bcryptjs_kernel_prelude_goes_into_every_build_of_it(tmp_path):
    """kernels.mjs puts the compiled-EksBlowfish prelude at the start of bcryptjs's _crypt in
    each of its files (the toolchain's 3.x: ESM and UMD), and leaves a bcryptjs whose _crypt
    no longer has that shape as it is, with a warning naming the file."""
    changed = tmp_path / "node_modules" / "bcryptjs"
    changed.mkdir(parents=True)
    (changed / "package.json").write_text('{"name": "bcryptjs"}')
    (changed / "index.js").write_text("function _crypt(bytes, salt, rounds) { return []; }\n")
    out = run(f"""
      import {{ readFileSync }} from 'node:fs';
      import {{ rewrite }} from './kernels.mjs';
      const files = ['node_modules/bcryptjs/index.js', 'node_modules/bcryptjs/umd/index.js'].map((f) => process.cwd() + '/' + f);
      const done = files.map((f) => rewrite(f, readFileSync(f, 'utf8'), '/rt'));
      const changed = rewrite({json.dumps(str(changed / 'index.js'))}, 'function _crypt(bytes, salt, rounds) {{ return []; }}', '/rt');
      const other = rewrite(process.cwd() + '/node_modules/buffer/index.js', 'function _crypt(b, s, r, c, p) {{}}', '/rt');
      console.log(JSON.stringify({{
        inserted: done.map((r) => (r.text.match(/bcryptjsCrypt\\(b, salt, rounds\\)/g) ?? []).length),
        warnings: done.map((r) => r.warning ?? null),
        changed, other: other.text.includes('bcryptjsCrypt'),
      }}));
    """)
    assert out["inserted"] == [1, 1] and out["warnings"] == [None, None]
    assert out["changed"]["text"] == "function _crypt(bytes, salt, rounds) { return []; }"
    assert "bcryptjs" in out["changed"]["warning"] and str(changed / "index.js") in out["changed"]["warning"]
    assert out["other"] is False
