"""The monthly "Chi bộ 6 tốt, đảng viên 6 tốt" rating: criteria, arithmetic, self-assessment.

Pure core, like :mod:`automation.bank`: rows of cells in; records, problems
and cell writes out. A tick reads the spreadsheet once, then

* :func:`read_criteria` reads ``Tiêu chí`` (no such tab: the rating is off);
* a month without a tab gets :func:`automation.ratingtabs.month_tab`; a month
  with a tab gets :func:`automation.ratingmonth.plan_month`: the service cells
  to write (only those whose value changes) and the rows to add, in one batch;
* :func:`automation.ratingyear.year_table` turns the year's month tabs (each
  read by :func:`automation.ratingmonth.read_month`) and quiz scores into the
  year's proposal, which :func:`automation.ratingtabs.year_tab` lays out;
* :func:`self_assessment_questions` are the self-assessment form's questions,
  :func:`read_self_assessment` reads a response and
  :func:`self_assessment_text` is what ``Tự đánh giá`` shows.

Decisions worth knowing:

* Members and the cell have their own criteria, numbered from 1 each. A
  month's tab has one column per number used by either side; a member row is
  marked against the member criterion of that number and the ``Chi bộ`` row
  against the cell's. A number only one side has stays blank on the other.
* A month's tab is rated on the numbered columns it has: a criterion added
  to ``Tiêu chí`` later does not turn older months into unrated ones (the
  tab says so). Weights always come from ``Tiêu chí``.
* While ``Tiêu chí`` has a problem nothing is scored, so a half-understood
  criterion never gives a wrong score.
* Points are exact: weights met / all weights × 100, rounded half up to two
  decimals in integer arithmetic; the year's average likewise.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from automation.bank import _open_tab, _Row, _short, _whole
from automation.config import RatingSettings
from automation.i18n import Text
from automation.layout import (
    CRITERIA,
    MAX_CRITERIA,
    MONTH_LEVELS,
    RATING_MONTH,
    YEAR_LEVELS,
    Mark,
    Side,
    find_tab,
)
from automation.model import Problem
from automation.ports import FormQuestion
from automation.text import Cell, clean, is_blank, normalize

# --- messages ------------------------------------------------------------------

SIDE_BLANK = Text(
    "Đối tượng để trống. Hãy ghi Đảng viên (tiêu chí cho từng đảng viên) hoặc Chi bộ "
    "(tiêu chí cho chi bộ).",
    "Applies to is blank. Write Member (a criterion for each member) or Cell (for the cell).",
)
SIDE_UNKNOWN = Text(
    'Đối tượng "{value}" không rõ. Hãy ghi Đảng viên (tiêu chí cho từng đảng viên) hoặc '
    "Chi bộ (tiêu chí cho chi bộ).",
    'Applies to "{value}" is not known. Write Member (a criterion for each member) or Cell '
    "(for the cell).",
)
NUMBER_BLANK = Text(
    "Số để trống. Hãy đánh số các tiêu chí 1, 2, 3… (Đảng viên và Chi bộ đánh số riêng).",
    "No. is blank. Number the criteria 1, 2, 3… (members and the cell are numbered apart).",
)
NUMBER_BAD = Text(
    'Số "{value}" không phải là số nguyên dương. Hãy đánh số các tiêu chí 1, 2, 3…',
    'No. "{value}" is not a positive whole number. Number the criteria 1, 2, 3…',
)
NUMBER_TWICE = Text(
    "{side} đã có tiêu chí số {number} ở dòng {first}. Hãy đổi số của một trong hai dòng.",
    "{side} already has criterion {number} in row {first}. Renumber one of the two rows.",
)
TOO_MANY = Text(
    "{side} đã có {limit} tiêu chí ở các dòng trên; nhiều nhất là {limit}. Hãy bỏ bớt "
    "hoặc gộp tiêu chí.",
    "{side} already has {limit} criteria in the rows above; {limit} is the most. Remove or "
    "merge criteria.",
)
TEXT_BLANK = Text(
    "Nội dung tiêu chí để trống. Hãy ghi tiêu chí, hoặc xóa cả dòng nếu không dùng.",
    "The criterion is blank. Write it, or delete the whole row if it is not needed.",
)
TEXT_TWICE = Text(
    "Tiêu chí này trùng với tiêu chí ở dòng {first} ({side}). Hãy xóa một trong hai dòng "
    "hoặc sửa lời cho khác nhau.",
    "This criterion is the same as the one in row {first} ({side}). Delete one of them or "
    "reword it.",
)
WEIGHT_BAD = Text(
    'Trọng số "{value}" không phải là số nguyên dương. Hãy ghi 1, 2, 3… hoặc để trống '
    "(mặc định là 1).",
    'The weight "{value}" is not a positive whole number. Write 1, 2, 3… or leave it blank '
    "(1 by default).",
)
SIDE_EMPTY = Text(
    'Trang "{tab}" chưa có tiêu chí nào cho {side}. Hãy thêm ít nhất một dòng có Đối tượng '
    "là {side}.",
    'The "{tab}" tab has no criterion for {side}. Add at least one row whose Applies to is '
    "{side}.",
)
# --- criteria --------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One row of ``Tiêu chí``."""

    side: Side
    number: int
    text: str
    weight: int = 1
    row: int = 0


@dataclass(frozen=True)
class Criteria:
    """``Tiêu chí`` read and validated; only valid rows become criteria.

    ``found`` is False when the spreadsheet has no such tab: the rating is off.
    Nothing is scored while ``problems`` is not empty (see :attr:`usable`).
    """

    member: tuple[Criterion, ...] = ()
    cell: tuple[Criterion, ...] = ()
    problems: tuple[Problem, ...] = ()
    found: bool = True
    title: str = ""

    def of(self, side: Side) -> tuple[Criterion, ...]:
        return self.member if side is Side.MEMBER else self.cell

    @property
    def numbers(self) -> tuple[int, ...]:
        """Every number either side uses: one month column each."""
        return tuple(sorted({c.number for c in (*self.member, *self.cell)}))

    @property
    def usable(self) -> bool:
        return self.found and not self.problems


_CRITERIA_REQUIRED = tuple(c.key for c in CRITERIA.columns if c.required)


def read_criteria(tabs: Mapping[str, list[list[Cell]]], *, language: str = "vi") -> Criteria:
    """Read ``Tiêu chí`` (found by either title) with every problem named by tab, row, column."""
    if find_tab(tabs.keys(), CRITERIA) is None:
        return Criteria(found=False)
    tab, problems = _open_tab(tabs, CRITERIA, language, _CRITERIA_REQUIRED)
    assert tab is not None
    found: dict[Side, list[Criterion]] = {Side.MEMBER: [], Side.CELL: []}
    if tab.readable:
        numbers: dict[tuple[Side, int], int] = {}
        texts: dict[tuple[Side, str], int] = {}
        for row in tab.records():
            row.check_formula_errors()
            side = _criterion_side(row, language)
            number = _criterion_number(row, language)
            text = row.text("text")
            if not text:
                row.add("text", TEXT_BLANK(language))
            weight = 1
            if not is_blank(row.cell("weight")):
                value = _whole(row.cell("weight"))
                if value is None or value < 1:
                    row.add("weight", WEIGHT_BAD(language, value=_short(row.text("weight"))))
                else:
                    weight = value
            if side is None:
                continue
            label = side.label(language)
            if number is not None:
                first = numbers.setdefault((side, number), row.number)
                if first != row.number:
                    row.add("number", NUMBER_TWICE(language, side=label, number=number,
                                                   first=first))
            if text:
                first = texts.setdefault((side, normalize(text)), row.number)
                if first != row.number:
                    row.add("text", TEXT_TWICE(language, first=first, side=label))
            if row.defective or number is None:
                continue
            if len(found[side]) == MAX_CRITERIA:
                row.add("number", TOO_MANY(language, side=label, limit=MAX_CRITERIA))
                continue
            found[side].append(Criterion(side, number, text, weight, row.number))
        if not any(p.row is not None and p.row > 1 for p in tab.problems):
            for side in Side:
                if not found[side]:
                    tab.add(None, None, SIDE_EMPTY(language, tab=tab.title,
                                                   side=side.label(language)))
    return Criteria(
        member=tuple(sorted(found[Side.MEMBER], key=lambda c: c.number)),
        cell=tuple(sorted(found[Side.CELL], key=lambda c: c.number)),
        problems=(*problems, *tab.problems),
        title=tab.title,
    )


def _criterion_side(row: _Row, language: str) -> Side | None:
    text = row.text("side")
    if not text:
        row.add("side", SIDE_BLANK(language))
        return None
    side = Side.parse(text)
    if side is None:
        row.add("side", SIDE_UNKNOWN(language, value=_short(text)))
    return side


def _criterion_number(row: _Row, language: str) -> int | None:
    if is_blank(row.cell("number")):
        row.add("number", NUMBER_BLANK(language))
        return None
    number = _whole(row.cell("number"))
    if number is None or number < 1:
        row.add("number", NUMBER_BAD(language, value=_short(row.text("number"))))
        return None
    return number


# --- the arithmetic (rules 1, 2 and 3) ---------------------------------------------------

def points(criteria: Sequence[Criterion], met: Collection[int]) -> Decimal:
    """Rule 1: weights of the criteria met / all weights × 100, two decimals, half up."""
    total = sum(c.weight for c in criteria)
    if total <= 0:
        raise ValueError("no criteria to score against")
    earned = sum(c.weight for c in criteria if c.number in met)
    return from_hundredths((2 * earned * 10_000 + total) // (2 * total))


def average(values: Sequence[Decimal]) -> Decimal | None:
    """The mean of two-decimal values, two decimals, half up (``None`` for none)."""
    if not values:
        return None
    total = sum(to_hundredths(v) for v in values)
    count = len(values)
    return from_hundredths((2 * total + count) // (2 * count))


def level_of(value: Decimal, thresholds: Sequence[float]) -> int:
    """The index of the first level whose threshold ``value`` reaches (the last: below all)."""
    for index, threshold in enumerate(thresholds):
        if value >= Decimal(str(threshold)):
            return index
    return len(thresholds)


def month_levels(settings: RatingSettings, language: str) -> tuple[str, ...]:
    """The monthly level names, best first: configured, else the language's defaults."""
    return settings.month_levels or tuple(en if language == "en" else vi
                                          for vi, en in MONTH_LEVELS)


def year_levels(settings: RatingSettings, language: str) -> tuple[str, ...]:
    """The year's level names, best first: configured, else the language's defaults."""
    return settings.year_levels or tuple(en if language == "en" else vi for vi, en in YEAR_LEVELS)


def to_hundredths(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def from_hundredths(hundredths: int) -> Decimal:
    return Decimal(hundredths).scaleb(-2)


# --- months: ids, tab titles, whose row ------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_id(year: int, month: int) -> str:
    """``2024-03``: how a month is written in tab titles and on the command line."""
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return f"{year:04d}-{month:02d}"


def parse_month(text: str) -> tuple[int, int] | None:
    """``"2024-03"`` → ``(2024, 3)``; anything else ``None``."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))


def month_title(month: str, language: str) -> str:
    return RATING_MONTH.title(language, month)


def find_month_tabs(titles: Iterable[str], year: int | None = None) -> dict[str, str]:
    """Month (``2024-03``) → the title of its tab, in either language (the first found)."""
    prefixes = {normalize(RATING_MONTH.vi) + " ", normalize(RATING_MONTH.en) + " "}
    found: dict[str, str] = {}
    for title in titles:
        key = normalize(title)
        for prefix in prefixes:
            if key.startswith(prefix):
                parsed = parse_month(key[len(prefix):])
                if parsed and (year is None or parsed[0] == year):
                    found.setdefault(month_id(*parsed), title)
    return dict(sorted(found.items()))


def cell_label(language: str) -> str:
    """What the cell's own row is called in the name column."""
    return Side.CELL.label(language)


def row_side(name: str) -> Side:
    """The ``Chi bộ`` (``Cell``) row rates the cell; every other row a member."""
    return Side.CELL if Side.parse(name) is Side.CELL else Side.MEMBER



def number_list(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))



# --- self-assessment (rule 5) ------------------------------------------------------------

SELF_TITLE = Text("{number}. {text}", "{number}. {text}")
SELF_COMMENT = Text("Ý kiến của đồng chí (không bắt buộc)", "Your comment (optional)")
SELF_SUMMARY = Text("{met}/{total}", "{met}/{total}")
SELF_NOT_MET = Text("chưa đạt: {numbers}", "not met: {numbers}")
SELF_UNANSWERED = Text("chưa trả lời: {numbers}", "unanswered: {numbers}")
SELF_COMMENT_PART = Text("ý kiến: {comment}", "comment: {comment}")
COMMENT_LIMIT = 200
_SELF_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.)]")


@dataclass(frozen=True)
class SelfAssessment:
    """One member's answers: criterion number → mark, and a comment."""

    marks: Mapping[int, Mark]
    comment: str = ""


def self_assessment_questions(criteria: Criteria, language: str) -> tuple[FormQuestion, ...]:
    """The form's questions: every member criterion as ``Đạt`` / ``Chưa đạt``, then a comment.

    Titles start with the criterion's number (``3. …``), which is how
    :func:`read_self_assessment` maps answers back. Nothing is graded.
    """
    options = (Mark.MET.label(language), Mark.NOT_MET.label(language))
    questions = [
        FormQuestion(title=SELF_TITLE(language, number=c.number, text=clean(c.text)),
                     options=options, multi=False, points=0, correct=())
        for c in criteria.member
    ]
    questions.append(FormQuestion(title=SELF_COMMENT(language), options=(), multi=False,
                                  points=0, correct=(), kind="text", required=False))
    return tuple(questions)


def read_self_assessment(answers: Mapping[str, Sequence[str]]) -> SelfAssessment:
    """A form response's answers (title → texts chosen or typed) as a :class:`SelfAssessment`.

    Works whichever language the form was built in; titles that are neither a
    criterion nor the comment are ignored.
    """
    marks: dict[int, Mark] = {}
    comment = ""
    comment_titles = {normalize(SELF_COMMENT("vi")), normalize(SELF_COMMENT("en"))}
    for title, chosen in answers.items():
        text = clean(" ".join(chosen))
        if normalize(title) in comment_titles:
            comment = text
            continue
        match = _SELF_NUMBER.match(title)
        mark = Mark.parse(text)
        if match and mark is not None:
            marks[int(match.group(1))] = mark
    return SelfAssessment(marks, comment)


def self_assessment_text(assessment: SelfAssessment, criteria: Criteria, language: str) -> str:
    """``Tự đánh giá``: ``5/6 — chưa đạt: 3`` (unanswered criteria and the comment after)."""
    numbers = [c.number for c in criteria.member]
    met = [n for n in numbers if assessment.marks.get(n) is Mark.MET]
    not_met = [n for n in numbers if assessment.marks.get(n) is Mark.NOT_MET]
    unanswered = [n for n in numbers if n not in assessment.marks]
    parts = [SELF_SUMMARY(language, met=len(met), total=len(numbers))]
    if not_met:
        parts.append(SELF_NOT_MET(language, numbers=number_list(not_met)))
    if unanswered:
        parts.append(SELF_UNANSWERED(language, numbers=number_list(unanswered)))
    comment = clean(assessment.comment)
    if comment:
        parts.append(SELF_COMMENT_PART(language, comment=_short(comment, COMMENT_LIMIT)))
    return " — ".join(parts)

