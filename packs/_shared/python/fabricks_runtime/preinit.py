"""Build-time initialization (pre-initialization) of a Python web app.

componentize-py runs the entry module at BUILD time and snapshots the heap; every
instance of the component starts from that snapshot. This module does what must
happen before the snapshot:

1. import the app, with top-level ``app.run()``-style server calls made inert
   (the host owns the accept loop) and listening sockets harmless;
2. record what the import baked in that should not be: environment variables
   read while unset, random bytes drawn (secret keys);
3. import the modules that would otherwise be imported lazily, first at
   request time, when the interpreter's standard library is no longer there;
4. (the pack's own module) send warm-up requests through the real bridge;
5. write a JSON report that the orchestrator turns into warnings or an error.

The report (``fabricks-report.json`` beside the config) has the shape
``{"error": {"message", "hint", "file", "line"} | null, "warnings": [{"message",
"hint", "file", "line"}], "warmup": [{"path", "status"}]}``; files are guest paths.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import random
import socket
import sys
import traceback
from pathlib import Path

from . import hashlib_compat, ssl_compat, threads_compat
from .loader import AppLoadError, load_app


class Report:
    """Findings collected during pre-initialization, written as JSON."""

    def __init__(self, path: Path, app_root: str) -> None:
        self.path, self.app_root = path, app_root
        self.data: dict = {"error": None, "warnings": [], "warmup": []}

    def app_frame(self, tb=None):
        """The innermost stack frame inside the app folder, as ``(file, line)``."""
        frames = traceback.extract_tb(tb) if tb is not None else traceback.extract_stack()
        for frame in reversed(frames):
            if frame.filename.startswith(self.app_root + "/"):
                return frame.filename, frame.lineno
        return None, None

    def app_caller(self):
        """``(file, line)`` of app code that called into the standard library here, directly.

        Calls made by libraries (Flask reading FLASK_DEBUG) are the library's
        business and are not reported: only the app's own reads are.
        """
        stdlib = os.path.dirname(os.__file__)
        for frame in reversed(traceback.extract_stack()[:-1]):
            if frame.filename == __file__ or frame.filename.startswith(stdlib) or frame.filename.startswith("<"):
                continue
            if frame.filename.startswith(self.app_root + "/"):
                return frame.filename, frame.lineno
            return None, None
        return None, None

    def warn(self, message: str, hint: str, file=None, line=None) -> None:
        entry = {"message": message, "hint": hint, "file": file, "line": line}
        if entry not in self.data["warnings"]:
            self.data["warnings"].append(entry)

    def fail(self, message: str, hint: str, file=None, line=None) -> None:
        self.data["error"] = {"message": message, "hint": hint, "file": file, "line": line}
        self.write()

    def write(self) -> None:
        self.path.write_text(json.dumps(self.data, indent=2))


class RecordingEnviron(os._Environ):
    """``os.environ`` that notes reads of variables unset at build time, until :meth:`stop`.

    A module that kept a reference (``from os import environ``: OpenTelemetry) keeps this
    object after the import, so it must then cost nothing: noting a read walks the stack and
    reads source lines, which per request cost a FastAPI app half its time.
    """

    def __init__(self, base, on_missing) -> None:
        super().__init__(base._data, base.encodekey, base.decodekey, base.encodevalue, base.decodevalue)
        self._on_missing = on_missing

    def stop(self) -> None:
        """Behave as the plain ``os.environ`` from now on."""
        self._on_missing = None

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            if self._on_missing is not None:
                self._on_missing(key)
            raise

    def __contains__(self, key) -> bool:
        found = super().__contains__(key)
        if not found and self._on_missing is not None:
            self._on_missing(key)
        return found


def neutralize(targets: list[str], report: Report) -> list[tuple[object, str, object]]:
    """Replace blocking server entry points (``"flask:Flask.run"``) with no-ops."""
    saved = []
    for target in targets:
        module_name, _, attr_path = target.partition(":")
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            continue
        *parents, name = attr_path.split(".")
        for parent in parents:
            owner = getattr(owner, parent, None)
        if owner is None or not hasattr(owner, name):
            continue
        original = getattr(owner, name)

        def skipped(*args, _target=target, **kwargs):
            file, line = report.app_frame()
            if file is None:
                return None
            report.warn(f"{_target.replace(':', '.')}() at the top level of the app was skipped at build time",
                        "The host owns the accept loop and calls the app per request; the call is harmless "
                        "but does nothing in a component. Guard it with `if __name__ == \"__main__\":`.",
                        file, line)
            return None

        setattr(owner, name, skipped)
        saved.append((owner, name, original))
    return saved


NO_SOCKETS = ("inside a WebAssembly component the host owns the accept loop and calls the app per "
              "request. Remove the server start-up from the module's top level, or guard it with "
              "`if __name__ == \"__main__\":`.")


class SocketGuard:
    """While the app is imported, listening sockets are inert: ``bind``/``listen`` do
    nothing (with a warning), ``accept`` fails loudly instead of waiting forever."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.saved = {}

    def __enter__(self) -> "SocketGuard":
        report = self.report

        def bind(sock, address):
            file, line = report.app_frame()
            report.warn(f"the app binds a socket to {address!r} at import time; nothing listens there",
                        NO_SOCKETS, file, line)

        def listen(sock, *args):
            return None

        def accept(sock):
            raise OSError(f"accept() on a listening socket would wait forever: {NO_SOCKETS}")

        for name, func in (("bind", bind), ("listen", listen), ("accept", accept)):
            self.saved[name] = getattr(socket.socket, name)
            setattr(socket.socket, name, func)
        return self

    def __exit__(self, *exc) -> None:
        for name, func in self.saved.items():
            setattr(socket.socket, name, func)


# Standard-library modules never imported by ``":stdlib"``: tools, GUIs, tests, and
# modules that start processes or threads on import or need what WASI lacks.
STDLIB_SKIP = frozenset({
    "antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "test", "unittest", "lib2to3",
    "ensurepip", "venv", "pydoc", "pydoc_data", "curses", "dbm", "multiprocessing", "msvcrt", "winreg",
    "winsound", "nt", "_winapi", "_msi", "msilib", "ctypes", "readline", "pty", "tty", "termios",
    "webbrowser", "__phello__", "xxsubtype", "_pyrepl", "sqlite3.dump", "concurrent.futures.process",
    "asyncio", "_ssl", "crypt", "nis", "ossaudiodev", "spwd", "sndhdr", "audioop", "cgi", "cgitb",
})


def expand(modules: list[str]) -> list[str]:
    """``":stdlib"`` stands for every standard-library module but STDLIB_SKIP."""
    out = []
    for name in modules:
        if name == ":stdlib":
            out += sorted(n for n in sys.stdlib_module_names if n not in STDLIB_SKIP and not n.startswith("_"))
        else:
            out.append(name)
    return out


def preload(modules: list[str], report: Report) -> int:
    """Import ``modules``; ``"pkg.*"`` imports the package and all its submodules."""
    count = 0
    for name in expand(modules):
        recursive = name.endswith(".*")
        name = name.removesuffix(".*")
        try:
            module = importlib.import_module(name)
            count += 1
        except Exception:
            continue
        if recursive and hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, name + ".", onerror=lambda _: None):
                if info.name in STDLIB_SKIP or ".test" in info.name:
                    continue
                try:
                    importlib.import_module(info.name)
                    count += 1
                except Exception:
                    pass
    return count


class StdlibGuard:
    """A last-resort finder: a stdlib module first imported at request time is missing
    (the interpreter's library exists only at build time); say so and how to fix it."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in sys.stdlib_module_names:
            raise ModuleNotFoundError(
                f"No module named {name!r}: it was first imported at request time, but the standard library "
                f"is only available while the component is built. Add \"{name}\" to `preload` in the "
                f"[python] table of the Fabrickfile.", name=name)
        return None


DEPENDENCY_REPORT = "fabricks-dependencies.json"
# In the component's CPython for wasm32-wasi, not built (no OpenSSL, no threads, no
# processes, no libffi, no liblzma/libbz2): docs/python-native.md.
STDLIB_ABSENT = frozenset({"_hashlib", "_multiprocessing", "_ctypes", "ctypes", "_lzma", "lzma",
                           "_bz2", "bz2", "mmap", "_curses", "readline", "_tkinter", "_dbm", "_gdbm"})


def declared_in() -> str:
    """Where the app's dependencies were declared, from the staged dependencies' report."""
    for entry in sys.path:
        path = Path(entry) / DEPENDENCY_REPORT
        if path.is_file():
            try:
                return json.loads(path.read_text()).get("declared_in") or "no manifest"
            except ValueError:
                break
    return "no manifest"


def missing_module(error: ModuleNotFoundError) -> tuple[str, str]:
    """The message and hint for a module the app imports that the component lacks."""
    name = error.name or str(error)
    top = name.partition(".")[0]
    if top in sys.stdlib_module_names:
        return (f"the app imports {name!r}, a standard-library module that the component's CPython "
                f"{sys.version_info[0]}.{sys.version_info[1]} for WASI does not have"
                + (" (it is built without it)" if top in STDLIB_ABSENT else ""),
                "Make the import optional (try/except ImportError) or avoid the module; "
                "docs/python-native.md lists what is missing and why.")
    source = declared_in()
    manifest = source.split(" ")[0] if source != "no manifest" else "requirements.txt"
    where = f"the app's declared dependencies ({source})" if source != "no manifest" else \
        "the app's declared dependencies: the app folder has no requirements.txt or pyproject.toml"
    return (f"the app imports {top!r}, which is not among {where}",
            f"Add the distribution that provides {top!r} to {manifest}"
            + (" (or [project].dependencies)" if manifest == "pyproject.toml" else "")
            + ". A component holds only what the app declares, never the build machine's own packages.")


def import_app(config_path: str, kind: str = "WSGI application",
               signature: str = "A WSGI application is a callable app(environ, start_response) (PEP 3333)."):
    """Import the app as ``config_path`` (the pack's rendered config) says and preload modules.

    Returns ``(app, report, config)``; the caller warms the app up, then calls
    :func:`finish`. Raises SystemExit(1) after writing the report when the app
    can't be loaded.
    """
    config = json.loads(Path(config_path).read_text())
    report = Report(Path(config_path).with_name("fabricks-report.json"), config["app_root"])
    install_compat()  # before the app's import: its top level may do `from hashlib import pbkdf2_hmac`
    unset_reads: dict[str, tuple] = {}
    random_draws: list[tuple] = []

    def on_missing(key):
        file, line = report.app_caller()
        if file is not None:
            unset_reads.setdefault(key, (file, line))

    original_environ, original_urandom = os.environ, os.urandom
    importing = [True]  # as for the environ: `from os import urandom` keeps this function

    def recording_urandom(n):
        if importing[0]:
            file, line = report.app_caller()
            if file is not None:
                random_draws.append((file, line))
        return original_urandom(n)

    recording_environ = os.environ = RecordingEnviron(original_environ, on_missing)
    os.urandom = random._urandom = recording_urandom
    saved = neutralize(config.get("neutralize", []), report)
    try:
        with SocketGuard(report):
            app = load_app(config["app"], kind, signature)
    except AppLoadError as error:
        report.fail(error.message, error.hint, error.filename, error.lineno)
        raise SystemExit(1)
    except SyntaxError as error:
        report.fail(f"syntax error: {error.msg}", "Fix the syntax error; the app is imported at build time.",
                    error.filename, error.lineno)
        raise SystemExit(1)
    except ModuleNotFoundError as error:
        file, line = report.app_frame(error.__traceback__)
        top = (error.name or "").partition(".")[0]
        if top and not any((Path(config["app_root"]) / f).exists() for f in (top, top + ".py")):
            report.fail(*missing_module(error), file, line)
            raise SystemExit(1)
        report.fail(f"importing the app raised {type(error).__name__}: {error}",
                    "The app imports a module of its own that is not in the app folder; fix the import.",
                    file, line)
        raise SystemExit(1)
    except BaseException as error:
        file, line = report.app_frame(error.__traceback__)
        report.fail(f"importing the app raised {type(error).__name__}: {error}",
                    "The app's module runs at build time (pre-initialization); fix the error above, "
                    "or move code that needs the running service into a request handler.", file, line)
        raise SystemExit(1)
    finally:
        recording_environ.stop()
        importing[0] = False
        os.environ, os.urandom, random._urandom = original_environ, original_urandom, original_urandom
        for owner, name, original in saved:
            setattr(owner, name, original)

    granted = set(config.get("env", []))
    for key, (file, line) in unset_reads.items():
        hint = (f"{key} is granted at run time, but a value read at import is fixed in the snapshot: read it "
                f"inside a request (or in a function called then) so the run-time value is used."
                if key in granted else
                f"Read it inside a request instead, and grant it in the Fabrickfile: [capabilities] env = [\"{key}\"].")
        report.warn(f"the app read the environment variable {key} while it was imported at build time, when it "
                    f"was not set: the fallback it took is baked into the component", hint, file, line)
    for file, line in random_draws[:1]:
        report.warn("the app drew random bytes (os.urandom/secrets) while it was imported at build time: the "
                    "value, a secret key perhaps, is baked into the component, the same in every instance and "
                    "readable by anyone with the .wasm file",
                    "Read secrets from an environment variable granted in [capabilities] env, inside a request.",
                    file, line)
    preload(config.get("preload", []), report)
    install_outgoing(config)
    return app, report, config


def install_compat() -> None:
    """Install what the component's CPython lacks and apps import: hashlib's pbkdf2_hmac and
    scrypt, an `ssl` module (TLS is the host's: httpx, urllib3, PyJWT import it), and a thread
    start that says why it fails."""
    hashlib_compat.install()
    ssl_compat.install()
    threads_compat.install()


def install_outgoing(config: dict) -> None:
    """Send outbound HTTP through the host (wasi:http/outgoing-handler), for every client the
    app may use, to the hosts ``config["network"]`` grants."""
    # Imported here, not at the top: the WASI bindings exist only inside the component.
    from . import outgoing, outgoing_adapters  # noqa: PLC0415

    outgoing.install(config.get("network", []))
    outgoing_adapters.install()


def finish(report: Report) -> None:
    """Install the run-time guard for stdlib imports and write the report: the last build-time step."""
    sys.meta_path.append(StdlibGuard())
    report.write()
