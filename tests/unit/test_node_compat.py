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
