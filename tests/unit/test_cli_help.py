"""The CLI's help texts, as a user reads them."""

from __future__ import annotations

from typer.testing import CliRunner

from fabricks.cli import app


def test_help_keeps_bracketed_fabrickfile_tables():
    """Rich markup would read "[serve]" and "[info]" as style tags and drop them."""
    runner = CliRunner()
    serve = runner.invoke(app, ["service", "run", "--help"], env={"COLUMNS": "200"})
    adapt = runner.invoke(app, ["adapt", "--help"], env={"COLUMNS": "200"})
    # Compared as one line: the help is wrapped to the terminal.
    assert "default: [serve] port or 8080" in " ".join(serve.output.split())
    assert "default: [info] name or the folder" in " ".join(adapt.output.split())
