"""The lifespan protocol (asgiref "Lifespan Protocol" 2.0) in its three modes."""

from __future__ import annotations

import asyncio
import io

import pytest

from fabricks_asgi.lifespan import (
    LifespanFailure,
    LifespanOff,
    LifespanOn,
    LifespanPhase,
    make_lifespan,
)

TIMEOUT = 5


def run(coro):
    """Run ``coro`` on a fresh loop; a hang fails the test instead of blocking it."""
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


def cycle(app, mode="auto", between=None):
    """Start up, optionally run ``between(lifespan)``, shut down. Returns the lifespan and the log."""
    errors = io.StringIO()
    lifespan = make_lifespan(app, mode, errors)

    async def main():
        await asyncio.wait_for(lifespan.startup(), TIMEOUT)
        if between is not None:
            await asyncio.wait_for(between(lifespan), TIMEOUT)
        await asyncio.wait_for(lifespan.shutdown(), TIMEOUT)

    run(main())
    return lifespan, errors.getvalue()


def failure_of(app, mode="auto", stage="startup"):
    """Run until ``stage`` raises; returns the LifespanFailure and the log."""
    errors = io.StringIO()
    lifespan = make_lifespan(app, mode, errors)

    async def main():
        await asyncio.wait_for(lifespan.startup(), TIMEOUT)
        await asyncio.wait_for(lifespan.shutdown(), TIMEOUT)

    with pytest.raises(LifespanFailure) as info:
        run(main())
    assert stage in str(info.value), str(info.value)
    return info.value, errors.getvalue()


def lifespan_app(events: list, *, startup=None, shutdown=None, state=None):
    """A well-behaved lifespan app; ``startup``/``shutdown`` replace the complete messages."""
    async def app(scope, receive, send):
        assert scope["type"] == "lifespan"
        events.append(("scope", scope["asgi"]))
        while True:
            message = await receive()
            events.append(message["type"])
            if message["type"] == "lifespan.startup":
                scope["state"].update(state or {})
                await send(startup or {"type": "lifespan.startup.complete"})
            else:
                await send(shutdown or {"type": "lifespan.shutdown.complete"})
                return
    return app


async def http_only_app(scope, receive, send):
    """A typical app without lifespan support: it refuses other scope types."""
    assert scope["type"] == "http"


async def returns_at_once(scope, receive, send):
    pass


async def answers_like_http(scope, receive, send):
    await receive()
    await send({"type": "http.response.start", "status": 200})


NO_LIFESPAN = [http_only_app, returns_at_once, answers_like_http]


class TestSupportedApp:
    def test_startup_and_shutdown_complete_in_order(self):
        events = []
        seen_between = []

        async def between(lifespan):
            seen_between.append((list(events), lifespan.phase, lifespan.task.done()))

        lifespan, errors = cycle(lifespan_app(events), between=between)
        assert events == [("scope", {"version": "3.0", "spec_version": "2.0"}), "lifespan.startup",
                          "lifespan.shutdown"]
        # Between startup and shutdown the app's task stays alive, awaiting receive().
        assert seen_between == [(events[:2], LifespanPhase.RUNNING, False)]
        assert lifespan.phase is LifespanPhase.COMPLETE and errors == ""

    def test_state_set_at_startup_is_the_lifespan_state(self):
        lifespan, _ = cycle(lifespan_app([], state={"pool": "db"}))
        assert lifespan.state == {"pool": "db"}

    def test_on_mode_works_the_same(self):
        events = []
        lifespan, errors = cycle(lifespan_app(events), mode="on")
        assert events[1:] == ["lifespan.startup", "lifespan.shutdown"] and errors == ""

    def test_app_returning_after_startup_makes_shutdown_a_no_op(self):
        async def app(scope, receive, send):
            await receive()
            await send({"type": "lifespan.startup.complete"})

        lifespan, errors = cycle(app, mode="on")
        assert lifespan.phase is LifespanPhase.COMPLETE and errors == ""

    def test_startup_twice_is_an_error(self):
        lifespan = make_lifespan(lifespan_app([]), "auto", io.StringIO())

        async def main():
            await asyncio.wait_for(lifespan.startup(), TIMEOUT)
            with pytest.raises(RuntimeError, match="called twice"):
                await asyncio.wait_for(lifespan.startup(), TIMEOUT)

        run(main())


class TestFailedMessages:
    @pytest.mark.parametrize("mode", ["auto", "on"])
    def test_startup_failed_is_a_failure_with_the_apps_message(self, mode):
        app = lifespan_app([], startup={"type": "lifespan.startup.failed", "message": "no database"})
        failure, errors = failure_of(app, mode)
        assert str(failure) == "lifespan.startup.failed: no database"
        assert "no database" in errors

    def test_startup_failed_without_a_message_says_so(self):
        failure, _ = failure_of(lifespan_app([], startup={"type": "lifespan.startup.failed"}))
        assert str(failure) == "lifespan.startup.failed: (no message)"

    @pytest.mark.parametrize("mode", ["auto", "on"])
    def test_shutdown_failed_is_a_failure_with_the_apps_message(self, mode):
        app = lifespan_app([], shutdown={"type": "lifespan.shutdown.failed", "message": "pool stuck"})
        failure, _ = failure_of(app, mode, stage="shutdown")
        assert str(failure) == "lifespan.shutdown.failed: pool stuck"

    def test_a_failure_is_raised_once(self):
        lifespan = make_lifespan(lifespan_app([], startup={"type": "lifespan.startup.failed"}), "on", io.StringIO())

        async def main():
            with pytest.raises(LifespanFailure):
                await asyncio.wait_for(lifespan.startup(), TIMEOUT)
            await asyncio.wait_for(lifespan.shutdown(), TIMEOUT)

        run(main())

    def test_app_raising_after_sending_startup_failed_keeps_the_apps_message(self):
        async def app(scope, receive, send):
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "bad config"})
            raise RuntimeError("bad config")

        failure, errors = failure_of(app, "auto")
        assert str(failure) == "lifespan.startup.failed: bad config" and "Traceback" not in errors


class TestUnsupportedApp:
    @pytest.mark.parametrize("app", NO_LIFESPAN, ids=lambda app: app.__name__)
    def test_app_without_lifespan_support_is_fine_in_auto_mode(self, app):
        lifespan, errors = cycle(app, mode="auto")
        assert lifespan.phase is LifespanPhase.UNSUPPORTED and lifespan.state == {}
        assert errors.count("\n") == 1 and "appears unsupported" in errors

    def test_unsupported_log_line_says_why(self):
        _, errors = cycle(answers_like_http, mode="auto")
        assert "sent 'http.response.start' in reply to lifespan.startup" in errors

    @pytest.mark.parametrize("app", NO_LIFESPAN, ids=lambda app: app.__name__)
    def test_app_without_lifespan_support_is_a_failure_in_on_mode(self, app):
        failure, _ = failure_of(app, mode="on")
        assert str(failure).startswith("lifespan startup failed: ")

    def test_crash_during_startup_in_on_mode_is_logged_with_traceback(self):
        async def app(scope, receive, send):
            await receive()
            raise ConnectionRefusedError("database down")

        failure, errors = failure_of(app, mode="on")
        assert "ConnectionRefusedError: database down" in str(failure)
        assert "Traceback" in errors and isinstance(failure.__cause__, ConnectionRefusedError)

    def test_crash_during_startup_in_auto_mode_is_one_line(self):
        async def app(scope, receive, send):
            await receive()
            raise ConnectionRefusedError("database down")

        _, errors = cycle(app, mode="auto")
        assert "ConnectionRefusedError: database down" in errors and "Traceback" not in errors


class TestProtocolErrors:
    @pytest.mark.parametrize("mode", ["auto", "on"])
    def test_wrong_lifespan_message_is_a_failure_even_in_auto_mode(self, mode):
        app = lifespan_app([], startup={"type": "lifespan.shutdown.complete"})
        failure, _ = failure_of(app, mode)
        assert "unexpected ASGI message 'lifespan.shutdown.complete' in lifespan phase STARTUP" in str(failure)

    def test_sending_before_receiving_startup_is_a_failure(self):
        async def app(scope, receive, send):
            await send({"type": "lifespan.startup.complete"})

        failure, _ = failure_of(app, "auto")
        assert "phase CONNECTING" in str(failure)

    @pytest.mark.parametrize("mode", ["auto", "on"])
    def test_crash_after_startup_is_reported_by_shutdown(self, mode):
        async def app(scope, receive, send):
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            raise RuntimeError("cleanup crashed")

        failure, errors = failure_of(app, mode, stage="after startup")
        assert "RuntimeError: cleanup crashed" in str(failure) and "Traceback" in errors


class TestModes:
    def test_off_mode_never_calls_the_app(self):
        called = []

        async def app(scope, receive, send):
            called.append(scope)

        lifespan, errors = cycle(app, mode="off")
        assert isinstance(lifespan, LifespanOff) and called == [] and lifespan.state == {} and errors == ""

    @pytest.mark.parametrize("mode", ["auto", "on"])
    def test_auto_and_on_are_the_real_lifespan(self, mode):
        assert isinstance(make_lifespan(returns_at_once, mode), LifespanOn)

    def test_unknown_mode_is_rejected_with_the_choices(self):
        with pytest.raises(ValueError) as info:
            make_lifespan(returns_at_once, "yes")
        assert str(info.value) == "lifespan mode 'yes' is not one of 'auto', 'on', 'off'"


class TestStarlette:
    @pytest.fixture
    def starlette(self):
        return pytest.importorskip("starlette.applications")

    def test_state_from_a_lifespan_context_manager(self, starlette):
        from contextlib import asynccontextmanager

        closed = []

        @asynccontextmanager
        async def lifespan(app):
            yield {"pool": "db"}
            closed.append(True)

        result, errors = cycle(starlette.Starlette(lifespan=lifespan), mode="on")
        assert result.state == {"pool": "db"} and closed == [True] and errors == ""

    @pytest.mark.parametrize("mode", ["auto", "on"])
    def test_startup_exception_becomes_startup_failed(self, starlette, mode):
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def lifespan(app):
            raise RuntimeError("cannot reach the database")
            yield

        failure, _ = failure_of(starlette.Starlette(lifespan=lifespan), mode)
        assert str(failure).startswith("lifespan.startup.failed: ") and "cannot reach the database" in str(failure)
