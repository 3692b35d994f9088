"""The ``fabricks`` command line: parsing and rendering only.

Every command resolves a :class:`~fabricks.resolve.BuildSpec`, runs the
:mod:`~fabricks.pipeline`, and (for ``service run``) hands the results to
:mod:`~fabricks.services`, which runs the hosts. Expected failures (:class:`~fabricks.errors.FabricksError`)
are rendered once, here, as a short paragraph; a traceback only with ``--verbose``.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__, export, host, oci, services, toolchain
from .errors import ExportError, FabricksError, PushError
from .packs import Registry
from .pipeline import BuildResult, build
from .resolve import BuildSpec, Flags, resolve

# Help texts are plain text: with rich markup on, "[serve] port" lost its "[serve]".
app = typer.Typer(help="Run existing web apps as WebAssembly components on any wasi:http host.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)
service_app = typer.Typer(help="Build and serve apps.", no_args_is_help=True, rich_markup_mode=None)
packs_app = typer.Typer(help="Adapter packs.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(service_app, name="service")
app.add_typer(packs_app, name="packs")

console = Console(stderr=True, highlight=False)
out = Console(highlight=False)
STATE = {"verbose": False}

PacksOpt = Annotated[Optional[list[Path]], typer.Option("--packs", help="Extra folder of packs (repeatable); also FABRICKS_PACKS_PATH.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Stream tool output; tracebacks on errors.")]


class RichReporter:
    """Renders pipeline phases as ``✓ phase  detail  0.4s`` lines, with a spinner meanwhile."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose

    @contextlib.contextmanager
    def phase(self, name: str, detail: str = "") -> Iterator[None]:
        started = time.monotonic()
        status = None if self.verbose else console.status(f"[bold]{name}[/] {escape(detail)}")
        if status:
            status.start()
        elif self.verbose:
            console.print(f"[bold cyan]→ {name}[/] {escape(detail)}")
        try:
            yield
        except BaseException:
            if status:
                status.stop()
            console.print(f"[red]✗ {name:<13}[/] {escape(detail)}")
            raise
        if status:
            status.stop()
        console.print(f"[green]✓[/] {name:<13} [dim]{escape(detail)}  {time.monotonic() - started:.1f}s[/]")

    def output(self, line: str) -> None:
        console.print(f"[dim]  │ {escape(line)}[/]")

    def warning(self, message: str) -> None:
        console.print(f"[yellow]warning:[/] {escape(message)}")


def render_error(error: FabricksError) -> None:
    location = f"{error.location}: " if error.location else ""
    console.print(f"[bold red]error[/] ({error.phase}): {escape(location + error.message)}")
    if error.hint:
        console.print(f"  {escape(error.hint)}")
    if error.output:
        console.print("[dim]  last lines of the tool's output:[/]")
        for line in error.output.splitlines():
            console.print(f"[dim]  │ {escape(line)}[/]")


def guarded(func):
    """Run a command body inside the one error boundary."""
    try:
        return func()
    except FabricksError as error:
        if STATE["verbose"]:
            console.print_exception()
        render_error(error)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        console.print("interrupted")
        raise typer.Exit(130)
    except typer.Exit:
        raise
    except Exception as error:  # an unexpected bug: short message unless --verbose
        if STATE["verbose"]:
            console.print_exception()
        else:
            console.print(f"[bold red]internal error[/]: {type(error).__name__}: {escape(str(error))}\n"
                          "  This is a bug in Fabricks; run again with --verbose for the traceback.")
        raise typer.Exit(70)


def resolve_and_show(path: Path, flags: Flags, packs: list[Path] | None) -> BuildSpec:
    spec = resolve(path, Registry.discover(packs), flags)
    origin = spec.origin
    console.print(f"[bold]{escape(spec.name)}[/]: {spec.language} / {spec.framework} / "
                  f"{escape(spec.app)}  [dim](pack {spec.pack.name})[/]")
    if spec.guessed:
        guessed = ", ".join(f"{k} from {v.removeprefix('detected (').rstrip(')')}"
                            for k, v in origin.items() if v.startswith("detected"))
        console.print(f"[yellow]guessed[/] {escape(guessed)}. To pin it, put this in "
                      f"{escape(str(spec.app_dir / 'Fabrickfile'))}:")
        console.print(escape(spec.pin_snippet()), markup=True)
    return spec


def do_build(spec: BuildSpec, verbose: bool, force: bool = False) -> BuildResult:
    result = build(spec, RichReporter(verbose), verbose=verbose, force=force)
    how = "unchanged, from cache" if result.cached else "built"
    console.print(f"[green]{how}[/] in {result.seconds:.1f}s")
    for found in result.dependencies:
        console.print(f"[dim]{escape(found.summary())}[/]")
    return result


@app.callback(invoke_without_command=True)
def main_callback(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False) -> None:
    if version:
        out.print(f"fabricks {__version__}")
        raise typer.Exit()


@app.command()
def adapt(
    path: Annotated[Path, typer.Argument(help="The app's folder.")] = Path("."),
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language: python, nodejs, rust.")] = None,
    framework: Annotated[Optional[str], typer.Option(help="Framework (`fabricks packs list` shows them).")] = None,
    app_ref: Annotated[Optional[str], typer.Option("--app", help="The app object, e.g. main:app.")] = None,
    name: Annotated[Optional[str], typer.Option(help="Service name (default: [info] name or the folder).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Where to write the .wasm component.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when cached.")] = False,
    packs: PacksOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Build the app in PATH into a wasi:http component and say where it is."""
    STATE["verbose"] = verbose

    def body() -> None:
        spec = resolve_and_show(path, Flags(lang, framework, app_ref, name), packs)
        result = do_build(spec, verbose, force)
        target = output or spec.app_dir / ".fabricks" / f"{spec.name}.wasm"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(result.wasm, tmp)
        tmp.replace(target)
        size = target.stat().st_size / 1e6
        out.print(f"component: {target} ({size:.1f} MB, exports {', '.join(spec.pack.exports)})")
        if result.dependencies and (result.directory / "sbom.cdx.json").is_file():
            listed = target.with_suffix(".cdx.json")
            shutil.copyfile(result.directory / "sbom.cdx.json", listed)
            count = sum(len(d.packages) for d in result.dependencies)
            out.print(f"dependencies: {count} package{'s' if count != 1 else ''}, listed in {listed} (CycloneDX)")
        out.print(f"precompiled for fabricks-host: {result.cwasm}")

    guarded(body)


@service_app.command("run")
def service_run(
    paths: Annotated[list[Path], typer.Argument(help="One or more app folders, served side by side.")],
    port: Annotated[Optional[int], typer.Option(help="Port of the first service (default: [serve] port or 8080); the next get the following ports.")] = None,
    fresh_instances: Annotated[bool, typer.Option("--fresh-instances", help="A new instance per request (no state kept between requests).")] = False,
    env: Annotated[Optional[list[str]], typer.Option("--env", help="Grant an env var: NAME or NAME=value (repeatable).")] = None,
    dirs: Annotated[Optional[list[str]], typer.Option("--dir", help="Grant a folder read-write: PATH or PATH::GUEST (repeatable).")] = None,
    network: Annotated[Optional[str], typer.Option(help="Name a network: each service gets <NAME>_URL env vars for the others, and may call them.")] = None,
    connect: Annotated[Optional[list[str]], typer.Option("--connect", help="Grant an outbound host HOST:PORT for this run (repeatable; * for a label or the port), over [capabilities] network.connect.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang")] = None,
    framework: Annotated[Optional[str], typer.Option()] = None,
    app_ref: Annotated[Optional[str], typer.Option("--app")] = None,
    packs: PacksOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Build (cached) and serve apps with fabricks-host on 127.0.0.1, until Ctrl-C."""
    STATE["verbose"] = verbose

    def body() -> None:
        flags = Flags(lang, framework, app_ref, None, tuple(env or ()), (), tuple(dirs or ()))
        results = [do_build(resolve_and_show(p, flags, packs), verbose) for p in paths]
        planned = services.plan(results, port=port, fresh_instances=fresh_instances, network=network,
                                connect=tuple(connect or ()), verbose=verbose)
        for p in planned:
            for note in host.grants(p.result, p.environ)[2]:
                console.print(f"[yellow]warning:[/] {escape(note)}")
        lock = threading.Lock()
        width = max(len(r.spec.name) for r in results)

        def on_line(name: str, line: str) -> None:
            with lock:
                out.print(f"[cyan]{escape(name.ljust(width))}[/] | {escape(line)}", soft_wrap=True)

        def terminate(signum, frame):
            # A supervisor's SIGTERM stops the hosts too (they run in their own process groups).
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, terminate)
        supervisor = services.Supervisor(planned, on_line)
        try:
            supervisor.start()
            for p in planned:
                reuse = p.options.instance_reuse
                mode = ("a fresh instance per request" if reuse == 1 else
                        "instances reused" if reuse == 0 else f"instances reused up to {reuse} requests")
                console.print(f"[green]serving[/] [bold]{escape(p.result.spec.name)}[/] on {p.url}  [dim]({mode})[/]")
            console.print("[dim]Ctrl-C to stop[/]")
            supervisor.wait()
        except KeyboardInterrupt:
            console.print("stopping")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            supervisor.stop()

    guarded(body)


def _build_time(result: BuildResult) -> str:
    """The build's time (RFC 3339), so re-pushing one build gives one artifact digest."""
    import json as _json

    meta = result.directory / "meta.json"
    try:
        return _json.loads(meta.read_text())["built"]
    except (OSError, ValueError, KeyError):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@app.command()
def push(
    path: Annotated[Path, typer.Argument(help="The app's folder.")],
    reference: Annotated[str, typer.Argument(metavar="REF", help="Where to push: REGISTRY/REPOSITORY[:TAG], e.g. ghcr.io/you/shop:1.0.")],
    username: Annotated[Optional[str], typer.Option("--username", "-u", help="Registry user; the password is read from stdin (--password-stdin). Default: ~/.docker/config.json's credentials.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password (or token) from standard input.")] = False,
    plain_http: Annotated[bool, typer.Option("--plain-http", help="Talk HTTP, not HTTPS (a local registry).")] = False,
    lang: Annotated[Optional[str], typer.Option("--lang")] = None,
    framework: Annotated[Optional[str], typer.Option()] = None,
    app_ref: Annotated[Optional[str], typer.Option("--app")] = None,
    packs: PacksOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Build (cached) and push the component to an OCI registry as a Wasm OCI artifact; print its digest."""
    STATE["verbose"] = verbose

    def body() -> None:
        if password_stdin and not username:
            raise PushError("--password-stdin needs --username")
        if username and not password_stdin:
            raise PushError("--username needs the password on standard input: pass --password-stdin",
                            hint="e.g. echo \"$TOKEN\" | fabricks push APP REF --username you --password-stdin")
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        ref = oci.parse_reference(reference)
        result = do_build(resolve_and_show(path, Flags(lang, framework, app_ref), packs), verbose)
        if result.mounts:
            console.print(f"[yellow]warning:[/] {escape(result.spec.name)}'s pack expects folders beside the "
                          "component (its staged files); the artifact holds the .wasm only. See docs/deploy.md.")
        with RichReporter(verbose).phase("push", str(ref)):
            pushed = oci.push(result.wasm, ref, name=result.spec.name, created=_build_time(result),
                              username=username, password=password, plain_http=plain_http)
        console.print(f"[green]pushed[/] {escape(str(ref))} ({pushed.layer_size / 1e6:.1f} MB, "
                      f"layer {pushed.layer_digest[:19]})")
        out.print(pushed.digest)

    guarded(body)


@app.command("export")
def export_cmd(
    paths: Annotated[list[Path], typer.Argument(help="One or more app folders, exported into one deployment.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="spin, spinkube or wasmcloud.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The folder to write the manifests (and copies) into.")],
    image: Annotated[Optional[list[str]], typer.Option("--image", help="A pushed reference: REF, or NAME=REF per service (repeatable). Required for spinkube (the Spin app's) and wasmcloud.")] = None,
    route: Annotated[Optional[list[str]], typer.Option("--route", help="An HTTP route: /prefix/..., or NAME=/prefix/... per service (repeatable). Default for one service: /...")] = None,
    replicas: Annotated[int, typer.Option("--replicas", help="Replicas (spinkube, wasmcloud).")] = export.DEFAULT_REPLICAS,
    name: Annotated[Optional[str], typer.Option("--name", help="The application's name (default: the services' names).")] = None,
    plain_http: Annotated[bool, typer.Option("--plain-http", help="--image registries speak HTTP (spin sources by URL).")] = False,
    env: Annotated[Optional[list[str]], typer.Option("--env", help="Grant an env var: NAME or NAME=value (repeatable).")] = None,
    packs: PacksOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Write the deployment manifests of apps for Spin, SpinKube or wasmCloud (builds, cached)."""
    STATE["verbose"] = verbose

    def body() -> None:
        if fmt not in export.FORMATS:  # before any build
            raise ExportError(f"unknown format {fmt!r}", hint=f"Known formats: {', '.join(export.FORMATS)}.")
        flags = Flags(env=tuple(env or ()))
        results = [do_build(resolve_and_show(p, flags, packs), verbose) for p in paths]
        routes = export.parse_assignments(route or [], [r.spec.name for r in results], "--route")
        components = [export.Component.from_build(r, routes.get(r.spec.name)) for r in results]
        plan = export.plan(fmt, components, images=tuple(image or ()), replicas=replicas, name=name,
                           plain_http=plain_http)
        for message in plan.warnings:
            console.print(f"[yellow]warning:[/] {escape(message)}")
        for written in export.write(plan, output):
            out.print(f"wrote {written}")

    guarded(body)


@packs_app.command("list")
def packs_list(packs: PacksOpt = None) -> None:
    """List the adapter packs found, with their languages and frameworks."""

    def body() -> None:
        table = Table("pack", "language", "frameworks", "serves", "folder", box=None)
        for pack in Registry.discover(packs).packs:
            table.add_row(pack.name, pack.language, ", ".join(pack.frameworks), escape(pack.summary), str(pack.root))
        out.print(table)

    guarded(body)


@app.command()
def doctor(packs: PacksOpt = None) -> None:
    """Check that every tool the host and the packs need is installed and runs."""

    def body() -> None:
        registry = Registry.discover(packs)
        table = Table("tool", "needed by", "status", box=None)
        failed = 0
        seen = set()
        for tool, owner in [(t, "host") for t in toolchain.HOST_TOOLS] + [
                (t, p.name) for p in registry.packs for t in p.tools]:
            if tool.name in seen:
                continue
            seen.add(tool.name)
            try:
                found = toolchain.version(tool, install=False)
                color = "yellow" if found.startswith(("not installed yet", "not built yet")) else "green"
                table.add_row(tool.name, owner, f"[{color}]{escape(found)}[/]")
            except FabricksError as error:
                failed += 1
                table.add_row(tool.name, owner, f"[red]{escape(error.message)}[/]\n{escape(error.hint or '')}")
        out.print(table)
        out.print(f"python {sys.version.split()[0]} at {sys.executable}")
        if failed:
            raise typer.Exit(1)

    guarded(body)


def main() -> None:
    """Console-script entry point."""
    app()
