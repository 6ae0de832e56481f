"""Plain-text tables for the terminal: the schedule, a round's ranking.

Pure text in, text out; the command line and the demo print them. Widths
count what a terminal shows: Vietnamese combining marks take no column.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from automation import report
from automation.config import Settings
from automation.model import RoundResult


def width(text: str) -> int:
    """How many terminal columns ``text`` takes (combining marks take none)."""
    total = 0
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An aligned plain-text table."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def result_table(result: RoundResult, settings: Settings) -> str:
    """The ranked table as printed after ranking."""
    en = settings.language == "en"
    tz = settings.tz
    headers = (
        ["Rank", "Name", "Score (/10)", "Correct", "Time taken", "Submitted at"]
        if en
        else ["Hạng", "Họ và tên", "Điểm (/10)", "Số câu đúng", "Thời gian", "Nộp lúc"]
    )
    rows = [
        [
            e.rank,
            e.name,
            f"{e.score:.2f}",
            f"{e.correct}/{len(result.questions)}",
            report.duration_text(e.duration),
            e.submission.submitted_at.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S"),
        ]
        for e in result.ranked
    ]
    text = table(headers, rows)
    if result.unranked:
        text += "\n\n" + ("Listed, not ranked:" if en else "Có bài nhưng không xếp hạng:")
        for e in result.unranked:
            reason = e.reason.label(settings.language) if e.reason else ""
            when = e.submission.submitted_at.astimezone(tz).strftime("%H:%M:%S")
            text += f"\n  {e.name} ({when}): {reason}"
    if result.absent:
        label = "Not taken part" if en else "Chưa tham gia"
        text += f"\n\n{label}: " + ", ".join(m.name for m in result.absent)
    return text
