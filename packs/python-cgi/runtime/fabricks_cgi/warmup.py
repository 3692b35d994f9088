"""Build-time initialization of CGI scripts (pre-initialization).

The scripts are compiled, not run: a script's top level is its request handling, and running
it at build time could write files or call out. A syntax error fails the build, naming the
script and the line. See :mod:`fabricks_runtime.preinit`.
"""

from __future__ import annotations

import json
from pathlib import Path

from fabricks_runtime.preinit import Report, finish, install_compat, install_outgoing, preload

from .gateway import Gateway, load_scripts

HINT = ('Set app under [python] in the Fabrickfile to the script (app = "hello.py", serving every path) '
        'or to the folder of scripts (app = "cgi-bin", each served at /cgi-bin/<file>).')


def initialize(config_path: str) -> tuple[Gateway, dict]:
    """Compile the scripts the config's ``app`` names; return the WSGI gateway and the config.

    Raises SystemExit(1) after writing the report when a script does not compile or ``app``
    names no script.
    """
    config = json.loads(Path(config_path).read_text())
    report = Report(Path(config_path).with_name("fabricks-report.json"), config["app_root"])
    install_compat()
    try:
        scripts = load_scripts(config["app_root"], config["app"])
    except SyntaxError as error:
        report.fail(f"syntax error: {error.msg}", "Fix the syntax error; CGI scripts are compiled at build time.",
                    error.filename, error.lineno)
        raise SystemExit(1)
    except FileNotFoundError as error:
        report.fail(str(error), HINT)
        raise SystemExit(1)
    if not scripts:
        report.fail(f"the folder {config['app']!r} holds no CGI script (*.py or *.cgi)", HINT)
        raise SystemExit(1)
    preload(config.get("preload", []), report)
    install_outgoing(config)
    finish(report)
    return Gateway(scripts), config
