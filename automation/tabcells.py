"""Cells of the tabs the service writes: how times look, and reading those tabs back.

The results, responses and statistics tabs share one way to show a time (a
real date-time cell ``dd/mm/yyyy hh:mm:ss``, or that text inside a sentence)
and the same tolerant readers: a header row found in either language, numbers
that a sheet may hand back as text with a decimal comma.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, tzinfo

from automation.layout import Column
from automation.text import Cell, cell_text, normalize

#: The number format of every date-time cell the service writes.
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
#: The same, for a time written inside text.
SHOWN_DATETIME = "%d/%m/%Y %H:%M:%S"


def local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    """A time for a date-time cell: the same instant, in the configured zone."""
    return moment.astimezone(tz) if moment else None


def at(row: Sequence[Cell], index: int | None) -> Cell:
    return row[index] if index is not None and index < len(row) else None


def raw_text(value: Cell) -> str:
    """Text exactly as stored; other values as the sheet shows them."""
    return value if isinstance(value, str) else cell_text(value)


def number(value: Cell) -> float | None:
    """A number cell, or text holding one (a decimal comma is accepted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``2023-9`` before ``2023-10``."""
    parts = re.findall(r"\d+|\D+", normalize(text))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def find_header(
    rows: Sequence[Sequence[Cell]], columns: Sequence[Column], needed: Sequence[str]
) -> tuple[int, dict[str, int], str] | None:
    """The first row holding the ``needed`` headers: (index, key → column, its language)."""
    for index, row in enumerate(rows):
        places: dict[str, int] = {}
        english = 0
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            for column in columns:
                if column.key not in places and column.matches(value):
                    places[column.key] = c
                    english += normalize(value) == normalize(column.en) != normalize(column.vi)
                    break
        if all(key in places for key in needed):
            return index, places, "en" if english > len(places) / 2 else "vi"
    return None
