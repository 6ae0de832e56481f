"""``Kết quả chung <round>`` (``Joint results <round>``): every cell's members ranked as one.

Pure core. Each cell ranks its own members as usual (``Kết quả <round>`` in its own
spreadsheet); the committee's registry gets the joint tab:

* every ranked member of every cell, by the contract's rules (score highest first;
  then submission time earliest; then name; equal score and time share a rank:
  1, 1, 3), each with the cell's name; the winner(s) highlighted, ``— Về nhất``
  beside the name as in a cell's own results;
* then one row per cell: members, participants, participation %, average score
  (of its ranked members); a cell whose round failed or was not ranked is named
  with why, after the others, and never keeps them from their results;
* a bar chart of participation by cell; one A4 page across (landscape), the
  table's header repeated on every page.

A cell's results come from its round in memory (:meth:`CellResult.of`) or from its
``Kết quả <round>`` tab as read back (:func:`read_cell_results`, either language);
:func:`cell_outcome` decides which from the cell's ``Thi chung`` row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from automation.bank import DateTimeError, parse_datetime
from automation.i18n import Text
from automation.layout import (
    JOINT_CELL_COLUMNS,
    JOINT_RESULT_COLUMNS,
    JOINT_RESULTS,
    JOINT_ROUNDS,
    RESULT_COLUMNS,
    RESULTS,
    Status,
)
from automation.model import Round, RoundResult
from automation.ports import CellStyle, ChartSpec, PageSetup, SheetTab
from automation.report import (
    FOOTER,
    LEFT,
    PARTICIPANTS_LABEL,
    ROUND_LABEL,
    SECTION,
    TITLE,
    duration_text,
    plain_name,
    winner_name,
)
from automation.tabcells import DATETIME_FORMAT, at, find_header, local, number
from automation.text import Cell, cell_text, is_blank, normalize

# --- messages ---------------------------------------------------------------------------

JOINT_TITLE = Text("Kết quả thi trắc nghiệm chung", "Joint quiz results")
OPENS_LABEL = Text("Mở lúc", "Opens at")
CELLS_LABEL = Text("Chi bộ có kết quả / số chi bộ", "Cells with results / cells")
AVERAGE_LABEL = Text("Điểm trung bình", "Average score")
PERCENT_LABEL = Text("Tỉ lệ tham gia (%)", "Participation (%)")
NOBODY_RANKED = Text("Chưa có đảng viên nào được xếp hạng.", "No member was ranked.")
BY_CELL = Text("Theo chi bộ", "By cell")
TOTAL = Text("Cộng các chi bộ có kết quả", "All cells with results")
CHART_TITLE = Text("Tỉ lệ tham gia theo chi bộ (%)", "Participation by cell (%)")

NOT_LISTED = Text(
    "Kỳ thi chung này chưa có trong trang {ledger} của chi bộ (dịch vụ chưa ghi được vào bảng "
    "tính của chi bộ?).",
    "This joint round is not in the cell's {ledger} tab yet (could the service not write "
    "to the cell's spreadsheet?).",
)
NOT_RANKED = Text("Chưa xếp hạng (trạng thái: {status}).", "Not ranked yet (status: {status}).")
FAILED = Text("{status}: {note}", "{status}: {note}")
NO_RESULTS_TAB = Text(
    'Bảng tính của chi bộ chưa có trang "{tab}".',
    'The cell\'s spreadsheet has no "{tab}" tab.',
)
NO_TABLE = Text(
    'Trang "{tab}" của chi bộ không có bảng xếp hạng (các cột {headers}).',
    'The cell\'s "{tab}" tab has no ranked table (columns {headers}).',
)
NO_PARTICIPATION = Text(
    'Trang "{tab}" của chi bộ không có dòng "{label}".',
    'The cell\'s "{tab}" tab has no "{label}" line.',
)
BAD_CELL = Text(
    'Trang "{tab}" của chi bộ, dòng {row}, cột {column}: không đọc được "{value}". Trang này do '
    "dịch vụ ghi; hãy ghi Xếp hạng lại ở cột Trạng thái của kỳ thi trong trang {ledger} để "
    "dịch vụ ghi lại.",
    'The cell\'s "{tab}" tab, row {row}, column {column}: "{value}" cannot be read. The '
    "service writes that tab; write Rank again in the round's Status in the {ledger} tab to "
    "have it written anew.",
)

# --- the records ------------------------------------------------------------------------


@dataclass(frozen=True)
class JointEntry:
    """One ranked member of one cell, as the cell ranked them."""

    name: str
    score: float  # out of 10, two decimals
    correct: int
    duration: timedelta
    submitted_at: datetime  # aware


@dataclass(frozen=True)
class CellResult:
    """One cell's part in a joint round, or why it has none (``failure``)."""

    cell: str
    members: int | None  # None: not known (a cell whose round failed may not say)
    participants: int = 0  # members who took part (ranked, late or repeated)
    entries: tuple[JointEntry, ...] = ()  # its ranked members
    failure: str = ""  # non-blank: the round failed or was not ranked here, and why

    @classmethod
    def of(cls, cell: str, result: RoundResult) -> CellResult:
        """A cell's ranked round, as the ranking made it."""
        entries = tuple(
            JointEntry(e.name, e.score, e.correct, e.duration, e.submission.submitted_at)
            for e in result.ranked
        )
        return cls(cell, result.member_count, result.participants, entries)


@dataclass(frozen=True)
class JointRow:
    """One line of the joint ranking."""

    rank: int
    cell: str
    entry: JointEntry


@dataclass(frozen=True)
class CellLine:
    """One cell's line under the ranking."""

    cell: str
    members: int | None
    participants: int | None  # None: the round failed there
    percent: float | None  # participants / members × 100, one decimal
    average: float | None  # of its ranked members' scores, two decimals
    failure: str = ""


@dataclass(frozen=True)
class JointResult:
    """Everything ``Kết quả chung <round>`` shows."""

    round_id: str
    rows: tuple[JointRow, ...]
    cells: tuple[CellLine, ...]  # those with results first (best participation first)
    total: CellLine  # the cells with results, together
    opens_at: datetime | None = None

    @property
    def winners(self) -> tuple[JointRow, ...]:
        return tuple(row for row in self.rows if row.rank == 1)


# --- ranking ----------------------------------------------------------------------------

_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


def _hundredths(score: float) -> int:
    return int((Decimal(repr(score)) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def _percent(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return float((Decimal(part * 100) / whole).quantize(_TENTH, ROUND_HALF_UP))


def _average(scores: Sequence[float]) -> float | None:
    if not scores:
        return None
    total = sum((Decimal(_hundredths(s)) for s in scores), Decimal(0)) / 100
    return float((total / len(scores)).quantize(_CENT, ROUND_HALF_UP))


def rank_joint(
    round_id: str, results: Sequence[CellResult], *, opens_at: datetime | None = None
) -> JointResult:
    """Every ranked member of every cell in one ranking, and a line per cell.

    The order of ``results`` and of their entries does not matter: what is still
    equal after score, time and name is ordered by the cell's name and the rest.
    """
    ranked = [
        (-_hundredths(e.score), e.submitted_at, normalize(e.name), normalize(r.cell), e.name,
         r.cell, e.correct, e.duration, e)
        for r in results if not r.failure for e in r.entries
    ]
    ranked.sort(key=lambda item: item[:8])
    rows: list[JointRow] = []
    previous: tuple[int, datetime] | None = None
    rank = 0
    for position, item in enumerate(ranked, start=1):
        if (item[0], item[1]) != previous:
            rank, previous = position, (item[0], item[1])
        rows.append(JointRow(rank, item[5], item[8]))

    held = [r for r in results if not r.failure]
    lines = [
        CellLine(r.cell, r.members, r.participants, _percent(r.participants, r.members),
                 _average([e.score for e in r.entries]))
        for r in held
    ]
    lines.sort(key=lambda c: (c.percent is None, -(c.percent or 0.0), c.average is None,
                              -(c.average or 0.0), normalize(c.cell), c.cell, c.members or 0,
                              c.participants or 0))
    failed = sorted(
        (CellLine(r.cell, r.members, None, None, None, r.failure)
         for r in results if r.failure),
        key=lambda c: (normalize(c.cell), c.cell, c.failure, c.members is None, c.members or 0),
    )
    members = sum(r.members or 0 for r in held)
    participants = sum(r.participants for r in held)
    total = CellLine("", members, participants, _percent(participants, members),
                     _average([e.score for r in held for e in r.entries]))
    return JointResult(round_id, tuple(rows), (*lines, *failed), total, opens_at)


# --- the tab ----------------------------------------------------------------------------

# Seven columns across one A4 page (landscape); the cells' table reuses them.
WIDTHS = (6, 36, 30, 10, 11, 11, 20)
FORMATS = {0: "0", 3: "0.00", 4: "0", 5: "@", 6: DATETIME_FORMAT}
ALIGN = {0: "center", 1: "left", 2: "left", 3: "center", 4: "center", 5: "center",
         6: "center"}
_CELL_FORMATS = {3: "0", 4: "0", 5: "0.0", 6: "0.00"}  # 1-based columns of a cell's line
CHART_MAX_CM = 22  # the page's width, less column A


def joint_results_tab(result: JointResult, *, language: str, tz: tzinfo) -> SheetTab:
    """``Kết quả chung <round>``: a header block, the joint ranking, then the cells."""
    held = [c for c in result.cells if not c.failure]
    total = result.total
    rows: list[list[Cell]] = [
        [JOINT_TITLE(language)],
        [None, ROUND_LABEL(language), result.round_id, None,
         OPENS_LABEL(language), None, local(result.opens_at, tz)],
        [None, CELLS_LABEL(language), f"{len(held)} / {len(result.cells)}", None,
         PERCENT_LABEL(language), None, total.percent],
        [None, PARTICIPANTS_LABEL(language), f"{total.participants} / {total.members}", None,
         AVERAGE_LABEL(language), None, total.average],
        [],
        [column.header(language) for column in JOINT_RESULT_COLUMNS],
    ]
    header_row = len(rows)
    styles: dict[tuple[int, int], CellStyle] = {(1, 1): TITLE}
    for r, pattern in ((2, DATETIME_FORMAT), (3, "0.0"), (4, "0.00")):
        styles[(r, 3)] = LEFT
        styles[(r, 7)] = CellStyle(align="left", number_format=pattern)
    highlight: set[int] = set()
    for row in result.rows:
        entry = row.entry
        name = entry.name
        if row.rank == 1:
            name = winner_name(name, language)
            highlight.add(len(rows) + 1)
        rows.append([row.rank, row.cell, name, entry.score, entry.correct,
                     duration_text(entry.duration), entry.submitted_at.astimezone(tz)])
    if not result.rows:
        rows.append([None, NOBODY_RANKED(language)])
        styles[(len(rows), 2)] = LEFT

    rows += [[], [BY_CELL(language)]]
    styles[(len(rows), 1)] = SECTION
    rows.append([column.header(language) for column in JOINT_CELL_COLUMNS])
    bold = {len(rows)}
    first = len(rows) + 1
    for number_, line in enumerate(result.cells, start=1):
        rows.append([number_, line.cell, line.members, line.participants, line.percent,
                     line.average, line.failure or None])
        _cell_styles(styles, len(rows))
    last_held = first + len(held) - 1
    rows.append([None, TOTAL(language), total.members, total.participants, total.percent,
                 total.average])
    _cell_styles(styles, len(rows))
    bold.add(len(rows))

    chart = None
    if held:
        # Wider with more cells, never wider than the page; under the cells' table.
        chart = ChartSpec(CHART_TITLE(language), 1, 4, first, last_held,
                          anchor_row=len(rows) + 2, anchor_column=1, value_step=20,
                          value_max=100, width_cm=min(CHART_MAX_CM, max(16, len(held))),
                          height_cm=7)
    title = JOINT_RESULTS.title(language, result.round_id)
    return SheetTab(
        title=title,
        rows=rows,
        header_row=header_row,
        bold_rows=frozenset(bold | highlight),
        highlight_rows=frozenset(highlight),
        column_widths=WIDTHS,
        number_formats=FORMATS,
        chart=chart,
        alignments=ALIGN,
        cell_styles=styles,
        wrap_columns=frozenset(range(1, 7)),  # long names and notes; the cells' headers
        wrap_header=True,
        page=PageSetup(landscape=True, repeat_rows=(header_row, header_row),
                       footer=FOOTER(language, title=title)),
    )


def _cell_styles(styles: dict[tuple[int, int], CellStyle], row: int) -> None:
    """A cell's line sits under the ranking's columns: its own formats, centred numbers."""
    styles[(row, 1)] = CellStyle(align="center", number_format="0")
    for column, pattern in _CELL_FORMATS.items():
        styles[(row, column)] = CellStyle(align="center", number_format=pattern)
    styles[(row, 7)] = LEFT


# --- a cell's results, read back --------------------------------------------------------

_PARTICIPATION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_DURATION = re.compile(r"^(-?)(\d+):(\d{2})(?::(\d{2}))?$")


def read_cell_results(
    cell: str,
    round_id: str,
    rows: Sequence[Sequence[Cell]],
    *,
    language: str,
    tz: tzinfo,
    date_order: str = "dmy",
) -> CellResult:
    """A cell's ``Kết quả <round>`` as written by :func:`automation.report.results_tab`.

    ``rows`` as read back (either language; numbers may come as text with a decimal
    comma, ``Nộp lúc`` as a date-time cell, naive in ``tz``). The header block's
    ``Tham gia / số đảng viên`` gives the participants and members; the ranked table
    is read from its header down to the first blank row, names without
    ``— Về nhất``. A tab that does not read is the cell's failure, in ``language``.
    """
    tab = RESULTS.title(language, round_id)
    found = find_header(rows, RESULT_COLUMNS, ("rank", "name", "score"))
    if found is None:
        headers = ", ".join(c.header(language) for c in RESULT_COLUMNS[:3])
        return CellResult(cell, None, failure=NO_TABLE(language, tab=tab, headers=headers))
    start, places, _ = found
    counted = _participation(rows[:start])
    if counted is None:
        label = PARTICIPANTS_LABEL(language)
        return CellResult(cell, None, failure=NO_PARTICIPATION(language, tab=tab, label=label))
    participants, members = counted
    entries: list[JointEntry] = []
    for index in range(start + 1, len(rows)):
        row = rows[index]
        if all(is_blank(value) for value in row):
            break
        if is_blank(at(row, places["rank"])):
            continue
        values: dict[str, object] = {}
        for key in ("score", "correct", "duration", "submitted_at"):
            value = at(row, places.get(key))
            read = _read(key, value, tz, date_order)
            if read is None:
                column = next(c for c in RESULT_COLUMNS if c.key == key).header(language)
                return CellResult(cell, members, failure=BAD_CELL(
                    language, tab=tab, row=index + 1, column=column, value=cell_text(value),
                    ledger=JOINT_ROUNDS.title(language)))
            values[key] = read
        score, correct = values["score"], values["correct"]
        assert isinstance(score, float) and isinstance(correct, float)
        duration, submitted = values["duration"], values["submitted_at"]
        assert isinstance(duration, timedelta) and isinstance(submitted, datetime)
        name = plain_name(cell_text(at(row, places["name"])))
        entries.append(JointEntry(name, round(score, 2), int(correct), duration, submitted))
    return CellResult(cell, members, participants, tuple(entries))


def _participation(rows: Sequence[Sequence[Cell]]) -> tuple[int, int] | None:
    """(participants, members) from the header block's ``Tham gia / số đảng viên``."""
    labels = {normalize(PARTICIPANTS_LABEL.vi), normalize(PARTICIPANTS_LABEL.en)}
    for row in rows:
        for c, value in enumerate(row):
            if isinstance(value, str) and normalize(value) in labels:
                shown = next((cell_text(v) for v in row[c + 1:] if not is_blank(v)), "")
                match = _PARTICIPATION.match(shown)
                return (int(match.group(1)), int(match.group(2))) if match else None
    return None


def _read(key: str, value: Cell, tz: tzinfo, date_order: str
          ) -> float | timedelta | datetime | None:
    """One cell of the ranked table as its value; None when it does not read."""
    if key in ("score", "correct"):
        figure = number(value)
        if figure is None or (key == "correct" and not figure.is_integer()):
            return None
        return figure
    if key == "duration":
        return _duration(value)
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    try:
        return parse_datetime(value, tz, date_order)
    except DateTimeError:
        return None


def _duration(value: Cell) -> timedelta | None:
    """``m:ss`` as the results tab writes it (or ``h:mm:ss``, or a time cell)."""
    if isinstance(value, time):
        return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    match = _DURATION.match(cell_text(value))
    if not match:
        return None
    sign, first, second, third = match.groups()
    if third is None:
        moment = timedelta(minutes=int(first), seconds=int(second))
    else:
        moment = timedelta(hours=int(first), minutes=int(second), seconds=int(third))
    return -moment if sign else moment


def cell_outcome(
    cell: str,
    round_: Round | None,
    rows: Sequence[Sequence[Cell]] | None,
    *,
    language: str,
    tz: tzinfo,
    members: int | None = None,
    date_order: str = "dmy",
) -> CellResult:
    """A cell's part in a joint round, from its ``Thi chung`` row and its results tab.

    ``round_`` is the cell's row of the round (``None``: not there); ``rows`` its
    ``Kết quả <round>`` as read (``None``: no such tab). Only a ranked round has
    results; any other is the cell's failure, with the status and the note
    (``members``, from the cell's own list, says how many it has then).
    """
    if round_ is None:
        return CellResult(cell, members, failure=NOT_LISTED(
            language, ledger=JOINT_ROUNDS.title(language)))
    status = round_.status.label(language)
    if round_.status is Status.RANKED:
        if rows is None:
            tab = RESULTS.title(language, round_.round_id)
            return CellResult(cell, members, failure=NO_RESULTS_TAB(language, tab=tab))
        return read_cell_results(cell, round_.round_id, rows, language=language, tz=tz,
                                 date_order=date_order)
    if round_.status in (Status.ERROR, Status.MISSED) and round_.note:
        return CellResult(cell, members, failure=FAILED(language, status=status,
                                                        note=round_.note))
    return CellResult(cell, members, failure=NOT_RANKED(language, status=status))
