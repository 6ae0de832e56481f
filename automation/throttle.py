"""One request budget for every cell a service runs under one Google account.

Google counts Sheets requests per user per minute (60 reads and 60 writes),
so a committee's hundred cells share one quota. A :class:`Throttle` keeps
each kind of request within its own rate (at most half the quota in any
minute), as token buckets refilled by the clock it is given, and a ``429`` answer pauses
that kind of request for every cell at once instead of each retrying on its
own. It never sleeps: a request with no token left is :class:`Deferred`, and
the service takes that cell up again when the budget allows (a deferred step
is retried by the next tick, like any other failed step).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from automation.ports import BackendError

#: Requests a minute of each kind, and how many may go at once before the rate applies:
#: together at most 30 in any minute (the burst saved up, then the rate), half of
#: Google's per-user quota.
DEFAULT_RATES = {"sheets.read": 25.0, "sheets.write": 25.0}
DEFAULT_BURST = 5.0
#: The first pause after a 429, doubled at each 429 in a row (capped).
PAUSE = timedelta(seconds=10)
MAX_PAUSE = timedelta(minutes=2)


class Deferred(BackendError):
    """No budget left for this request now: the step is tried again when there is."""


@dataclass
class _Bucket:
    rate: float  # per minute
    burst: float
    tokens: float
    stamp: datetime
    paused_until: datetime | None = None
    strikes: int = 0  # 429s in a row
    used: list[datetime] = field(default_factory=list)  # when each request went

    def refill(self, now: datetime) -> None:
        elapsed = max(0.0, (now - self.stamp).total_seconds())
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate / 60)
        self.stamp = now


def _left(bucket: _Bucket, now: datetime) -> float:
    """The bucket's requests left at ``now``: none while a 429's pause lasts."""
    if bucket.paused_until is not None and now < bucket.paused_until:
        return 0.0
    bucket.refill(now)
    return bucket.tokens


class Throttle:
    """Token buckets per kind of request (``sheets.read``, ``sheets.write``), shared by cells."""

    def __init__(self, clock: Callable[[], datetime], rates: dict[str, float] | None = None,
                 *, burst: float = DEFAULT_BURST) -> None:
        self.clock = clock
        start = clock()
        self._buckets = {kind: _Bucket(rate, burst, burst, start)
                         for kind, rate in (rates or DEFAULT_RATES).items()}
        self._lock = threading.Lock()

    def take(self, kind: str) -> None:
        """Spend one request of ``kind``, or raise :class:`Deferred` (paused, or none left)."""
        if not self.try_take(kind):
            raise Deferred(f"{kind}: the requests budget is spent for now; tried again soon")

    def try_take(self, kind: str) -> bool:
        """Spend one request of ``kind`` if there is one now."""
        bucket = self._buckets.get(kind)
        if bucket is None:
            return True
        with self._lock:
            now = self.clock()
            if _left(bucket, now) < 1:
                return False
            bucket.tokens -= 1
            bucket.used.append(now)
            return True

    def available(self, kind: str) -> bool:
        """Whether a request of ``kind`` would go now (nothing is spent)."""
        return self.spare(kind) >= 1

    def spare(self, kind: str) -> int:
        """How many requests of ``kind`` would go now (nothing is spent); a large number
        for a kind without a budget."""
        bucket = self._buckets.get(kind)
        if bucket is None:
            return 1 << 30
        with self._lock:
            return int(_left(bucket, self.clock()))

    def rate(self, kind: str) -> float | None:
        """Requests of ``kind`` allowed a minute (None: no budget for that kind)."""
        bucket = self._buckets.get(kind)
        return bucket.rate if bucket is not None else None

    def refused(self, kind: str) -> None:
        """Google answered 429: every cell waits, longer at each 429 in a row."""
        bucket = self._buckets.get(kind)
        if bucket is None:
            return
        with self._lock:
            now = self.clock()
            bucket.strikes += 1
            pause = min(MAX_PAUSE, PAUSE * 2 ** (bucket.strikes - 1))
            bucket.paused_until = max(bucket.paused_until or now, now + pause)
            bucket.tokens = 0

    def answered(self, kind: str) -> None:
        """A request of ``kind`` went through: the run of 429s is over."""
        bucket = self._buckets.get(kind)
        if bucket is not None and bucket.strikes:
            with self._lock:
                bucket.strikes = 0

    def used(self, kind: str) -> list[datetime]:
        """When each request of ``kind`` went (for the benchmark's figures)."""
        return list(self._buckets[kind].used)


def kind_of(method: str, url: str) -> str:
    """The budget a Sheets request draws on: a read (GET) or a write (anything else)."""
    if "/v4/spreadsheets" not in url:
        return ""
    return "sheets.read" if method.upper() == "GET" else "sheets.write"
