"""The year's proposal (rules 3 and 4), per member of ``Đảng viên`` and for the cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from automation.config import RatingSettings
from automation.layout import Side
from automation.model import Member, RoundScore
from automation.rating import (
    average,
    cell_label,
    from_hundredths,
    level_of,
    month_id,
    parse_month,
)
from automation.ratingmonth import MonthSheet, RowRating
from automation.text import normalize


@dataclass(frozen=True)
class YearRow:
    """One member's (or the cell's) year, and the proposed level."""

    name: str
    side: Side
    months_rated: tuple[str, ...]  # "2024-01", …
    months_missing: tuple[str, ...]  # months up to ``through`` not rated
    by_level: tuple[int, ...]  # rated months per monthly level, best first
    average: Decimal | None  # of the rated months' points
    months_disciplined: tuple[str, ...]
    quiz_taken: int
    quiz_held: int
    quiz_average: Decimal | None  # out of 10
    by_points: int | None  # the year level the average gives (None: not enough months)
    proposal: int | None  # after the discipline cap; None: not enough months

    @property
    def capped(self) -> bool:
        return self.by_points is not None and self.proposal != self.by_points


@dataclass(frozen=True)
class YearTable:
    """The year's proposal for the cell's meeting: members (roster order), then the cell."""

    year: int
    through: int  # the last month counted as due
    rows: tuple[YearRow, ...]
    cap_percent: int

    def count(self, level: int) -> int:
        """Members proposed at ``level`` (the cell is not counted)."""
        return sum(1 for r in self.rows if r.side is Side.MEMBER and r.proposal == level)

    @property
    def cap_allowed(self) -> int:
        """How many excellent proposals the cap allows (rule 4)."""
        return self.count(1) * self.cap_percent // 100

    @property
    def cap_exceeded(self) -> bool:
        """Rule 4: excellent proposals above ``cap_percent`` of the second level's."""
        return self.count(0) * 100 > self.cap_percent * self.count(1)


def year_table(
    year: int,
    months: Sequence[MonthSheet],
    *,
    members: Sequence[Member],
    quiz_scores: Sequence[RoundScore],
    rounds_held: int,
    settings: RatingSettings,
    language: str = "vi",
    through: int = 12,
) -> YearTable:
    """Rule 3 per member of ``Đảng viên`` and for the cell, from the year's month tabs.

    Only months of ``year`` count (the first tab given for a month). A month
    is missing for a row when it is not rated there; months after ``through``
    (the current month, for a proposal made before December) are never
    missing. ``quiz_scores`` are the year's ranked results; the cell's quiz
    figures are the rounds with any result and the average of every score.
    """
    if not 1 <= through <= 12:
        raise ValueError(f"no month {through}")
    sheets: dict[str, MonthSheet] = {}
    for sheet in months:
        parsed = parse_month(sheet.month)
        if parsed and parsed[0] == year and sheet.readable:
            sheets.setdefault(sheet.month, sheet)
    due = [month_id(year, m) for m in range(1, through + 1)]
    levels = len(settings.month_thresholds) + 1
    best = _quiz_best(quiz_scores)
    held = max(rounds_held, 0)
    rows: list[YearRow] = []
    people = [(m.name, Side.MEMBER) for m in members]
    for name, side in [*people, (cell_label(language), Side.CELL)]:
        found: dict[str, RowRating] = {}
        for month, sheet in sorted(sheets.items()):
            row = (sheet.row_of(name) if side is Side.MEMBER
                   else next((r for r in sheet.rows if r.side is Side.CELL
                              and r.duplicate_of is None), None))
            if row is not None:
                found[month] = row
        rated = {m: r for m, r in found.items() if r.rated}
        by_level = [0] * levels
        for row in rated.values():
            assert row.level is not None
            by_level[row.level] += 1
        mean = average([r.points for r in rated.values() if r.points is not None])
        disciplined = tuple(m for m, r in found.items() if r.disciplined)
        by_points = proposal = None
        if len(rated) >= settings.min_months and mean is not None:
            by_points = level_of(mean, settings.year_thresholds)
            proposal = max(by_points, 1) if disciplined else by_points
        if side is Side.MEMBER:
            scores = best.get(normalize(name), {})
            taken, quiz = len(scores), list(scores.values())
        else:
            taken = len({r for per in best.values() for r in per})
            quiz = [s for per in best.values() for s in per.values()]
        rows.append(YearRow(
            name=name, side=side, months_rated=tuple(rated),
            months_missing=tuple(m for m in due if m not in rated), by_level=tuple(by_level),
            average=mean, months_disciplined=disciplined, quiz_taken=taken, quiz_held=held,
            quiz_average=average(quiz), by_points=by_points, proposal=proposal,
        ))
    return YearTable(year, through, tuple(rows), settings.excellent_cap_percent)


def _quiz_best(scores: Sequence[RoundScore]) -> dict[str, dict[str, Decimal]]:
    """Member key → round key → the member's best score in that round (listed twice: once)."""
    best: dict[str, dict[str, Decimal]] = {}
    for score in scores:
        value = from_hundredths(round(score.score * 100))
        per = best.setdefault(normalize(score.name), {})
        key = normalize(score.round_id)
        per[key] = max(value, per.get(key, value))
    return best


