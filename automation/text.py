"""Text normalisation shared by every matching rule of the contract.

Headers, tab titles, member names, emails, question texts and option texts
are all compared after trimming, Unicode NFC normalisation, case-folding and
collapsing runs of white space, so ``"  Nguyễn  Văn A"`` (typed with combining
accents on a phone) matches ``"nguyễn văn a"``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

_SPACES = re.compile(r"\s+")

#: A cell value as adapters hand it over: what the secretary sees, typed
#: where the spreadsheet knows the type (numbers, dates), text otherwise.
Cell = str | int | float | bool | datetime | date | time | None


def normalize(text: str) -> str:
    """The comparison key of a piece of text: NFC, case-folded, spaces collapsed."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return _SPACES.sub(" ", folded).strip()


def clean(text: str) -> str:
    """Text as it should be stored or shown: NFC, trimmed, inner spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def cell_text(value: Cell) -> str:
    """A cell as the secretary sees it, as text.

    Whole numbers stay whole (``1120``, never ``1120.0``); dates are shown
    day first, as Vietnamese sheets display them; blank is ``""``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return clean(str(value))


def is_blank(value: Cell) -> bool:
    """True for an empty cell or one holding only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def strip_accents(text: str) -> str:
    """The text without its diacritics, as Vietnamese is written without them:
    ``"Chi bộ Ấp Đông"`` → ``"Chi bo Ap Dong"`` (đ is a letter of its own in Unicode)."""
    letters = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in letters
                                                if not unicodedata.combining(c)))


#: A cell's path on the committee's form server (``/<cell-path>/f/…``): one URL
#: segment of lower-case ASCII letters and digits joined by single hyphens, as the
#: registry makes it from the cell's name; ``static`` is the server's own.
_CELL_PATH = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_CELL_PATH = 120
RESERVED_CELL_PATHS = frozenset({"static"})


def valid_cell_path(path: str) -> bool:
    """Whether ``path`` can be a cell's path: readable, URL-safe, one segment."""
    return (len(path) <= MAX_CELL_PATH and path not in RESERVED_CELL_PATHS
            and _CELL_PATH.fullmatch(path) is not None)
