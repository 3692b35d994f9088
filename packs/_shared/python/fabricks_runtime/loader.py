"""Load an app from a gunicorn-style ``"module:attribute"`` string.

Forms: ``"main:app"``, ``"pkg.wsgi:application"``, ``"main"`` (attribute
``application``, as gunicorn), ``"app:create_app()"`` and calls with literal
arguments (``"app:create_app('prod')"``).
"""

from __future__ import annotations

import ast
import importlib


class AppLoadError(Exception):
    """The import string names nothing usable. ``lineno``/``filename`` when known."""

    def __init__(self, message: str, hint: str, filename: str | None = None, lineno: int | None = None):
        super().__init__(message)
        self.message, self.hint, self.filename, self.lineno = message, hint, filename, lineno


def parse_target(spec: str) -> tuple[str, str]:
    module, _, attr = spec.partition(":")
    return module.strip(), attr.strip() or "application"


def evaluate(module, expression: str, spec: str):
    """Evaluate ``name``, ``a.b`` or ``f(literal, ...)`` against ``module``."""
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise AppLoadError(f"{expression!r} in {spec!r} is not an attribute name or a call",
                           "Use the form module:attribute, e.g. main:app, or main:create_app().") from None
    args, kwargs = [], {}
    if isinstance(node, ast.Call):
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        except ValueError:
            raise AppLoadError(f"the call in {spec!r} may only pass literal arguments",
                               "e.g. main:create_app() or main:create_app('production').") from None
        call, node = True, node.func
    else:
        call = False
    parts = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise AppLoadError(f"{expression!r} in {spec!r} is not an attribute name",
                           "Use the form module:attribute, e.g. main:app.")
    parts.insert(0, node.id)
    obj = module
    for i, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            where = module.__name__ + ("." + ".".join(parts[:i]) if i else "")
            candidates = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")
                          and not isinstance(v, type) and getattr(v, "__module__", "") != "builtins"][:8]
            raise AppLoadError(
                f"attribute {part!r} not found in {where} (from {spec!r})",
                "Set `app` to module:attribute naming the application object"
                + (f"; {module.__name__} defines: {', '.join(candidates)}." if candidates else "."),
                filename=getattr(module, "__file__", None),
            ) from None
    if call:
        obj = obj(*args, **kwargs)
    return obj


def load_app(spec: str, kind: str = "WSGI application",
             signature: str = "A WSGI application is a callable app(environ, start_response) (PEP 3333)."):
    """Import and return the app named by ``spec``; ``kind``/``signature`` word the errors.

    Raises:
        AppLoadError: the module or attribute does not exist, or is not callable.
        SyntaxError, ImportError, ...: raised inside the user's own module, passed
            through untouched (they are the user's bug, not a wrong import string).
    """
    module_name, attr = parse_target(spec)
    if not module_name:
        raise AppLoadError(f"app {spec!r} names no module", "Use the form module:attribute, e.g. main:app.")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and (module_name == error.name or module_name.startswith(error.name + ".")):
            raise AppLoadError(
                f"module {module_name!r} (from app {spec!r}) was not found in the app folder",
                "`app` is module:attribute with the module's dotted path relative to the app folder, "
                "e.g. main:app for main.py, or mysite.wsgi:application for mysite/wsgi.py.",
            ) from None
        raise
    app = evaluate(module, attr, spec)
    if not callable(app):
        raise AppLoadError(f"{spec!r} is {type(app).__name__}, not a {kind}", signature,
                           filename=getattr(module, "__file__", None))
    return app


__all__ = ["AppLoadError", "load_app", "parse_target"]
