"""Run componentize-py with exactly the module search path given, and nothing else.

Run by the Python packs' build step, on the orchestrator's interpreter:

    python componentize.py --wit WIT --world WORLD -p APP -p DEPS -p GLUE --output OUT.wasm ENTRY \
        [--plug-into SHELL.wasm --host FABRICKS_HOST]

With ``--plug-into``, the component componentize-py makes is plugged into that one, its
exports satisfying that one's imports (``fabricks-host plug``): the Python packs' shell
(packs/_shared/python/shell), so OUT.wasm exports what the shell exports.

componentize-py's command line appends a site-packages folder of the build machine to
``-p``: the active virtual environment's (``VIRTUAL_ENV``), ``pipenv --venv``'s, or
whatever ``python3`` on PATH reports (``site.getsitepackages()``), so a component could
import packages the app never declared, at whatever version the build machine had
(componentize-py ``src/command.rs``, ``find_site_packages``). Its Python API takes the
path as given, so the component holds the app, its staged dependencies and the glue only.
Each ``-p`` folder is mounted at ``/0``, ``/1``, ... in order, as with the command line.

Exit status 1 with componentize-py's error on stderr when the build fails, and that error in
one ``fabricks-error:`` line on stdout (the tool output protocol, docs/packs.md): its text is
an anyhow chain whose useful lines ("Caused by:") come before pages of stack backtrace, which
the orchestrator's usual tail of the output would show instead.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path


def error_summary(text: str) -> str:
    """componentize-py's error in one line: the message's first line (or, for a Python
    traceback, its exception line) and each "Caused by:" entry, without stack backtraces.

    ``text`` is anyhow's ``{:?}`` form: a message, then blocks that start with ``Caused by:``
    (entries ``N: cause``, or one unnumbered cause) or ``Stack backtrace:``.
    """
    message: list[str] = []
    causes: list[str] = []
    block = message
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "Caused by:":
            block = causes
        elif stripped == "Stack backtrace:":
            block = None
        elif stripped and block is not None:
            block.append(re.sub(r"^\d+: ", "", stripped) if block is causes else line.rstrip())
    head = ""
    if any(line.startswith("Traceback (most recent call last):") for line in message):
        head = next((line for line in reversed(message) if not line[:1].isspace()), "")
    elif message:
        head = message[0].strip()
    parts = [part for part in dict.fromkeys([head, *causes]) if part]
    return ": ".join(parts) or "componentize-py failed without saying why"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wit", type=Path, required=True, help="WIT folder")
    parser.add_argument("--world", required=True, help="the world the component targets")
    parser.add_argument("-p", "--python-path", action="append", default=[], dest="path",
                        help="a folder on the component's module search path (repeatable, in order)")
    parser.add_argument("--output", type=Path, required=True, help="the component to write")
    parser.add_argument("--plug-into", type=Path, help="a component to plug the one built into (the shell)")
    parser.add_argument("--host", default="fabricks-host", help="fabricks-host, which plugs it")
    parser.add_argument("app_name", help="the entry module (imported at build time)")
    args = parser.parse_args(argv)
    built = args.output if args.plug_into is None else args.output.with_name(args.output.name + ".app")

    missing = [p for p in args.path if not Path(p).is_dir()]
    if missing:
        # componentize-py drops missing folders silently, which would shift every later mount.
        print(f"fabricks-error: the component's search path names missing folders: {', '.join(missing)}")
        return 1
    try:
        import componentize_py  # noqa: PLC0415 - reported below when absent
    except ImportError as error:
        print(f"fabricks-error: componentize-py is not installed for {sys.executable} ({error})")
        print("fabricks-hint: Run `make setup` in the Fabricks checkout (it pins componentize-py).")
        return 1
    try:
        componentize_py.componentize(
            wit_path=[args.wit], worlds=[args.world], features=[], all_features=False, world_module=None,
            python_path=list(args.path), module_worlds=[], app_name=args.app_name, output_path=built,
            stub_wasi=False, import_interface_names=[], export_interface_names=[], full_names=False,
            intersect_world=None,
        )
    except AssertionError as error:  # componentize-py raises every failure as AssertionError
        print(error, file=sys.stderr)
        print(f"fabricks-error: componentize-py could not build the component: {error_summary(str(error))}")
        print("fabricks-hint: Run again with --verbose for componentize-py's whole output.")
        return 1
    if args.plug_into is not None:
        return plug(args.host, args.plug_into, built, args.output)
    print("Component built successfully")
    return 0


def plug(host: str, socket: Path, built: Path, output: Path) -> int:
    """Plug ``built`` into ``socket``, writing ``output``; ``built`` is removed either way."""
    try:
        run = subprocess.run([host, "plug", str(socket), str(built), str(output)], capture_output=True, text=True)
    except OSError as error:
        run = subprocess.CompletedProcess([], 1, "", str(error))
    finally:
        built.unlink(missing_ok=True)
    if run.returncode != 0:
        said = (run.stderr or run.stdout).strip().replace("\n", " ")
        print(said, file=sys.stderr)
        print(f"fabricks-error: the app's component could not be plugged into the wasi:http shell: {said}")
        print("fabricks-hint: Run `make setup` in the Fabricks checkout (it builds fabricks-host, which plugs it).")
        return 1
    print("Component built successfully")
    return 0


if __name__ == "__main__":
    sys.exit(main())
