"""``automation run``: the service that ticks forever.

Every 30 seconds (the ``schedule`` library keeps the rhythm) it performs one
tick, exactly what ``automation tick`` does once. On the local backend it also
serves the web form. An exception inside a tick is logged (and, for a round,
written into its note by the tick) and never stops the loop. SIGTERM or Ctrl-C
lets the current tick finish, then the service exits cleanly.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import FrameType

import schedule

from automation.backends import Backend, open_backend
from automation.config import Settings
from automation.filelock import AlreadyRunning, exclusive, lock_path

log = logging.getLogger("automation")

TICK_SECONDS = 30


def now_utc() -> datetime:
    return datetime.now(UTC)


def run(
    settings: Settings,
    *,
    log_file: Path | None = None,
    clock: Callable[[], datetime] = now_utc,
    stop: threading.Event | None = None,
    interval: float = TICK_SECONDS,
) -> int:
    """Tick every ``interval`` seconds until ``stop`` is set or a signal arrives."""
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logging.getLogger().addHandler(handler)
    stop = stop or threading.Event()
    _stop_on_signals(stop)
    backend = open_backend(settings, clock=clock)
    server = _start_form_server(backend, settings, clock)
    scheduler = schedule.Scheduler()
    scheduler.every(interval).seconds.do(  # type: ignore[arg-type]  # seconds may be a fraction
        tick_once, backend, settings, clock)
    log.info("service started: %s, a tick every %s s", backend.sheet.location(), interval)
    try:
        tick_once(backend, settings, clock)
        while not stop.is_set():
            scheduler.run_pending()
            stop.wait(min(1.0, interval))
    finally:
        if server is not None:
            server.stop()
        log.info("service stopped")
    return 0


def tick_once(backend: Backend, settings: Settings, clock: Callable[[], datetime]) -> None:
    """One tick that never raises: failures are logged, the loop goes on."""
    try:
        with exclusive(lock_path(backend.owner)):
            outcome = backend.quiz(settings).tick(clock())
        for failure in outcome.failures:
            log.error("%s", failure)
    except AlreadyRunning:
        log.info("another tick is running on this spreadsheet; skipped")
    except Exception:  # the service must outlive any one failed tick
        log.exception("tick failed; the next tick retries")


def _start_form_server(backend: Backend, settings: Settings, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
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
