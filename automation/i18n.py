"""User-facing wording in Vietnamese (the default) and English.

Each module keeps its own messages next to the code that uses them, as
``Text`` pairs, so the wording is easy to find and review::

    MISSING_TAB = Text("Thiếu trang tính {tab}.", "The tab {tab} is missing.")
    MISSING_TAB("vi", tab="Câu hỏi")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")


@dataclass(frozen=True)
class Text:
    """One message in both languages; call it with the language and fields."""

    vi: str
    en: str

    def __call__(self, language: str, /, **fields: object) -> str:
        template = self.en if language == "en" else self.vi
        return template.format(**fields) if fields else template


def count(language: str, number: int, vi: str, en: str, en_plural: str = "") -> str:
    """``number`` with its noun: ``3 kỳ thi``; in English ``1 round``, ``3 rounds``."""
    if language != "en":
        return f"{number} {vi}"
    return f"{number} {en if number == 1 else en_plural or en + 's'}"
