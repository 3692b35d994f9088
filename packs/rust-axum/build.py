"""The rust-axum pack's build: a generated glue crate around the app's crate, compiled to a
wasi:http component.

Usage (from pack.toml)::

    python build.py --source DIR --app DIR --glue DIR --app-fn CRATE::PATH::FN
                    --target-dir DIR --output FILE

``--app`` is the staged copy of the user's crate (its Cargo.toml is rewritten there for the
wasm build: workspace inheritance resolved, see workspace.py, and features adjusted, see
features.py); its path dependencies are staged beside it, in ``crates/``, rewritten the same
way; ``--glue`` holds the rendered ``lib.rs``. Cargo runs with a
target folder shared by every app on the machine, so std (built from source with
``-Zbuild-std``) and common crates compile once. Diagnostics name the user's files; the
first error becomes ``fabricks-error:``/``fabricks-hint:`` lines (docs/packs.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared" / "rust"))
import features  # noqa: E402
import rust_toolchain  # noqa: E402
import workspace  # noqa: E402

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
import tomli_w  # noqa: E402

# Pinned: the glue uses wstd's request conversion, which it keeps public for its own macro.
GLUE_DEPENDENCIES = {
    "wstd": "=0.6.8",
    "wasip2": "1.0",
    "http-body-util": "0.1",
    "tower-service": "0.3",
}
SHIMS = Path(__file__).resolve().parent / "shims"
PROFILE = {"panic": "abort", "debug": False, "codegen-units": 16, "incremental": False}


class Failure(Exception):
    """A build error for the user: ``args`` = (message, hint)."""


def fail(message: str, hint: str = "") -> int:
    print(f"fabricks-error: {message}")
    if hint:
        print(f"fabricks-hint: {hint}")
    return 1


def load_manifest(app: Path, source: Path) -> dict:
    path = app / "Cargo.toml"
    if not path.is_file():
        raise Failure(f"{source}: no Cargo.toml", "A rust app is a Cargo package: its folder holds Cargo.toml.")
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise Failure(f"{source / 'Cargo.toml'}: not valid TOML: {error}", "Fix the file (`cargo metadata` shows the same error).")


def crate_ident(manifest: dict, source: Path) -> str:
    package = manifest.get("package", {})
    if "name" not in package:
        raise Failure(f"{source / 'Cargo.toml'}: no [package] name",
                      "Fabricks builds a package's library; a workspace root needs its member's folder.")
    lib = manifest.get("lib", {})
    return lib.get("name", package["name"]).replace("-", "_")


def main_file(manifest: dict, app: Path) -> Path | None:
    """The crate's binary source (``src/main.rs`` or its one ``[[bin]] path``), if any."""
    bins = manifest.get("bin", [])
    if len(bins) == 1 and "path" in bins[0]:
        return app / bins[0]["path"]
    return app / "src/main.rs" if (app / "src/main.rs").is_file() else None


def check_app(app_fn: str, manifest: dict, app: Path, source: Path) -> Path | None:
    """How the Router is reached (docs/rust-axum.md): None for a library function, or the
    main.rs whose ``axum::serve`` gets it (``app = "main"`` in a crate with no library)."""
    lib_path = app / manifest.get("lib", {}).get("path", "src/lib.rs")
    if lib_path.is_file():
        return None
    main = main_file(manifest, app)
    if app_fn.split("::")[-1] == "main" and main:
        return main
    raise Failure(
        f"{source / 'Cargo.toml'}: the crate has no library target (no {lib_path.relative_to(app)}), "
        f"and app = \"{app_fn}\" names a library function",
        "Set app = \"main\" to serve the Router that main() gives axum::serve, or move its construction "
        "into src/lib.rs as `pub fn app() -> axum::Router` and set app = \"my_crate::app\" "
        "(docs/rust-axum.md shows both).")


def use_shims(manifest: dict, main: Path, ident: str, source: Path) -> None:
    """Compile main.rs as the library, against the stand-in tokio and axum of shims/."""
    manifest["lib"] = {"name": ident, "path": str(main)}
    deps = manifest.get("dependencies", {})
    for key in ("tokio", "axum"):
        if key not in deps:
            raise Failure(f"{source / 'Cargo.toml'}: app = \"main\" needs `{key}` in [dependencies] under that name",
                          "Serving main() replaces tokio's listener and axum::serve; a renamed dependency "
                          "can't be replaced. Use a library function instead (docs/rust-axum.md).")
    deps["tokio"] = {"package": "fabricks-tokio-shim", "path": str(SHIMS / "tokio")}
    deps["axum"] = {"package": "fabricks-axum-shim", "path": str(SHIMS / "axum"),
                    "default-features": False, "features": deps["axum"].get("features", [])}


def qualified(app_fn: str, ident: str) -> str:
    """``app`` as a path from the glue: ``app`` alone means ``<crate>::app``."""
    first, _, rest = app_fn.partition("::")
    if rest and first in (ident, "crate"):
        return f"::{ident}::{rest}"
    return f"::{ident}::{app_fn}"


def write_glue(glue: Path, app: Path, manifest: dict, axum_version: str | None, app_path: str,
               serves_main: bool, source: Path, ws: workspace.Workspace,
               copies: list[tuple[Path, Path, str]]) -> None:
    """The glue crate's Cargo.toml, app_fn.rs and Cargo.lock. ``copies`` are the staged path
    crates as (staged folder, source folder, package name); ``ws`` says what the glue, as
    the build's workspace root, takes from the app's workspace."""
    package = manifest["package"]["name"]
    if not axum_version:
        raise Failure(f"{source / 'Cargo.toml'}: the crate does not depend on axum",
                      "Add axum = \"0.8\" to its [dependencies] (or axum = { workspace = true } in a workspace member).")
    # Panic messages and file!() name the user's files, not the staged copy. Per package (an
    # unstable profile setting; the build runs with RUSTC_BOOTSTRAP), so that std, built with
    # the target's common flags, stays shared between apps.
    remaps = {package: {"rustflags": [f"--remap-path-prefix={app}={source}"]}}
    for staged, original, name in copies:
        remaps.setdefault(name, {"rustflags": [f"--remap-path-prefix={staged}={original}"]})
    cargo: dict = {
        "cargo-features": ["profile-rustflags"],
        "package": {"name": "fabricks-component", "version": "0.0.0", "edition": "2021", "publish": False},
        "lib": {"path": "lib.rs", "crate-type": ["cdylib"]},
        "dependencies": {
            package: {"path": str(app)},
            "axum": {"version": axum_version, "default-features": False},
            **GLUE_DEPENDENCIES,
        },
        "profile": {"release": {**PROFILE, "package": remaps}},
        "workspace": {"resolver": ws.resolver} if ws.resolver else {},
    }
    if ws.patch:
        cargo["patch"] = ws.patch
    if ws.replace:
        cargo["replace"] = ws.replace
    if serves_main:
        cargo["dependencies"]["fabricks-axum-shim"] = {"path": str(SHIMS / "axum")}
        (glue / "app_fn.rs").write_text(
            "/// Runs the app's main once: its `axum::serve` hands over the Router.\n"
            "pub(crate) async fn make_app() -> axum::Router {\n"
            f"    {app_path.rsplit('::', 1)[0]}::__fabricks_main().await;\n"
            "    fabricks_axum_shim::__fabricks_take_router()\n"
            "        .expect(\"main() returned without calling axum::serve(listener, router)\")\n}\n")
    else:
        (glue / "app_fn.rs").write_text(f"pub(crate) use {app_path} as make_app;\n")
    (glue / "Cargo.toml").write_text(tomli_w.dumps(cargo))
    # The app's resolved versions (its workspace's lockfile for a member), which cargo extends
    # with the glue's own dependencies and otherwise keeps.
    if ws.lockfile is not None:
        shutil.copy2(ws.lockfile, glue / "Cargo.lock")


def cargo_command(tc: rust_toolchain.RustToolchain, glue: Path, target_dir: Path) -> tuple[list[str], dict]:
    target = rust_toolchain.TARGET
    rustflags = ["-L", f"native={tc.wasi_libc}", "-C", "link-arg=--wasi-adapter=proxy"]
    argv = [str(tc.cargo), "build", "--release", "--lib", "--target", target,
            "-Zbuild-std=std,panic_abort", "--manifest-path", str(glue / "Cargo.toml"),
            "--message-format=json",
            "--config", f"target.{target}.linker={json.dumps(str(tc.component_linker))}",
            "--config", f"target.{target}.rustflags={json.dumps(rustflags)}"]
    env = dict(os.environ, RUSTC=str(tc.rustc), RUSTC_BOOTSTRAP="1", CARGO_TARGET_DIR=str(target_dir))
    env.pop("RUSTFLAGS", None)
    return argv, env


def explain(message: dict, copies: list[tuple[Path, Path]], glue: Path, app_fn: str) -> tuple[str, str]:
    """The first compiler error as (message, hint), with the user's paths. ``copies``: the
    (staged folder, source folder) pairs, the app's first."""
    text = message.get("message", "error")
    spans = [s for s in message.get("spans", []) if s.get("is_primary")] or message.get("spans", [])
    where = ""
    if spans:
        file = Path(spans[0]["file_name"])
        if not file.is_absolute():
            file = glue / file
        for staged, original in copies:
            if file.is_relative_to(staged):
                file = original / file.relative_to(staged)
        if any(file.is_relative_to(original) for _, original in copies):  # remapped already (see write_glue)
            where = f"{file}:{spans[0]['line_start']}: "
        elif str(file).startswith(str(glue) + os.sep):
            where = "the generated glue: "
    hint = "Fix the code at that line (the build uses the crate's own sources, unchanged)."
    if "axum::serve" in text or "`serve` in `axum`" in text or "`net` in `tokio`" in text or "TcpListener" in text:
        hint = ("axum::serve and tokio::net need a socket; on wasi:http the host owns the accept loop. Keep "
                "them in src/main.rs (not built into the component) and return the Router from a library "
                "function (docs/rust-axum.md).")
    elif where == "the generated glue: ":
        hint = (f"The Fabrickfile's app = \"{app_fn}\" must name a `pub fn` (or `pub async fn`) with no "
                "arguments that returns axum::Router (with its state already given by .with_state).")
    return where + text, hint


def build(args: argparse.Namespace) -> int:
    source, app, glue = Path(args.source), Path(args.app), Path(args.glue)
    try:
        tc = rust_toolchain.find()
    except rust_toolchain.ToolchainMissing as error:
        return fail(str(error), rust_toolchain.INSTALL_HINT)
    dropped: list[str] = []

    def prepare(crate: dict, crate_source: Path, where: str) -> None:
        # A path dependency as cargo reads it: its own workspace's values, then the feature policy.
        workspace.resolve(crate, crate_source, where, check=False)
        dropped.extend(features.adjust(crate, where).dropped)

    try:
        manifest = load_manifest(app, source)
        ws = workspace.resolve(manifest, source, str(source / "Cargo.toml"))
        ident = crate_ident(manifest, source)
        main = check_app(args.app_fn, manifest, app, source)
        adjusted = features.adjust(manifest, str(source / "Cargo.toml"))
        dropped.extend(adjusted.dropped)
        # The user's path crates are staged; the stand-ins of shims/ are Fabricks' own and stay
        # where they are (the glue names them there too: two copies would collide in the lockfile).
        staged = workspace.stage_path_crates(manifest, app.parent / "crates", prepare)
        if main:
            use_shims(manifest, main, ident, source)
        copies = [(s, o, tomllib.loads((s / "Cargo.toml").read_text())["package"]["name"]) for s, o in staged]
        write_glue(glue, app, manifest, adjusted.axum_version, qualified(args.app_fn, ident), bool(main), source,
                   ws, copies)
    except (Failure, features.UnsupportedFeature, workspace.WorkspaceError) as error:
        return fail(*error.args)
    pairs = [(app, source)] + [(s, o) for s, o, _ in copies]
    (app / "Cargo.toml").write_text(tomli_w.dumps(manifest))
    if dropped:
        print("rust-axum: features left out of the component (the host serves it): "
              + ", ".join(dict.fromkeys(dropped)), file=sys.stderr)

    argv, env = cargo_command(tc, glue, Path(args.target_dir))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env, cwd=glue, text=True)
    first_error, artifact = None, None
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        reason = message.get("reason")
        if reason == "compiler-message":
            diagnostic = message["message"]
            rendered = diagnostic.get("rendered") or ""
            for staged_dir, original in pairs:
                rendered = rendered.replace(str(staged_dir) + os.sep, str(original) + os.sep)
            if diagnostic.get("level") == "error" and first_error is None:
                first_error = diagnostic
            sys.stderr.write(rendered)  # the whole of it shows with `fabricks --verbose`
        elif reason == "compiler-artifact" and "cdylib" in message.get("target", {}).get("kind", []):
            artifact = next((f for f in message.get("filenames", []) if f.endswith(".wasm")), None)
    code = proc.wait()
    if code != 0:
        if first_error is not None:
            return fail(*explain(first_error, pairs, glue, args.app_fn))
        return fail(f"cargo failed (exit {code}) before compiling {source.name}; its messages are above",
                    "Dependency resolution needs crates.io (or a vendored source); `cargo fetch` in the "
                    "app's folder shows the same error.")
    if not artifact:
        return fail("cargo finished without producing the component's .wasm", "Run with --verbose to see cargo's output.")
    shutil.copyfile(artifact, args.output)
    write_dependency_report(glue, source)
    return 0


def write_dependency_report(glue: Path, source: Path) -> None:
    """``{glue}/fabricks-dependencies.json`` from the glue crate's Cargo.lock: the crates the
    component was resolved with (docs/packs.md). Registry crates are ``index``; the app and its
    path crates ``path``; the stand-ins of shims/ ``fabricks``; the glue itself is left out."""
    lock = glue / "Cargo.lock"
    if not lock.is_file():
        return
    packages = []
    for entry in tomllib.loads(lock.read_text()).get("package", []):
        name, version, origin = entry["name"], entry["version"], entry.get("source", "")
        if name == "fabricks-component":
            continue
        kind = "index" if origin.startswith("registry+") else "fabricks" if name.startswith("fabricks-") else \
            "path" if not origin else "git"
        packages.append({"name": name, "version": version, "source": kind, "purl": f"pkg:cargo/{name}@{version}"})
    manifest = "Cargo.toml (Cargo.lock)" if (source / "Cargo.lock").is_file() else "Cargo.toml"
    (glue / "fabricks-dependencies.json").write_text(json.dumps(
        {"ecosystem": "cargo", "declared_in": manifest, "packages": packages}, indent=2) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("source", "app", "glue", "app-fn", "target-dir", "output"):
        parser.add_argument(f"--{name}", required=True)
    return build(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
