"""A month's tab, ``Đánh giá <yyyy-mm>``: every row rated, and the refresh's cell writes.

Decisions worth knowing:

* The header row is the first row holding ``Họ và tên`` (``Name``); columns
  are found by header in either language, in any order; the numbered ones
  (``1``, ``2``… or ``TC 1``) are the criteria.
* A row is rated when every criterion of its side that has a column is
  filled; a half-rated row shows what is still blank, never a score.
* ``Kỷ luật``: blank, "Không" or "No" is not disciplined; anything else ("Có",
  or the form of discipline written out) is.
* Members added to ``Đảng viên`` later get a row at the end of the tab, below
  everything (so below the ``Chi bộ`` row): the secretary's cells never move,
  and plain cell writes add the row on both backends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from automation.bank import _ERRORS, FORMULA_ERROR, HEADER_TWICE, _short
from automation.config import RatingSettings
from automation.i18n import Text
from automation.layout import (
    MEMBERS,
    MONTH_COLUMNS,
    MONTH_NAME,
    NOT_DISCIPLINED,
    Column,
    Mark,
    Side,
)
from automation.model import Member, Problem
from automation.ports import CellWrite
from automation.rating import (
    Criteria,
    cell_label,
    level_of,
    month_levels,
    number_list,
    points,
    row_side,
)
from automation.text import Cell, cell_text, clean, is_blank, normalize

# --- messages ------------------------------------------------------------------

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

# --- reading a month's tab ---------------------------------------------------------------


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
    key: str = field(init=False, repr=False, compare=False)  # the name, normalised

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", normalize(self.name))

    @property
    def rated(self) -> bool:
        return self.points is not None

    def level_text(self, levels: Sequence[str], language: str) -> str:
        """What ``Xếp loại tháng`` shows: the level, or what is missing, or nothing yet."""
        if self.duplicate_of is not None:
            return SAME_AS_ROW(language, row=self.duplicate_of)
        if self.unreadable:
            return CHECK_MARKS(language, numbers=number_list(self.unreadable))
        if self.level is not None:
            return levels[self.level]
        if self.blank and self.marks:
            return INCOMPLETE(language, numbers=number_list(self.blank))
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
    _counted: dict[str, RowRating] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        counted = {r.key: r for r in self.rows if r.duplicate_of is None}
        object.__setattr__(self, "_counted", counted)

    def row_of(self, name: str) -> RowRating | None:
        """The row that counts for ``name`` (duplicates do not)."""
        return self._counted.get(normalize(name))


_MONTH_FIXED = (MONTH_NAME, *MONTH_COLUMNS)
# A criterion's column: its number, maybe after "TC", "Tiêu chí", "Criterion" or "No.".
_NUMBER_HEADER = re.compile(r"^(?:(?:tc|tiêu chí|criterion|no\.?|số)\s*)?(\d{1,3})$")
_SERVICE_KEYS = tuple(c.key for c in MONTH_COLUMNS if c.service)
_NOT_DISCIPLINED = frozenset(normalize(w) for w in NOT_DISCIPLINED)


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
        # One row per member, and one for the cell whichever language names it.
        first = first_rows.setdefault("" if side is Side.CELL else normalize(name), number)
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
    if not text or normalize(text) in _NOT_DISCIPLINED:
        return False
    if text.upper() in _ERRORS:
        return None
    return True


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
        return number is not None and number == Decimal(str(wanted))
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


