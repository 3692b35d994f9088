"""The build-time recording of environment reads stops with the app's import: a module that
kept ``os.environ`` (``from os import environ``) must not pay for it per request."""

from __future__ import annotations

import os

from fabricks_runtime.preinit import RecordingEnviron


def test_reads_of_unset_variables_are_noted_until_stopped():
    noted = []
    environ = RecordingEnviron(os.environ, noted.append)
    assert "FABRICKS_TEST_UNSET_1" not in environ
    assert environ.get("FABRICKS_TEST_UNSET_2") is None
    environ.stop()
    assert "FABRICKS_TEST_UNSET_3" not in environ
    assert environ.get("FABRICKS_TEST_UNSET_4", "fallback") == "fallback"
    assert list(dict.fromkeys(noted)) == ["FABRICKS_TEST_UNSET_1", "FABRICKS_TEST_UNSET_2"]  # `in` may note twice


def test_a_stopped_recording_environ_still_reads_and_writes_the_real_one(monkeypatch):
    monkeypatch.setenv("FABRICKS_TEST_SET", "1")
    environ = RecordingEnviron(os.environ, lambda key: None)
    environ.stop()
    assert environ["FABRICKS_TEST_SET"] == "1" and "FABRICKS_TEST_SET" in environ
