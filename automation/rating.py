"""The monthly "Chi bộ 6 tốt, đảng viên 6 tốt" rating: criteria, the months, the year.

Pure core, like :mod:`automation.bank`: rows of cells in, records, problems
and cell writes out. A tick reads the spreadsheet once, then

* :func:`read_criteria` reads ``Tiêu chí`` (no such tab: the rating is off);
* a month without a tab gets one from :func:`automation.ratingtabs.month_tab`;
  a month with a tab gets :func:`plan_month`: the service cells to write
  (only those whose value changes) and the rows to add, in one batch;
* :func:`year_table` turns the year's month tabs (each read by
  :func:`read_month`) and quiz scores into the year's proposal, which
  :func:`automation.ratingtabs.year_tab` lays out.

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
* ``Kỷ luật``: blank, "Không" or "No" is not disciplined; anything else ("Có",
  or the form of discipline written out) is.
* Members added to ``Đảng viên`` later get a row at the end of the tab, below
  everything (so below the ``Chi bộ`` row): the secretary's cells never move,
  and plain cell writes add the row on both backends.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from automation.bank import _ERRORS, FORMULA_ERROR, HEADER_TWICE, _open_tab, _Row, _short, _whole
from automation.config import RatingSettings
from automation.i18n import Text
from automation.layout import (
    CRITERIA,
    MAX_CRITERIA,
    MEMBERS,
    MONTH_COLUMNS,
    MONTH_LEVELS,
    MONTH_NAME,
    NOT_DISCIPLINED,
    RATING_MONTH,
    YEAR_LEVELS,
    Column,
    Mark,
    Side,
    find_tab,
)
from automation.model import Member, Problem, RoundScore
from automation.ports import CellWrite, FormQuestion
from automation.text import Cell, cell_text, clean, is_blank, normalize

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
CRITERIA_FIRST = Text(
    'Chưa tính điểm tháng: trang "{tab}" có lỗi cần sửa trước (xem các lỗi của trang đó).',
    'The month is not scored yet: the "{tab}" tab has problems to fix first (see them).',
)
NO_NAME_COLUMN = Text(
    'Không tìm thấy dòng tiêu đề có cột "{header}". Hãy ghi lại tiêu đề "{header}" ở dòng 1 '
    "(cột họ và tên từng đảng viên và dòng Chi bộ); chưa có cột này thì chưa tính được điểm.",
    'No header row with a "{header}" column. Write the "{header}" header back in row 1 (the '
    "column of the members' names and the Cell row); nothing is scored without it.",
)
NO_CRITERION_COLUMNS = Text(
    "Dòng tiêu đề không có cột tiêu chí nào (tiêu đề là số của tiêu chí: 1, 2, 3…). Hãy ghi "
    "lại các tiêu đề này.",
    "The header row has no criterion column (headed by the criterion's number: 1, 2, 3…). "
    "Write those headers back.",
)
NO_DISCIPLINE_COLUMN = Text(
    'Thiếu cột "{header}": tháng này được coi là không ai bị kỷ luật. Hãy thêm lại cột này '
    "(ghi Có ở dòng của người bị kỷ luật trong tháng).",
    'The "{header}" column is missing: nobody counts as disciplined this month. Add it back '
    "(write Yes in the row of whoever was disciplined in the month).",
)
CRITERION_NOT_HERE = Text(
    'Trang "{criteria}" có tiêu chí số {number} cho {side} nhưng trang này không có cột '
    "{number}: tháng này được tính điểm không có tiêu chí đó. Muốn tính, hãy thêm một cột có "
    "tiêu đề {number}.",
    'The "{criteria}" tab has criterion {number} for {side} but this tab has no column '
    "{number}: this month is scored without it. To score it, add a column headed {number}.",
)
MARK_UNREADABLE = Text(
    'Không đọc được "{value}". Hãy chọn {met} hoặc {not_met} (để trống nếu chưa đánh giá).',
    'Cannot read "{value}". Choose {met} or {not_met} (leave it blank until rated).',
)
MARK_NOT_APPLICABLE = Text(
    '{side} không có tiêu chí số {number} trong trang "{criteria}": ô này không được tính. '
    'Hãy để trống ô này (hoặc thêm tiêu chí đó vào trang "{criteria}").',
    '{side} has no criterion {number} in the "{criteria}" tab: this cell does not count. '
    'Leave it blank (or add that criterion to the "{criteria}" tab).',
)
MONTH_NAME_BLANK = Text(
    "Họ và tên để trống nhưng dòng này đã có đánh giá. Hãy ghi họ và tên như ở trang "
    '"{members}" (hoặc Chi bộ cho dòng của chi bộ).',
    'The name is blank but the row has marks. Write the name as in the "{members}" tab (or '
    "Cell for the cell's row).",
)
MONTH_NAME_TWICE = Text(
    '"{name}" đã có ở dòng {first}. Hãy xóa một trong hai dòng; chỉ dòng {first} được tính.',
    '"{name}" already has row {first}. Delete one of the two rows; only row {first} counts.',
)
NOT_A_MEMBER = Text(
    '"{name}" không có trong trang "{members}": dòng này vẫn được tính điểm tháng nhưng '
    'không vào xếp loại năm. Nếu tên đã được sửa ở trang "{members}", hãy sửa ở đây cho '
    "khớp; nếu đồng chí đã chuyển sinh hoạt, có thể xóa dòng này.",
    '"{name}" is not in the "{members}" tab: the row is scored for the month but does not '
    'count in the year. If the name was corrected in "{members}", correct it here too; if '
    "the member has moved to another cell, the row may be deleted.",
)

# Service cell texts.
INCOMPLETE = Text("Chưa đủ: {numbers}", "Not complete: {numbers}")
CHECK_MARKS = Text("Xem lại: {numbers}", "Check: {numbers}")
SAME_AS_ROW = Text("Trùng dòng {row}", "Same as row {row}")

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

_HUNDRED = 100


def points(criteria: Sequence[Criterion], met: Collection[int]) -> Decimal:
    """Rule 1: weights of the criteria met / all weights × 100, two decimals, half up."""
    total = sum(c.weight for c in criteria)
    if total <= 0:
        raise ValueError("no criteria to score against")
    earned = sum(c.weight for c in criteria if c.number in met)
    return _hundredths_decimal((2 * earned * _HUNDRED * 100 + total) // (2 * total))


def average(values: Sequence[Decimal]) -> Decimal | None:
    """The mean of two-decimal values, two decimals, half up (``None`` for none)."""
    if not values:
        return None
    total = sum(_hundredths(v) for v in values)
    count = len(values)
    return _hundredths_decimal((2 * total + count) // (2 * count))


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


def _hundredths(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def _hundredths_decimal(hundredths: int) -> Decimal:
    return Decimal(hundredths).scaleb(-2)


# --- a month's tab -----------------------------------------------------------------------

_NUMBER_HEADER = re.compile(r"^(?:(?:tc|tiêu chí|criterion|no\.?|số)\s*)?(\d{1,3})$")
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


@dataclass(frozen=True)
class RowRating:
    """One row of a month's tab, rated (rules 1 and 2) or saying what is missing."""

    row: int  # the sheet row
    name: str  # as written
    side: Side
    marks: Mapping[int, Mark]  # criterion number → mark, for the row's criteria filled in
    blank: tuple[int, ...] = ()  # the row's criteria not filled in yet
    unreadable: tuple[int, ...] = ()  # criteria whose cell cannot be read
    disciplined: bool = False
    points: Decimal | None = None  # set only when the row is rated
    level: int | None = None  # index into the monthly levels
    duplicate_of: int | None = None  # the sheet row that counts for this name

    @property
    def key(self) -> str:
        return normalize(self.name)

    @property
    def rated(self) -> bool:
        return self.points is not None

    def level_text(self, levels: Sequence[str], language: str) -> str:
        """What ``Xếp loại tháng`` shows: the level, or what is missing, or nothing yet."""
        if self.duplicate_of is not None:
            return SAME_AS_ROW(language, row=self.duplicate_of)
        if self.unreadable:
            return CHECK_MARKS(language, numbers=_numbers(self.unreadable))
        if self.level is not None:
            return levels[self.level]
        if self.blank and self.marks:
            return INCOMPLETE(language, numbers=_numbers(self.blank))
        return ""


@dataclass(frozen=True)
class MonthSheet:
    """A month's tab as read: every row rated or not, the problems, where the columns are."""

    month: str
    title: str
    rows: tuple[RowRating, ...]
    problems: tuple[Problem, ...] = ()
    readable: bool = True
    header_row: int = 1
    columns: Mapping[str, int] = field(default_factory=dict)  # key → 1-based column
    criterion_columns: Mapping[int, int] = field(default_factory=dict)  # number → column
    width: int = 0  # the last non-blank header's column
    last_row: int = 0  # the last row holding anything
    service: Mapping[tuple[int, str], Cell] = field(default_factory=dict)  # (row, key) → value

    def row_of(self, name: str) -> RowRating | None:
        """The row that counts for ``name`` (duplicates do not)."""
        key = normalize(name)
        for row in self.rows:
            if row.key == key and row.duplicate_of is None:
                return row
        return None


_MONTH_FIXED = (MONTH_NAME, *MONTH_COLUMNS)
_SERVICE_KEYS = tuple(c.key for c in MONTH_COLUMNS if c.service)


def read_month(
    month: str,
    title: str,
    rows: list[list[Cell]],
    *,
    criteria: Criteria,
    settings: RatingSettings,
    language: str = "vi",
) -> MonthSheet:
    """Rate every row of a month's tab (rows as read; any column order; vi or en headers)."""
    if not criteria.found:
        raise ValueError("the rating is off: there is no Tiêu chí tab")
    if not criteria.usable:
        problem = Problem(title, None, None, CRITERIA_FIRST(language, tab=criteria.title))
        return MonthSheet(month, title, (), (problem,), readable=False)
    problems: list[Problem] = []
    header_at = next(
        (i for i, row in enumerate(rows) if any(_matches(MONTH_NAME, v) for v in row)), None
    )
    if header_at is None:
        name = MONTH_NAME.header(language)
        problems.append(Problem(title, 1, name, NO_NAME_COLUMN(language, header=name)))
        return MonthSheet(month, title, (), tuple(problems), readable=False)
    header_row = header_at + 1
    columns, numbers, width = _month_header(title, header_row, rows[header_at], language,
                                            problems)
    if not numbers:
        problems.append(Problem(title, header_row, None, NO_CRITERION_COLUMNS(language)))
    if "disciplined" not in columns:
        header = MONTH_COLUMNS[0].header(language)
        problems.append(
            Problem(title, header_row, header, NO_DISCIPLINE_COLUMN(language, header=header))
        )
    for side in Side:
        for criterion in criteria.of(side):
            if criterion.number not in numbers:
                problems.append(Problem(title, header_row, None, CRITERION_NOT_HERE(
                    language, criteria=criteria.title, number=criterion.number,
                    side=side.label(language))))
    places: list[tuple[str | int, int]] = [*columns.items(), *numbers.items()]
    headers = {key: cell_text(rows[header_at][c - 1]) for key, c in places}

    def at(cells: list[Cell], column: int | None) -> Cell:
        return cells[column - 1] if column is not None and column <= len(cells) else None

    rated: list[RowRating] = []
    first_rows: dict[str, int] = {}
    service: dict[tuple[int, str], Cell] = {}
    secretary = [columns.get("name"), columns.get("disciplined"), *numbers.values()]
    last_row = header_row
    roster_tab = MEMBERS.title(language)
    for index in range(header_at + 1, len(rows)):
        cells = rows[index]
        number = index + 1
        if any(not is_blank(v) for v in cells):
            last_row = number
        for key in _SERVICE_KEYS:
            if key in columns:
                service[(number, key)] = at(cells, columns[key])
        if all(is_blank(at(cells, c)) for c in secretary if c is not None):
            continue
        name = cell_text(at(cells, columns["name"]))
        marked = [n for n, c in numbers.items() if not is_blank(at(cells, c))]
        if not name:
            if marked or not is_blank(at(cells, columns.get("disciplined"))):
                problems.append(Problem(title, number, headers["name"],
                                        MONTH_NAME_BLANK(language, members=roster_tab)))
            continue
        side = row_side(name)
        own = {c.number: c for c in criteria.of(side) if c.number in numbers}
        marks: dict[int, Mark] = {}
        blank: list[int] = []
        unreadable: list[int] = []
        for n, c in sorted(numbers.items()):
            value = at(cells, c)
            if n not in own:
                if not is_blank(value):
                    problems.append(Problem(title, number, headers[n], MARK_NOT_APPLICABLE(
                        language, side=side.label(language), number=n, criteria=criteria.title)))
                continue
            if is_blank(value):
                blank.append(n)
                continue
            mark = Mark.parse(cell_text(value))
            if mark is None:
                unreadable.append(n)
                problems.append(Problem(title, number, headers[n], _mark_problem(value, language)))
            else:
                marks[n] = mark
        disciplined = _disciplined(at(cells, columns.get("disciplined")))
        if disciplined is None:
            problems.append(Problem(title, number, headers.get("disciplined"), FORMULA_ERROR(
                language, value=cell_text(at(cells, columns.get("disciplined"))))))
            disciplined = True
        first = first_rows.setdefault(normalize(name), number)
        duplicate = first if first != number else None
        if duplicate is not None:
            problems.append(Problem(title, number, headers["name"],
                                    MONTH_NAME_TWICE(language, name=_short(name), first=first)))
        score = level = None
        if own and not blank and not unreadable and duplicate is None:
            met = [n for n, m in marks.items() if m is Mark.MET]
            score = points(tuple(own.values()), met)
            level = level_of(score, settings.month_thresholds)
        rated.append(RowRating(
            row=number, name=name, side=side, marks=marks, blank=tuple(blank),
            unreadable=tuple(unreadable), disciplined=disciplined, points=score, level=level,
            duplicate_of=duplicate,
        ))
    return MonthSheet(
        month=month, title=title, rows=tuple(rated), problems=tuple(problems),
        header_row=header_row, columns=columns, criterion_columns=numbers, width=width,
        last_row=last_row, service=service,
    )


def _matches(column: Column, value: Cell) -> bool:
    return not is_blank(value) and column.matches(cell_text(value))


def _month_header(
    title: str, header_row: int, header: list[Cell], language: str, problems: list[Problem]
) -> tuple[dict[str, int], dict[int, int], int]:
    """Where the fixed columns and the numbered criteria are (1-based); the first of two wins."""
    columns: dict[str, int] = {}
    numbers: dict[int, int] = {}
    written: dict[str | int, str] = {}
    width = 0
    for position, value in enumerate(header, start=1):
        text = cell_text(value)
        if not text:
            continue
        width = position
        fixed = next((c.key for c in _MONTH_FIXED if c.matches(text)), None)
        match = _NUMBER_HEADER.match(normalize(text)) if fixed is None else None
        key: str | int
        if fixed is not None:
            key = fixed
        elif match is not None and int(match.group(1)) >= 1:
            key = int(match.group(1))
        else:
            continue
        if key in columns or key in numbers:
            problems.append(Problem(title, header_row, text,
                                    HEADER_TWICE(language, header=text, first=written[key])))
            continue
        if isinstance(key, int):
            numbers[key] = position
        else:
            columns[key] = position
        written[key] = text
    return columns, numbers, width


def _mark_problem(value: Cell, language: str) -> str:
    shown = cell_text(value)
    if shown.upper() in _ERRORS:
        return FORMULA_ERROR(language, value=shown)
    return MARK_UNREADABLE(language, value=_short(shown), met=Mark.MET.label(language),
                           not_met=Mark.NOT_MET.label(language))


def _disciplined(value: Cell) -> bool | None:
    """Blank, "Không" or "No": no. A formula error: unknown (``None``). Anything else: yes."""
    text = cell_text(value)
    if not text or normalize(text) in {normalize(w) for w in NOT_DISCIPLINED}:
        return False
    if text.upper() in _ERRORS:
        return None
    return True


def _numbers(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


# --- refreshing a month's tab ------------------------------------------------------------


@dataclass(frozen=True)
class MonthPlan:
    """What one refresh of an existing month's tab writes, in one ``update_cells`` batch.

    ``writes`` holds the service cells whose value changes, the headers of
    missing service columns (at the end of the header row), and the rows of
    members (or the ``Chi bộ`` row) the tab lacks: their name and service cells,
    at the rows below the last row holding anything, in ``Đảng viên`` order.
    Nothing else: a secretary cell (a mark, ``Kỷ luật``, ``Ghi chú``, a name
    already there) is never written.
    """

    sheet: MonthSheet
    writes: tuple[CellWrite, ...]
    added: tuple[str, ...]  # the names given a new row
    problems: tuple[Problem, ...]


def plan_month(
    month: str,
    title: str,
    rows: list[list[Cell]],
    *,
    criteria: Criteria,
    members: Sequence[Member],
    settings: RatingSettings,
    language: str = "vi",
    self_assessments: Mapping[str, str] | None = None,
) -> MonthPlan:
    """Refresh an existing month's tab: service cells, new members' rows, problems.

    ``self_assessments`` maps a member's name (any spelling that normalises
    the same) to the ``Tự đánh giá`` text; members left out keep what the cell
    holds. Planning again after the writes are applied plans nothing.
    """
    sheet = read_month(month, title, rows, criteria=criteria, settings=settings,
                       language=language)
    problems = list(sheet.problems)
    if not sheet.readable:
        return MonthPlan(sheet, (), (), tuple(problems))
    roster = {m.key for m in members}
    members_tab = MEMBERS.title(language)
    for row in sheet.rows:
        if row.side is Side.MEMBER and row.key not in roster and row.duplicate_of is None:
            problems.append(Problem(title, row.row, cell_text(_header(sheet, rows, "name")),
                                    NOT_A_MEMBER(language, name=_short(row.name),
                                                 members=members_tab)))
    selves = {normalize(k): clean(v) for k, v in (self_assessments or {}).items()}
    levels = month_levels(settings, language)
    columns = dict(sheet.columns)
    writes: list[CellWrite] = []
    width = sheet.width
    for key in _SERVICE_KEYS:
        if key not in columns and (key != "self" or selves):
            width += 1
            columns[key] = width
            header = next(c for c in MONTH_COLUMNS if c.key == key).header(language)
            writes.append(CellWrite(title, sheet.header_row, width, header))

    def service(number: int, wanted: Mapping[str, Cell]) -> None:
        for key, value in wanted.items():
            if key in columns and not _same(sheet.service.get((number, key)), value):
                writes.append(CellWrite(title, number, columns[key], value))

    present = set()
    for row in sheet.rows:
        present.add(row.key)
        wanted: dict[str, Cell] = {
            "points": float(row.points) if row.points is not None else None,
            "level": row.level_text(levels, language) or None,
        }
        if row.key in selves and row.duplicate_of is None:
            wanted["self"] = selves[row.key] or None
        service(row.row, wanted)
    # Service cells of rows that lost their name (or never had one) are emptied.
    named = {row.row for row in sheet.rows}
    for number, key in sheet.service:
        if number not in named and not is_blank(sheet.service[(number, key)]):
            writes.append(CellWrite(title, number, columns[key], None))

    added: list[str] = []
    next_row = sheet.last_row + 1
    newcomers = [m.name for m in members if m.key not in present]
    if normalize(cell_label("vi")) not in present and normalize(cell_label("en")) not in present:
        newcomers.append(cell_label(language))
    for name in newcomers:
        writes.append(CellWrite(title, next_row, columns["name"], name))
        self_text = selves.get(normalize(name))
        if self_text:
            writes.append(CellWrite(title, next_row, columns["self"], self_text))
        added.append(name)
        next_row += 1
    return MonthPlan(sheet, tuple(writes), tuple(added), tuple(problems))


def _header(sheet: MonthSheet, rows: list[list[Cell]], key: str) -> Cell:
    column = sheet.columns.get(key)
    header = rows[sheet.header_row - 1]
    return header[column - 1] if column is not None and column <= len(header) else None


def _same(current: Cell, wanted: Cell) -> bool:
    """Whether a service cell already shows ``wanted`` (as either backend reads it back)."""
    if wanted is None or wanted == "":
        return is_blank(current)
    if isinstance(wanted, float):
        number = _decimal(current)
        return number is not None and _hundredths(number) == _hundredths(Decimal(str(wanted)))
    return cell_text(current) == clean(str(wanted))


def _decimal(value: Cell) -> Decimal | None:
    """A number cell, or text holding one as a sheet shows it (``83,33`` too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
            return Decimal(text)
    return None


# --- the year (rules 3 and 4) ------------------------------------------------------------


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
        value = _hundredths_decimal(round(score.score * 100))
        per = best.setdefault(normalize(score.name), {})
        key = normalize(score.round_id)
        per[key] = max(value, per.get(key, value))
    return best


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
        parts.append(SELF_NOT_MET(language, numbers=_numbers(not_met)))
    if unanswered:
        parts.append(SELF_UNANSWERED(language, numbers=_numbers(unanswered)))
    comment = clean(assessment.comment)
    if comment:
        parts.append(SELF_COMMENT_PART(language, comment=_short(comment, COMMENT_LIMIT)))
    return " — ".join(parts)
