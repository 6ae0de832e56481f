"""The service's log: times in the cell's own zone, one line per event, nothing forged.

``automation run`` logs to the terminal (and to a rotating file with
``--log-file``); one-shot commands print their own report and log only what
went wrong. Every time stamp is in the configured time zone, as every other
time a person reads. A member's name or answer may hold line breaks or
terminal escapes: they are shown escaped, so no text typed into a form can
forge a log line or repaint the admin's terminal.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import datetime, tzinfo
from logging.handlers import RotatingFileHandler
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x80-\x9f\u2028\u2029]")
NOISY = ("googleapiclient", "urllib3", "waitress", "werkzeug", "google_auth_httplib2")


def escape_controls(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class ZonedFormatter(logging.Formatter):
    """Time stamps in ``tz``; the message on one line (a traceback follows, indented)."""

    def __init__(self, tz: tzinfo, fmt: str) -> None:
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, self.tz)
        return moment.strftime(datefmt or "%d/%m/%Y %H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


def setup(tz: tzinfo, *, service: bool, log_file: Path | None = None) -> None:
    """Log for ``automation run`` (``service``: every event) or a one-shot command (errors)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console = logging.StreamHandler(sys.stdout if service else sys.stderr)
    console.setFormatter(ZonedFormatter(tz, "%(asctime)s %(message)s"))
    # A one-shot command prints what it did itself; its log would say it twice.
    console.setLevel(logging.INFO if service else logging.CRITICAL)
    root.addHandler(console)
    root.setLevel(logging.INFO)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5,
                                      encoding="utf-8")
        handler.setFormatter(ZonedFormatter(tz, "%(asctime)s %(levelname)s %(message)s"))
        root.addHandler(handler)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # bursts of phones are normal
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
