"""The service's log: the cell's time zone, and no line forged by what members type."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from automation.logs import ZonedFormatter, escape_controls

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def record(message: str, *args: object) -> logging.LogRecord:
    item = logging.LogRecord("automation", logging.WARNING, __file__, 1, message, args, None)
    item.created = datetime(2023, 3, 10, 7, 48, 10, tzinfo=UTC).timestamp()
    return item


def test_a_log_line_is_stamped_in_the_cells_zone() -> None:
    line = ZonedFormatter(TZ, "%(asctime)s %(message)s").format(record("round opened"))
    assert line == "10/03/2023 14:48:10 round opened"  # 07:48:10 UTC is 14:48:10 in Hà Nội


def test_a_name_with_line_breaks_cannot_forge_a_log_line() -> None:
    forged = "An\n10/03/2023 14:49:00 2023-03: Đã xếp hạng\r\x1b[2J"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ZonedFormatter(TZ, "%(asctime)s %(message)s"))
    handler.emit(record("repeated submission by %s", forged))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert "\\n10/03/2023 14:49:00" in lines[0] and "\\x1b[2J" in lines[0]


def test_escapes_leave_vietnamese_text_alone() -> None:
    assert escape_controls("Trần Thị Bình\ttab") == "Trần Thị Bình\ttab"
    assert escape_controls("a\u2028b") == "a\\u2028b"
