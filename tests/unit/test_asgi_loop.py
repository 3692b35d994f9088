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


@pytest.fixture(params=["run_until_complete", "run_task"])
def run(request, loop):
    """Each test once through asyncio's own driver and once through the bridge's run_task."""
    return getattr(loop, request.param)


def test_asyncio_sleep_waits_about_the_time_asked(loop, run):
    started = time.monotonic()
    run(asyncio.sleep(0.05))
    assert 0.04 < time.monotonic() - started < 1


def test_wait_for_times_out(loop, run):
    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(10), timeout=0.05)
        return "timed out"

    assert run(main()) == "timed out"


def test_timers_fire_in_order(loop, run):
    fired = []
    loop.call_later(0.03, fired.append, "b")
    loop.call_later(0.01, fired.append, "a")
    run(asyncio.sleep(0.05))
    assert fired == ["a", "b"]


def test_a_task_waits_for_its_pollable_and_it_is_dropped(loop, run):
    pollable = FakePollable(time.monotonic() + 0.02)

    async def main():
        await loop.wait_for(pollable)
        return "ready"

    assert run(main()) == "ready" and pollable.dropped


def test_pollable_and_timer_together(loop, run):
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

    run(main())
    assert order == ["timer", "pollable"]


def test_to_thread_runs_inline(loop, run):
    def blocking(x):
        return x * 2

    assert run(asyncio.to_thread(blocking, 21)) == 42


def test_executor_exception_reaches_the_awaiting_task(loop, run):
    def broken():
        raise ValueError("inline")

    async def main():
        with pytest.raises(ValueError, match="inline"):
            await loop.run_in_executor(None, broken)
        return True

    assert run(main())


def test_a_task_left_pending_survives_to_the_next_run(loop, run):
    """The lifespan task lives across requests: one run_until_complete per request."""
    event = asyncio.Event()
    done = []

    async def background():
        await event.wait()
        done.append(True)

    task = loop.create_task(background())
    run(asyncio.sleep(0))
    assert not task.done()

    async def second_request():
        event.set()
        await asyncio.sleep(0)

    run(second_request())

    async def join():
        await task

    run(join())
    assert done == [True]


def test_waiting_on_nothing_is_an_error_not_a_hang(loop, run):
    async def stuck():
        await loop.create_future()

    with pytest.raises(RuntimeError, match="nothing to wait for"):
        run(stuck())


def test_a_cancelled_wait_drops_its_pollable(loop, run):
    never = FakePollable(time.monotonic() + 3600)

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(loop.wait_for(never), timeout=0.02)
        await asyncio.sleep(0.01)  # one more turn of the loop, which drops it

    run(main())
    assert never.dropped and loop._selector.waiting == []


def test_run_task_runs_callbacks_in_asyncio_order(loop):
    """Tasks, call_soon callbacks and sleep(0) interleave as run_until_complete runs them."""

    def scenario(runner):
        order = []

        async def worker(name):
            for step in range(3):
                order.append(f"{name}{step}")
                await asyncio.sleep(0)

        async def main():
            loop.call_soon(order.append, "soon")
            others = [loop.create_task(worker(n)) for n in "ab"]
            order.append("main")
            await asyncio.sleep(0)
            order.append("main again")
            await asyncio.gather(*others)
            return order

        return runner(main())

    assert scenario(loop.run_task) == scenario(loop.run_until_complete)


def test_run_task_is_the_running_loop_and_task_only_while_it_runs(loop):
    async def main():
        return asyncio.get_running_loop(), asyncio.current_task()

    running, task = loop.run_task(main())
    assert running is loop and task is not None and task.done()
    assert asyncio.events._get_running_loop() is None and not loop.is_running()


def test_run_task_raises_the_task_exception_and_the_loop_serves_on(loop):
    async def broken():
        raise KeyError("app")

    with pytest.raises(KeyError, match="app"):
        loop.run_task(broken())
    assert not loop.is_running()

    async def fine():
        return "next request"

    assert loop.run_task(fine()) == "next request"


def test_run_task_stopped_before_the_task_is_done_raises(loop):
    async def stopper():
        loop.stop()
        await asyncio.sleep(0.01)

    with pytest.raises(RuntimeError, match="stopped before"):
        loop.run_task(stopper())
    assert loop.run_task(asyncio.sleep(0, result=1)) == 1


def test_run_task_inside_a_running_loop_is_refused(loop):
    async def nested():
        inner = asyncio.sleep(0)
        try:
            loop.run_task(inner)
        finally:
            inner.close()

    with pytest.raises(RuntimeError, match="already running"):
        loop.run_task(nested())
