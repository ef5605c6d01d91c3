"""How the command and its worker processes end: together, whatever ends the command.

- SIGTERM and SIGHUP (a CI runner cancelling a step, a closed terminal) stop the command as
  Ctrl-C does: an exception in the main thread, so every `finally` runs and the workers are
  ended (`end_workers`) instead of being left behind holding stdout open.
- A worker asks the kernel to kill it when the main process dies (PR_SET_PDEATHSIG), for the
  one ending no handler sees: SIGKILL, or the out-of-memory killer.
- While a build renames its artifacts and writes its manifest, these signals are held and acted
  on right after (`held_signals`), so the manifest always agrees with the files.
"""

from __future__ import annotations

import importlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the no-op build imports this module: no pool machinery for it
    from concurrent.futures import ProcessPoolExecutor

STOPPING = (signal.SIGTERM, signal.SIGHUP)
HELD = (signal.SIGINT, *STOPPING)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Stopped(BaseException):
    """The command was told to stop by a signal (not an Exception: nothing should catch it)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def install() -> None:
    """SIGTERM and SIGHUP raise Stopped in the main thread (call once, from the command)."""
    if threading.current_thread() is threading.main_thread():
        for sig in STOPPING:
            signal.signal(sig, _stop)


@contextmanager
def held_signals() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP held for a moment, then acted on as they would have been.

    Python-level handlers, not a signal mask: a mask is per thread, and a signal blocked in the
    main thread would still reach a helper thread and its handler still run in the main one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = {sig: signal.signal(sig, lambda s, f: pressed.append(s)) for sig in HELD}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if pressed:
        sig = signal.Signals(pressed[0])
        handler = previous[sig]
        if callable(handler):
            handler(sig, None)
        elif handler == signal.SIG_DFL:
            if sig == signal.SIGINT:
                raise KeyboardInterrupt
            signal.raise_signal(sig)


def import_held(name: str) -> ModuleType:
    """Import a module that builds pydantic models, with Ctrl-C, SIGTERM and SIGHUP held until
    it is done. pydantic-core calls back into Python while it builds a validator (to compile a
    pattern, say); an exception raised there by a signal cannot get out, is printed as
    "Exception ignored", and leaves a validator that rejects good values (a theme colour that
    is "badly formed"). Held, the signal is acted on right after the import, as it would have
    been."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    with held_signals():
        return importlib.import_module(name)


def worker_start(parent: int, initializer: Callable[..., None], args: Sequence[Any]) -> None:
    """A worker's first act: die with its parent, leave SIGTERM and SIGHUP their default
    action (they end a worker at once), then run the real initializer."""
    for sig in STOPPING:
        signal.signal(sig, signal.SIG_DFL)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the request above: go now
        os._exit(1)
    initializer(*args)


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the handlers above still end the workers
        pass


def end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's processes now (the command is ending by an exception or a signal): a task
    under way is not waited for, no process is left behind, and nothing waits on the pool.

    The pool's own shutdown is not waited for: with its workers killed, Python 3.11's manager
    thread may die (it marks every pending task failed, including those already cancelled, and
    raises InvalidStateError) before closing its queue, and a wait on it, or on the queue's
    feeder thread at exit, would then never end. So: kill every worker this process has, reap
    them, ask the pool to shut down without waiting, and let the queue's feeder go unjoined."""
    import multiprocessing
    from concurrent.futures import InvalidStateError

    processes = {p.pid: p for p in (getattr(pool, "_processes", None) or {}).values()}
    processes.update((p.pid, p) for p in multiprocessing.active_children())
    previous = threading.excepthook

    def quiet(args: threading.ExceptHookArgs) -> None:  # the manager thread's end, expected
        if not isinstance(args.exc_value, InvalidStateError | OSError | ValueError):
            previous(args)

    threading.excepthook = quiet
    for process in processes.values():
        with suppress(OSError, ValueError, AttributeError):
            process.kill()
    for process in processes.values():
        with suppress(OSError, ValueError, AssertionError, AttributeError):
            process.join(5)
    queue = getattr(pool, "_call_queue", None)
    with suppress(OSError, ValueError, AttributeError):
        if queue is not None:
            queue.cancel_join_thread()
    with suppress(OSError, ValueError, RuntimeError):
        pool.shutdown(wait=False, cancel_futures=True)


class TimeUp(BaseException):
    """A Deadline ran out (not an Exception: the code it interrupts must not catch it)."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        super().__init__(f"more than {deadline.seconds:g} s")


class Deadline:
    """`with Deadline(s):` raises TimeUp(this deadline) in the main thread after `s` seconds.

    Deadlines nest (a slot's inside an output's): the inner one shares the one real-time timer
    with the outer one, and gives it back, with the time it has left, when it ends. Outside the
    main thread (where no signal lands) it does nothing."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._saved: tuple[Any, float] | None = None

    def __enter__(self) -> Deadline:
        if threading.current_thread() is not threading.main_thread():
            return self
        now = time.monotonic()
        outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
        outer_end = now + outer_left if outer_left > 0 else math.inf
        mine_end = now + self.seconds
        outer = signal.getsignal(signal.SIGALRM)

        def expire(signum: int, frame: Any) -> None:
            if time.monotonic() >= outer_end - 1e-3 and callable(outer):
                outer(signum, frame)  # the outer deadline's time is up first
            raise TimeUp(self)

        self._saved = (outer, outer_end)
        signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, max(min(mine_end, outer_end) - now, 1e-4))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._saved is None:
            return
        outer, outer_end = self._saved
        self._saved = None
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer)
        if outer_end != math.inf:
            signal.setitimer(signal.ITIMER_REAL, max(outer_end - time.monotonic(), 1e-4))
