"""Fair sharing of the server's training slots between the sessions of a classroom. No Streamlit here.

Each session's live fragment asks for a slot every tick (:meth:`Scheduler.slot`). Slots are
bounded (one per core by default: each training uses one torch thread); sessions that do not get
one wait in a FIFO queue and are served in order, and a session that just trained goes to the back
of the queue, so the slots go round-robin and nobody starves. The wait happens in the session's
own script thread (never on the web server's event loop), bounded by ``wait_s`` so the page still
redraws with the session's place in the queue.

A session keeps its place between ticks however slow they come under load (it drops out of the
queue only after ``stale_s`` without asking; Pause and the end of a run remove it at once with
:meth:`Scheduler.forget`); a free slot never idles for a session ahead that has not asked for
``skip_s`` (a closed tab). :func:`run_lock` guards one run against being
advanced by two threads at once (a stale script thread of a reconnected session could otherwise
train the same run concurrently: counters such as "step 54/40", or a counter that still moves after
"paused" is shown).
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "Scheduler",
    "Grant",
    "SCHEDULER",
    "default_slots",
    "run_lock",
    "run_busy",
    "trim_memory",
    "collect_garbage",
    "fix_mmap_threshold",
    "start_housekeeping",
]


def default_slots() -> int:
    """``NEGSAMP_TRAINING_SLOTS`` if set, else one per core available to this process."""
    raw = os.environ.get("NEGSAMP_TRAINING_SLOTS", "")
    if raw.strip().isdigit() and int(raw) > 0:
        return int(raw)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Grant:
    """The answer to a request: ``granted`` (train now) or the 1-based ``place`` in the queue."""

    granted: bool
    place: int = 0
    waiting: int = 0


class Scheduler:
    """Bounded slots handed out first come, first served (the queue is FIFO, a served session
    rejoins at its tail)."""

    def __init__(
        self, slots: int | None = None, stale_s: float = 120.0, skip_s: float = 3.0, page_first_s: float = 3.0
    ):
        self.slots = int(slots or default_slots())
        self.stale_s, self.skip_s, self.page_first_s = stale_s, skip_s, page_first_s
        self._cond = threading.Condition()
        self._pages: dict[str, float] = {}  # session -> when its page (a full run) started drawing
        self._running: set[str] = set()
        self._queue: dict[str, float] = {}  # session -> last time it asked (insertion order = FIFO)
        self.granted_total: dict[str, int] = {}

    # ------------------------------------------------------------------ inspection
    def waiting(self) -> list[str]:
        with self._cond:
            self._drop_stale(time.monotonic())
            return list(self._queue)

    def running(self) -> set[str]:
        with self._cond:
            return set(self._running)

    def demand(self) -> int:
        """Sessions training now or waiting to (stale entries dropped)."""
        with self._cond:
            self._drop_stale(time.monotonic())
            return len(self._running) + len(self._queue)

    def load_factor(self) -> float:
        """Demand per slot, at least 1: how much slower every session advances than alone."""
        return max(1.0, self.demand() / self.slots)

    def place(self, session: str) -> int:
        """1-based place of ``session`` in the queue (0: not waiting)."""
        with self._cond:
            order = list(self._queue)
            return order.index(session) + 1 if session in self._queue else 0

    # ------------------------------------------------------------------ pages first
    def page_started(self, session: str) -> None:
        """``session`` draws a page (a full script run: a first visit, a click). Until
        :meth:`page_drawn` (or ``page_first_s`` seconds), no other session *starts* a training turn in
        this process: a turn holds the interpreter for up to a few tenths of a second, and page loads
        under a class's ramp waited behind them (18 s at 30 sessions before 2026-12-02)."""
        with self._cond:
            self._pages[session] = time.monotonic()

    def page_drawn(self, session: str) -> None:
        with self._cond:
            if self._pages.pop(session, None) is not None:
                self._cond.notify_all()

    def pages_drawing(self, besides: str = "") -> int:
        """Pages being drawn now by sessions other than ``besides`` (entries expire after ``page_first_s``)."""
        with self._cond:
            return self._pages_first(time.monotonic(), besides)

    def _pages_first(self, now: float, besides: str) -> int:
        for sid in [s for s, t in self._pages.items() if now - t > self.page_first_s]:
            del self._pages[sid]
        return sum(1 for sid in self._pages if sid != besides)

    # ------------------------------------------------------------------ requests
    def _drop_stale(self, now: float) -> None:
        for sid in [s for s, seen in self._queue.items() if now - seen > self.stale_s]:
            del self._queue[sid]

    def _may_run(self, session: str) -> bool:
        """Its turn: a slot is free and fewer sessions than free slots are ahead of it, not counting
        those that have not asked for ``skip_s`` (a closed tab, or a tick still on its way: they keep
        their place, but a free slot does not idle for them)."""
        free = self.slots - len(self._running)
        if free <= 0:
            return False
        now = time.monotonic()
        ahead = 0
        for sid, seen in self._queue.items():
            if sid == session:
                return True
            if now - seen <= self.skip_s:
                ahead += 1
                if ahead >= free:
                    return False
        return False

    def acquire(self, session: str, wait_s: float = 0.0, cancel=None) -> Grant:
        """Take a slot for ``session`` if it is its turn and no other session's page is being drawn
        (:meth:`page_started`), waiting up to ``wait_s`` seconds for it, or until ``cancel()`` returns
        True (checked every 0.1 s, e.g. the learner clicked something)."""
        deadline = time.monotonic() + max(0.0, wait_s)
        with self._cond:
            if session in self._running:  # a second tick of a session that holds a slot: not twice
                return Grant(False, 0, len(self._queue))
            now = time.monotonic()
            self._drop_stale(now)
            self._queue[session] = now  # a waiting session keeps its place (dict order), a new one joins the tail
            asked = now
            # pages first, but a session never waits more than page_first_s for them in one request
            while (
                time.monotonic() - asked < self.page_first_s and self._pages_first(time.monotonic(), session)
            ) or not self._may_run(session):
                left = deadline - time.monotonic()
                if left <= 0 or (cancel is not None and cancel()):
                    self._queue[session] = time.monotonic()
                    order = list(self._queue)
                    return Grant(False, order.index(session) + 1, len(order))
                self._cond.wait(min(left, 0.1))
                self._queue[session] = time.monotonic()  # present: keeps its turn
                if session not in self._queue:  # dropped as stale while waiting (clock jump): rejoin
                    self._queue[session] = time.monotonic()
            del self._queue[session]
            self._running.add(session)
            self.granted_total[session] = self.granted_total.get(session, 0) + 1
            return Grant(True, 0, len(self._queue))

    def release(self, session: str) -> None:
        with self._cond:
            self._running.discard(session)
            self._cond.notify_all()

    @contextmanager
    def slot(self, session: str, wait_s: float = 0.0, cancel=None):
        """``with scheduler.slot(sid, wait_s) as grant:`` train only if ``grant.granted``."""
        grant = self.acquire(session, wait_s, cancel)
        try:
            yield grant
        finally:
            if grant.granted:
                self.release(session)

    def forget(self, session: str) -> None:
        """Remove a session (paused or ended) from the queue and the counters."""
        with self._cond:
            self._queue.pop(session, None)
            self.granted_total.pop(session, None)
            self._cond.notify_all()


SCHEDULER = Scheduler()

# ---------------------------------------------------------------------------- one run, one thread
_RUN_LOCKS: "weakref.WeakKeyDictionary[object, threading.Lock]" = weakref.WeakKeyDictionary()
_RUN_LOCKS_GUARD = threading.Lock()


def _lock_of(run) -> threading.Lock:
    with _RUN_LOCKS_GUARD:
        lock = _RUN_LOCKS.get(run)
        if lock is None:
            lock = _RUN_LOCKS[run] = threading.Lock()
        return lock


@contextmanager
def run_lock(run):
    """``with run_lock(run) as mine:`` advance ``run`` only if ``mine`` (no other thread is)."""
    lock = _lock_of(run)
    mine = lock.acquire(blocking=False)
    try:
        yield mine
    finally:
        if mine:
            lock.release()


def run_busy(run) -> bool:
    """True while some thread is advancing ``run``."""
    return _lock_of(run).locked()


# ---------------------------------------------------------------------------- memory
_LAST_TRIM = [0.0]


def trim_memory(min_interval_s: float = 10.0) -> bool:
    """Give freed heap memory back to the OS (glibc ``malloc_trim``), at most every ``min_interval_s``.

    Freed tensors and arrays of ended sessions stay in malloc's arenas (one per thread) otherwise,
    and the server's RSS never comes down after a class leaves."""
    now = time.monotonic()
    if now - _LAST_TRIM[0] < min_interval_s:
        return False
    _LAST_TRIM[0] = now
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


M_MMAP_THRESHOLD = -3  # glibc mallopt parameter
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's initial value, kept fixed


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Keep glibc's mmap threshold fixed (``mallopt(M_MMAP_THRESHOLD)``): blocks from ``threshold``
    bytes up get their own mapping, returned to the OS as soon as they are freed.

    glibc raises the threshold each time a mapped block is freed (up to 32 MB), so after a few epochs
    a run's per-epoch arrays (model snapshots, IRGAN's 1 MB table, probe buffers, figure JSON,
    download payloads) all come from the two shared arenas (``MALLOC_ARENA_MAX=2``), where dozens of
    script threads interleave them with long-lived objects and the freed space is rarely given back.
    Measured (load test, 1 process, 8 sessions, 90 s, shared 2-core machine, one run each): RSS slope
    60 MB/min and peak 843 MB without; 19 MB/min / 730 MB with ``MALLOC_MMAP_THRESHOLD_=131072`` and
    30 MB/min / 729 MB with this call. Returns False where there is no glibc (nothing changed)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, int(threshold)))
    except (OSError, AttributeError):
        return False


def collect_garbage(thaw: bool = False, refreeze: bool = False) -> int:
    """A full garbage collection, then :func:`trim_memory`; returns the objects collected.

    Streamlit's own collection after every script run is switched off (``runner.postScriptGC`` in
    ``.streamlit/config.toml``): with 30 sessions ticking, that ``gc.collect(2)`` after each fragment
    run took 72 % of the server's CPU and no session trained. Cyclic garbage (Plotly figures, script
    contexts of ended runs) is collected here instead, a few times a minute.

    ``thaw``: first move the objects frozen by ``gc.freeze`` back into the collected heap. The app
    freezes the start-up heap while the first page runs (``lab_ui.shell.configure_process``), and that
    freezes the first session's objects with it (its session state, fragments, script run): frozen
    objects are never collected, and everything they reference was kept for good once that session
    ended (measured: 2 of 9 runs of a load test still alive after every session expired).
    ``refreeze``: freeze what survives (only when no session is left, so no session gets frozen)."""
    if thaw:
        gc.unfreeze()
    collected = gc.collect()
    if refreeze:
        gc.freeze()
    trim_memory(min_interval_s=0.0)
    return collected


_HOUSEKEEPER: list[threading.Thread] = []
_HOUSEKEEPER_GUARD = threading.Lock()


def start_housekeeping(every_s: float = 10.0, extra=(), tick_s: float | None = None, idle=None) -> threading.Thread:
    """Start (once per process) a daemon thread that calls each of ``extra`` (callables, e.g. drop
    the expired sessions of the web server) every ``tick_s`` seconds (default ``every_s``) and
    :func:`collect_garbage` every ``every_s`` seconds, and at once after a task that returns a
    positive number (it released something: e.g. the number of sessions it dropped), so memory
    comes back after sessions end even when no session is left to tick. The collection that follows a
    release thaws the frozen heap first (see :func:`collect_garbage`), and freezes it again if
    ``idle()`` says no session is left. Called by the app's process set-up, never on import; an
    exception in a task (or in ``idle``) is ignored (next round).

    Why a short ``tick_s``: with the tasks only every ``every_s`` = 30 s, a session that expired
    just after a round stayed up to 30 s past its TTL (the load test reads the RSS at TTL + 15 s:
    one process by luck met the target, one of two did not)."""
    tick = float(every_s if tick_s is None else min(tick_s, every_s))
    with _HOUSEKEEPER_GUARD:
        if _HOUSEKEEPER and _HOUSEKEEPER[0].is_alive():
            return _HOUSEKEEPER[0]

        stop = threading.Event()

        def _loop() -> None:
            last_collect = time.monotonic()
            while not stop.wait(tick):
                released = 0
                for task in extra:
                    try:
                        result = task()
                    except Exception:  # noqa: BLE001 - housekeeping must never stop the server
                        continue
                    if isinstance(result, (int, float)) and not isinstance(result, bool) and result > 0:
                        released += 1
                if released:
                    try:
                        empty = bool(idle()) if idle is not None else False
                    except Exception:  # noqa: BLE001
                        empty = False
                    collect_garbage(thaw=True, refreeze=empty)
                    last_collect = time.monotonic()
                elif time.monotonic() - last_collect >= every_s - 1e-3:
                    collect_garbage()
                    last_collect = time.monotonic()

        thread = threading.Thread(target=_loop, name="negsamp-housekeeping", daemon=True)
        thread.stop = stop  # type: ignore[attr-defined] - stop_housekeeping() sets it
        thread.start()
        _HOUSEKEEPER[:] = [thread]
        return thread


def stop_housekeeping(timeout_s: float = 5.0) -> None:
    """Stop the housekeeping thread (tests; a server simply exits)."""
    with _HOUSEKEEPER_GUARD:
        threads, _HOUSEKEEPER[:] = list(_HOUSEKEEPER), []
    for thread in threads:
        thread.stop.set()
        thread.join(timeout_s)
