"""The WASI event loop, driven on the host with fake pollables: timers, waits, inline executor."""

from __future__ import annotations

import asyncio
import time

import pytest

from fabricks_asgi.loop import WasiEventLoop


class FakePollable:
    def __init__(self, ready_at: float) -> None:
        self.ready_at = ready_at
        self.dropped = False

    def ready(self) -> bool:
        return time.monotonic() >= self.ready_at

    def __exit__(self, *exc) -> None:
        self.dropped = True


def fake_poll(pollables):
    """wasi:io/poll.poll: block until at least one is ready; return the ready indexes."""
    assert pollables, "poll() with nothing to wait for would block forever"
    while True:
        ready = [i for i, p in enumerate(pollables) if p.ready()]
        if ready:
            return ready
        time.sleep(min(p.ready_at for p in pollables) - time.monotonic())


def sleep_pollable(nanoseconds: int) -> FakePollable:
    return FakePollable(time.monotonic() + nanoseconds / 1e9)


@pytest.fixture
def loop():
    loop = WasiEventLoop(fake_poll, sleep_pollable)
    yield loop
    loop.close()


def test_asyncio_sleep_waits_about_the_time_asked(loop):
    started = time.monotonic()
    loop.run_until_complete(asyncio.sleep(0.05))
    assert 0.04 < time.monotonic() - started < 1


def test_wait_for_times_out(loop):
    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(10), timeout=0.05)
        return "timed out"

    assert loop.run_until_complete(main()) == "timed out"


def test_timers_fire_in_order(loop):
    fired = []
    loop.call_later(0.03, fired.append, "b")
    loop.call_later(0.01, fired.append, "a")
    loop.run_until_complete(asyncio.sleep(0.05))
    assert fired == ["a", "b"]


def test_a_task_waits_for_its_pollable_and_it_is_dropped(loop):
    pollable = FakePollable(time.monotonic() + 0.02)

    async def main():
        await loop.wait_for(pollable)
        return "ready"

    assert loop.run_until_complete(main()) == "ready" and pollable.dropped


def test_pollable_and_timer_together(loop):
    pollable = FakePollable(time.monotonic() + 0.05)
    order = []

    async def waiter():
        await loop.wait_for(pollable)
        order.append("pollable")

    async def sleeper():
        await asyncio.sleep(0.01)
        order.append("timer")

    async def main():
        await asyncio.gather(waiter(), sleeper())

    loop.run_until_complete(main())
    assert order == ["timer", "pollable"]


def test_to_thread_runs_inline(loop):
    def blocking(x):
        return x * 2

    assert loop.run_until_complete(asyncio.to_thread(blocking, 21)) == 42


def test_executor_exception_reaches_the_awaiting_task(loop):
    def broken():
        raise ValueError("inline")

    async def main():
        with pytest.raises(ValueError, match="inline"):
            await loop.run_in_executor(None, broken)
        return True

    assert loop.run_until_complete(main())


def test_a_task_left_pending_survives_to_the_next_run(loop):
    """The lifespan task lives across requests: one run_until_complete per request."""
    event = asyncio.Event()
    done = []

    async def background():
        await event.wait()
        done.append(True)

    task = loop.create_task(background())
    loop.run_until_complete(asyncio.sleep(0))
    assert not task.done()

    async def second_request():
        event.set()
        await asyncio.sleep(0)

    loop.run_until_complete(second_request())
    loop.run_until_complete(task)
    assert done == [True]


def test_waiting_on_nothing_is_an_error_not_a_hang(loop):
    async def stuck():
        await loop.create_future()

    with pytest.raises(RuntimeError, match="nothing to wait for"):
        loop.run_until_complete(stuck())


def test_a_cancelled_wait_drops_its_pollable(loop):
    never = FakePollable(time.monotonic() + 3600)

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(loop.wait_for(never), timeout=0.02)
        await asyncio.sleep(0.01)  # one more turn of the loop, which drops it

    loop.run_until_complete(main())
    assert never.dropped and loop._selector.waiting == []
