"""An asyncio event loop over ``wasi:io/poll``, with timers, for wasi:http 0.2 components.

componentize-py's own ``poll_loop.PollLoop`` has no clock (``asyncio.sleep``, ``wait_for``
and timeouts fail). This loop is ``asyncio.BaseEventLoop`` (timers, call_soon, tasks and
futures exactly as CPython schedules them) with a "selector" whose ``select(timeout)`` is
one ``wasi:io/poll.poll`` over the pollables being awaited plus, for the timeout, a
``wasi:clocks/monotonic-clock.subscribe-duration`` pollable. There are no threads:
``run_in_executor`` (and so ``asyncio.to_thread``) runs the function inline.

The WASI functions are injected (``poll``, ``sleep_pollable``) so the loop is testable on
a host with fakes; :func:`wasi_loop` wires the real ones.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import sys
import threading
from typing import Any, Callable, Sequence


class PollSelector:
    """The loop's selector: waits on WASI pollables (each with a future to resolve)."""

    def __init__(self, poll: Callable[[Sequence[Any]], Sequence[int]], sleep_pollable: Callable[[int], Any]) -> None:
        self.poll = poll
        self.sleep_pollable = sleep_pollable
        self.waiting: list[tuple[Any, asyncio.Future]] = []

    def select(self, timeout: float | None) -> list[tuple[Any, asyncio.Future]]:
        """Block until a pollable is ready or ``timeout`` seconds pass; return the ready ones."""
        live = []
        for pollable, future in self.waiting:
            if future.cancelled():  # its task gave up (a timeout): stop polling it
                pollable.__exit__(None, None, None)
            else:
                live.append((pollable, future))
        self.waiting = live
        if not self.waiting and timeout == 0:
            # asyncio asks with timeout 0 whenever callbacks are ready: with nothing to poll
            # there is nothing to ask the host (a timer pollable and a poll call saved).
            return []
        if not self.waiting and timeout is None:
            raise RuntimeError("the event loop has nothing to wait for: every task is blocked on "
                               "something that will never happen (a thread or a socket?)")
        pollables = [p for p, _ in self.waiting]
        timer = None
        if timeout is not None:
            timer = self.sleep_pollable(max(0, int(timeout * 1_000_000_000)))
            pollables.append(timer)
        ready = set(self.poll(pollables))
        if timer is not None:
            timer.__exit__(None, None, None)
        events, still = [], []
        for index, entry in enumerate(self.waiting):
            (events if index in ready else still).append(entry)
        self.waiting = still
        return events


class WasiEventLoop(asyncio.base_events.BaseEventLoop):
    """asyncio's base loop, waiting on WASI pollables. One per component instance."""

    def __init__(self, poll, sleep_pollable) -> None:
        super().__init__()
        self._selector = PollSelector(poll, sleep_pollable)

    async def wait_for(self, pollable) -> None:
        """Suspend the calling task until ``pollable`` is ready (it is dropped afterwards)."""
        future = self.create_future()
        self._selector.waiting.append((pollable, future))
        await future

    def _process_events(self, event_list) -> None:
        for pollable, future in event_list:
            pollable.__exit__(None, None, None)
            if not future.done():
                future.set_result(None)

    def _write_to_self(self) -> None:
        # No other thread can wake the loop: there are no threads.
        pass

    def run_task(self, coro):
        """Run ``coro`` in a new Task until it is done; return its result or raise its exception.

        What ``run_until_complete(coro)`` does (the loop is running, ``current_task()`` is the
        Task, callbacks run in asyncio's order), without what that costs a request that never
        waits: a done callback, a stop, a second loop iteration and each iteration's clock
        read (a host call in the component). While no timer is scheduled, no pollable awaited
        and no stop asked for, the ready callbacks run here as ``_run_once`` runs them;
        otherwise each turn is ``_run_once`` itself. In debug mode it is ``run_until_complete``.

        Raises RuntimeError as ``run_until_complete`` does: when ``loop.stop()`` is called before
        the Task is done, when the loop is already running or closed, and when nothing the Task
        awaits can ever complete (:class:`PollSelector`).
        """
        if self._debug:  # slow-callback warnings and coroutine origins: the full loop
            return self.run_until_complete(coro)
        self._enter()
        task = self.create_task(coro)
        task._log_destroy_pending = False
        ready = self._ready
        try:
            while not task.done() and not self._stopping:
                if self._scheduled or self._selector.waiting or not ready:
                    self._run_once()
                    continue
                for _ in range(len(ready)):
                    handle = ready.popleft()
                    if not handle._cancelled:
                        handle._run()
        except BaseException:
            if task.done() and not task.cancelled():
                task.exception()  # the caller gets it raised: not logged as never retrieved
            raise
        finally:
            self._leave()
        if not task.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return task.result()

    def _enter(self) -> None:
        """Mark the loop running, as ``run_forever`` does before its first iteration."""
        setup = getattr(super(), "_run_forever_setup", None)
        if setup is not None:  # CPython 3.13+, the component's 3.14
            setup()
            return
        # Older CPython (the host's unit tests): what 3.13's _run_forever_setup does.
        self._check_closed()
        self._check_running()
        self._old_agen_hooks = sys.get_asyncgen_hooks()
        self._thread_id = threading.get_ident()
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook)
        asyncio.events._set_running_loop(self)

    def _leave(self) -> None:
        """Undo :meth:`_enter`, as ``run_forever`` does when it returns."""
        cleanup = getattr(super(), "_run_forever_cleanup", None)
        if cleanup is not None:
            cleanup()
            return
        self._stopping = False
        self._thread_id = None
        asyncio.events._set_running_loop(None)
        sys.set_asyncgen_hooks(*self._old_agen_hooks)
        self._old_agen_hooks = None

    def run_in_executor(self, executor, func, *args) -> asyncio.Future:
        """Run ``func(*args)`` now, inline (no threads in WASI); return a finished future."""
        future = self.create_future()
        try:
            future.set_result(func(*args))
        except BaseException as error:  # noqa: BLE001 - delivered to the awaiting task
            future.set_exception(error)
        return future


def wasi_loop() -> WasiEventLoop:
    """The loop wired to ``wasi:io/poll`` and ``wasi:clocks/monotonic-clock`` (component only)."""
    from wit_world.imports import monotonic_clock, poll

    return WasiEventLoop(poll.poll, monotonic_clock.subscribe_duration)
