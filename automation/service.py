"""``automation run``: the service, a reconcile loop that never sleeps through a due moment.

Each pass is one *tick*, exactly what ``automation tick`` does once: it reads
the schedule and moves every round as far as its time allows. The loop ticks

* at every moment a round's step falls due (the tick says which comes next:
  a prepare time, a ``Mở lúc``, a deadline), so a form opens within a second
  of ``Mở lúc`` and closes within a second of its deadline; and
* at least every 30 seconds regardless (the ``schedule`` library keeps that
  rhythm), so the secretary's edits are seen and failed steps retried.

On the local backend it also serves the web form. An exception inside a
tick is logged (and, for a round, written into its note by the tick) and
never stops the loop. SIGTERM or Ctrl-C lets the current tick finish, then
the service exits cleanly.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import Any

import schedule

from automation.backends import Backend, open_backend
from automation.config import Settings
from automation.filelock import AlreadyRunning, exclusive, lock_path
from automation.throttle import Throttle
from automation.tick import TickReport

log = logging.getLogger("automation")

#: The sheet is read again at least this often (seconds), for the secretary's edits.
REREAD_SECONDS = 30
#: The longest nap between two looks at the clock (seconds): a clock set forward is
#: noticed this soon.
MAX_NAP = 1.0


def now_utc() -> datetime:
    return datetime.now(UTC)


class Loop:
    """Ticks when a known moment falls due, and at least every ``reread`` seconds.

    ``tick`` performs one pass and returns its report (``None`` when it could
    not run); the report's ``next_moment`` is the next moment to wake for.
    """

    def __init__(self, tick: Callable[[], TickReport | None], clock: Callable[[], datetime],
                 *, reread: float = REREAD_SECONDS) -> None:
        self.tick = tick
        self.clock = clock
        self.next_moment: datetime | None = None
        self.scheduler = schedule.Scheduler()
        self.scheduler.every(reread).seconds.do(self.once)  # type: ignore[arg-type]  # a float is fine

    def once(self) -> None:
        """One tick; remember when the next one is due."""
        report = self.tick()
        self.next_moment = report.next_moment if report is not None else None

    def run(self, stop: threading.Event) -> None:
        """Tick now, then as moments fall due and at the re-read rhythm, until ``stop``."""
        self.once()
        while not stop.is_set():
            if self.next_moment is not None and self.clock() >= self.next_moment:
                self.once()  # the tick finds moments strictly after its own now only
                continue
            self.scheduler.run_pending()
            stop.wait(self.nap())

    def nap(self) -> float:
        """Seconds until the next due moment or re-read, at most :data:`MAX_NAP`."""
        wait = min(MAX_NAP, max(0.0, self.scheduler.idle_seconds or 0.0))
        if self.next_moment is not None:
            wait = min(wait, (self.next_moment - self.clock()).total_seconds())
        return max(0.0, wait)


def run(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = now_utc,
    stop: threading.Event | None = None,
    reread: float = REREAD_SECONDS,
) -> int:
    """Serve until ``stop`` is set or a signal arrives."""
    stop = stop or threading.Event()
    _stop_on_signals(stop)
    backend = open_backend(settings, clock=clock)
    server = _start_form_server(backend, settings, clock)
    said: set[str] = set()
    loop = Loop(lambda: tick_once(backend, settings, clock, said), clock, reread=reread)
    log.info("service started: %s (the sheet is read at least every %s s)",
             backend.sheet.location(), reread)
    try:
        loop.run(stop)
    finally:
        if server is not None:
            server.stop()
        log.info("service stopped")
    return 0


def run_committee(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = now_utc,
    stop: threading.Event | None = None,
    throttle: Throttle | None = None,
    reread: float = REREAD_SECONDS,
) -> int:
    """A committee's service: every cell of the registry (``automation run`` with
    ``registry`` set), within one request budget on Google; the registry and each
    cell are read again at least every ``reread`` seconds."""
    from automation.committee import Committee, CommitteeLoop

    stop = stop or threading.Event()
    _stop_on_signals(stop)
    if throttle is None and settings.backend == "google":
        throttle = Throttle(clock)
    committee = Committee(settings, clock=clock, throttle=throttle)
    loop = CommitteeLoop(committee, clock, reread=reread)
    server = None
    if settings.backend == "local":
        server = _committee_form_server(loop, settings, clock)
    log.info("committee service started: %s", committee.registry_sheet.location())
    try:
        with exclusive(lock_path(settings.registry, settings.language), settings.language):
            loop.run(stop)
    except AlreadyRunning:
        log.error("another service runs this registry on this machine")
        return 0
    finally:
        if server is not None:
            server.stop()
        log.info("committee service stopped")
    return 0


def _committee_form_server(loop: Any, settings: Settings, clock: Callable[[], datetime]
                           ) -> Any:
    """One web form for every cell, each under its own path: the cells served follow the
    registry (a cell added or switched off answers, or stops answering, at once)."""
    from automation.backends import public_url
    from automation.webcells import CellDispatcher, CellServer, WebCell

    site = CellDispatcher(language=settings.language, clock=clock,
                          public_url=settings.local.public_url.strip()
                          or public_url(settings))
    server = CellServer(site, host=settings.local.host, port=settings.local.port)
    server.start()

    def follow() -> None:
        site.update({path: WebCell(forms, name) for path, (name, forms) in
                     loop.forms().items()})

    loop.committee.on_forms = follow
    loop.after_pass = follow
    log.info("web forms of every cell: %s/<chi-bo>/", site.public_url)
    return server


def tick_once(backend: Backend, settings: Settings, clock: Callable[[], datetime],
              said: set[str] | None = None) -> TickReport | None:
    """One tick that never raises: failures are logged, the loop goes on.

    ``said`` holds the problems already logged: one still there at the next tick (every
    30 seconds) is not logged again; it is in the sheet for the secretary.
    """
    try:
        with exclusive(lock_path(backend.owner, settings.language), settings.language):
            outcome = backend.quiz(settings).tick(clock())
    except AlreadyRunning:
        log.info("another tick is running on this spreadsheet; skipped")
        return None
    except Exception:  # the service must outlive any one failed tick
        log.exception("tick failed; the next tick retries")
        return None
    for change in outcome.changes:
        log.info("%s: %s -> %s", change.round_id, change.before.label(settings.language),
                 change.after.label(settings.language))
    lines = [*outcome.problems, *outcome.failures]
    for line in lines:
        if said is None or line not in said:
            log.warning("%s", line)
    if said is not None:
        said.clear()
        said.update(lines)
    return outcome


def _start_form_server(backend: Backend, settings: Settings, clock: Callable[[], datetime]
                       ) -> Any:
    if settings.backend != "local":
        return None
    from automation.localforms import LocalForms
    from automation.webform import FormServer

    assert isinstance(backend.forms, LocalForms)
    server = FormServer(
        backend.forms,
        host=settings.local.host,
        port=settings.local.port,
        language=settings.language,
        clock=clock,
    )
    server.start()
    log.info("web form: %s", backend.forms.public_url)
    return server


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and Ctrl-C ask the loop to stop after the tick in progress."""
    if threading.current_thread() is not threading.main_thread():
        return

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("stopping after the current tick (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
