"""A1 notation: parsing ranges the way Sheets does, and writing them back as Google shows them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_REF = re.compile(r"^([A-Za-z]{1,3}\d+|R\d*C\d*)$", re.IGNORECASE)


class RangeError(ValueError):
    """The text is not an A1 range."""


@dataclass(frozen=True)
class A1:
    """A parsed range: sheet title (None = first sheet) and 0-based half-open bounds.

    A bound of None means "to the edge of the grid".
    """

    title: str | None
    row0: int | None
    row1: int | None
    col0: int | None
    col1: int | None


def column_index(letters: str) -> int:
    """'A' → 0, 'Z' → 25, 'AA' → 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    """0 → 'A', 26 → 'AA'."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_title(text: str) -> tuple[str | None, str | None]:
    """Split "'Sheet ''1'''!A1:B2" into ("Sheet '1'", "A1:B2"); a bare name gives (name, None)."""
    if text.startswith("'"):
        i = 1
        title = []
        while i < len(text):
            if text[i] == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(text[i])
            i += 1
        else:
            raise RangeError(text)
        rest = text[i + 1 :]
        if rest == "":
            return "".join(title), None
        if not rest.startswith("!"):
            raise RangeError(text)
        return "".join(title), rest[1:]
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None]:
    """'A1:B2' → (row0, row1, col0, col1), 0-based half-open, None for open ends."""
    parts = cells.split(":")
    if len(parts) > 2 or not cells:
        raise RangeError(cells)
    parsed = []
    for part in parts:
        found = _CELL.match(part.strip())
        if not found or (not found.group(1) and not found.group(2)):
            raise RangeError(cells)
        letters, digits = found.groups()
        if digits and int(digits) < 1:
            raise RangeError(cells)
        parsed.append(
            (
                int(digits) - 1 if digits else None,
                column_index(letters) if letters else None,
            )
        )
    (r_a, c_a) = parsed[0]
    if len(parsed) == 1:
        if r_a is None or c_a is None:
            raise RangeError(cells)
        return r_a, r_a + 1, c_a, c_a + 1
    (r_b, c_b) = parsed[1]
    row0, row1 = _span(r_a, r_b)
    col0, col1 = _span(c_a, c_b)
    return row0, row1, col0, col1


def _span(a: int | None, b: int | None) -> tuple[int | None, int | None]:
    """One dimension of "A5:B" style ranges: a missing end runs to the grid's edge."""
    if a is not None and b is not None:
        return min(a, b), max(a, b) + 1
    if a is not None:
        return a, None
    if b is not None:
        return 0, b + 1
    return None, None


def _find(title: str, titles: list[str]) -> str | None:
    """Sheet titles match exactly, else ignoring case (as in Sheets)."""
    if title in titles:
        return title
    return next((t for t in titles if t.lower() == title.lower()), None)


def parse(text: str, titles: list[str]) -> A1:
    """Parse a range against the spreadsheet's sheet titles (a bare title means the whole tab)."""
    text = text.strip()
    title, cells = split_title(text)
    if title is None and cells is not None and _find(cells, titles) is not None:
        return A1(_find(cells, titles), None, None, None, None)
    if title is not None:
        title = _find(title, titles)
        if title is None:
            raise RangeError(text)
    if cells is None:
        return A1(title, None, None, None, None)
    row0, row1, col0, col1 = parse_cells(cells)
    return A1(title, row0, row1, col0, col1)


def quote_title(title: str) -> str:
    """Google quotes a title unless it is a plain word that is not itself a cell reference."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_REF.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, row0: int, row1: int, col0: int, col1: int) -> str:
    """Bounded 0-based half-open box → "Sheet1!A1:B2" ("Sheet1!A1" for one cell)."""
    start = f"{column_letters(col0)}{row0 + 1}"
    end = f"{column_letters(col1 - 1)}{row1}"
    cells = start if (row1 - row0 == 1 and col1 - col0 == 1) else f"{start}:{end}"
    return f"{quote_title(title)}!{cells}"
