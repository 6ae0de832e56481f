"""What the commands of a cell and of a committee share: usage errors, ``--now``, and the
messages of ``init``. Both command modules import it; it imports neither."""

from __future__ import annotations

from datetime import UTC, datetime

from automation.bank import parse_datetime
from automation.config import Settings
from automation.i18n import Text

BAD_NOW = Text(
    '--now {value!r}: {error}. Ví dụ: --now "10/03/2023 14:00" hoặc --now 2023-03-10T14:00+07:00.',
    '--now {value!r}: {error}. For example --now "10/03/2023 14:00" or '
    "--now 2023-03-10T14:00+07:00.",
)
CREATED = Text("Đã tạo: {tabs} trong {where}.", "Created: {tabs} in {where}.")
KEPT = Text(
    "Đã có sẵn, không ghi đè: {tabs} trong {where}.",
    "Already there, left untouched: {tabs} in {where}.",
)


def now_utc() -> datetime:
    """The real clock (a command's ``--now`` replaces it)."""
    return datetime.now(UTC)


class UsageError(Exception):
    """The command line itself is wrong (exit code 2); the message says how to write it."""


def example_opening(settings: Settings) -> datetime:
    """The example round of a new workbook: the 10th of next month at 19:30, local wall time."""
    today = now_utc().astimezone(settings.tz)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return datetime(year, month, 10, 19, 30)


def parse_now(value: str, settings: Settings) -> datetime:
    """``--now``: a date and time in the configured zone (or with an offset); else usage."""
    try:
        moment = parse_datetime(value, settings.tz, "dmy")
    except ValueError as exc:
        raise UsageError(BAD_NOW(settings.language, value=value, error=exc)) from exc
    if moment is None:
        raise UsageError(BAD_NOW(settings.language, value=value, error="blank"))
    return moment
