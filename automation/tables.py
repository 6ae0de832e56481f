"""Plain-text tables for the terminal: the schedule, a round's ranking, a rating.

Pure text in, text out; the command line and the demo print them. Widths
count what a terminal shows: Vietnamese combining marks take no column.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from automation import report
from automation.config import Settings
from automation.layout import NOT_ENOUGH_MONTHS
from automation.model import RoundResult
from automation.rating import month_levels, year_levels
from automation.ratingmonth import MonthSheet
from automation.ratingyear import YearTable


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


# --- the "6 tốt" rating ------------------------------------------------------------


def month_text(sheet: MonthSheet, settings: Settings) -> str:
    """A month's rating as printed by ``automation rate MONTH``."""
    language = settings.language
    levels = month_levels(settings.rating, language)
    en = language == "en"
    headers = (["Name", "Points", "Monthly level"] if en
               else ["Họ và tên", "Điểm", "Xếp loại tháng"])
    rows = [
        [row.name, f"{row.points:.2f}" if row.points is not None else "",
         row.level_text(levels, language)]
        for row in sheet.rows
    ]
    return f"{sheet.title}\n{table(headers, rows)}"


def year_text(year: YearTable, settings: Settings) -> str:
    """The year's proposal as printed by ``automation rate YEAR``."""
    language = settings.language
    en = language == "en"
    names = year_levels(settings.rating, language)
    not_enough = NOT_ENOUGH_MONTHS[1] if en else NOT_ENOUGH_MONTHS[0]
    headers = (["Name", "Months rated", "Average", "Disciplined", "Quiz rounds", "Proposed"]
               if en else
               ["Họ và tên", "Số tháng", "Điểm TB", "Kỷ luật", "Thi (kỳ)", "Đề xuất"])
    rows = [
        [row.name, len(row.months_rated),
         f"{row.average:.2f}" if row.average is not None else "",
         len(row.months_disciplined) or "",
         f"{row.quiz_taken}/{row.quiz_held}",
         names[row.proposal] if row.proposal is not None else not_enough]
        for row in year.rows
    ]
    heading = (f"Proposed rating {year.year} (for the cell's meeting to decide)" if en
               else f"Đề xuất xếp loại năm {year.year} (để chi bộ họp xem xét, quyết định)")
    return f"{heading}\n{table(headers, rows)}"
