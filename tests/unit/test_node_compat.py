"""The Node stand-ins' pure parts, run on the host's Node: module paths, \\p{} lowering,
request header folding, the V8 stack trace API, and the built-in map."""

from __future__ import annotations

import json
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
      import { nodeBuiltins } from './node-compat.mjs';
      console.log(JSON.stringify(Object.entries(nodeBuiltins()).filter(([, file]) => !existsSync(file))));
    """)
    assert out == []


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
