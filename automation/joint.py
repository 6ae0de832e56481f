"""A cell's copy of the committee's joint rounds: its ``Thi chung`` (``Joint rounds``) tab.

Pure core. Each cell's spreadsheet gets a service tab shaped like ``Lịch thi``: the
planning columns (``Kỳ thi``, ``Mở lúc``, ``Số câu``, ``Giây mỗi câu``) copied from the
registry's ``Lịch thi chung``, then the round engine's service columns, so the cell's
secretary sees the joint round's link and state in her own spreadsheet and the
engine keeps each cell's state of the round there.

:func:`plan_joint_ledger` keeps the copy in step with the registry, writing only the
cells that change:

* a joint round new to the cell gets a row at the end;
* a changed ``Mở lúc`` / ``Số câu`` / ``Giây mỗi câu`` is copied over while the
  cell's round has not opened (blank, ``Chờ``, ``Đã chuẩn bị``, ``Lỡ lịch`` or
  ``Lỗi``, with no ``Mở thực tế`` and no ``Đóng lúc``), never after: what a
  member answered is judged by the plan it was opened with;
* a round taken off the registry keeps its row. Not opened yet, it is left out of
  the rounds to run (it is not held here) and its note says why; already opened,
  it lives on to its ranking. Put back, it goes on as before.

The rounds come back as the bank reads ``Lịch thi`` rows, with their service state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import NamedTuple

from automation.bank import (
    DateTimeError,
    _read_schedule,
    _Tab,
    _whole,
    parse_datetime,
    round_id_text,
)
from automation.config import QuizSettings
from automation.i18n import Text
from automation.layout import (
    JOINT_ROUNDS,
    RESULTS,
    SCHEDULE,
    TITLE_LIMIT_GOOGLE,
    Column,
    Status,
)
from automation.model import ColumnPlace, Problem, Round
from automation.ports import CellWrite, SheetTab
from automation.tabcells import DATETIME_FORMAT
from automation.text import Cell, cell_text, is_blank, normalize

HEADER_ROW = 1
#: A cell's round in one of these states, with no opening or closing time, has not opened.
NOT_OPENED = frozenset({Status.PENDING, Status.PREPARED, Status.MISSED, Status.ERROR})
PLANNING = ("round", "opens_at", "questions", "seconds")
#: How a plan looks a cell up: a row's cells and a column key → the cell.
_At = Callable[[Sequence[Cell], str], Cell]

REMOVED = Text(
    "Đảng ủy đã bỏ kỳ thi này khỏi Lịch thi chung nên chi bộ không tổ chức. Nếu đảng ủy ghi "
    "lại, kỳ thi tiếp tục như thường.",
    "The committee took this round off its Joint schedule, so the cell does not hold it. If "
    "the committee puts it back, it goes on as usual.",
)
CLASH = Text(
    'Mã kỳ thi "{round}" trùng với một kỳ thi chung của đảng ủy (trang {joint}): cả hai sẽ '
    'ghi vào cùng trang "{tab}". Hãy đổi mã kỳ thi của chi bộ, ví dụ "{example}".',
    'The round id "{round}" is also one of the committee\'s joint rounds ({joint} tab): both '
    'would write the same "{tab}" tab. Change the cell\'s round id, e.g. "{example}".',
)

_NOTES = {
    "round": Text(
        "Dịch vụ chép từ Lịch thi chung của đảng ủy; không sửa ở đây. Kết quả của chi bộ ghi "
        "vào trang Kết quả <mã kỳ thi>.",
        "Copied by the service from the committee's Joint schedule; do not edit it here. The "
        "cell's results go to the Results <round> tab.",
    ),
    "opens_at": Text(
        "Chép từ Lịch thi chung: khi đảng ủy dời giờ, dịch vụ chép giờ mới sang, cho đến lúc "
        "bài thi của chi bộ mở.",
        "Copied from the Joint schedule: when the committee moves it, the service copies the "
        "new time, until the cell's quiz has opened.",
    ),
    "questions": Text("Chép từ Lịch thi chung: số câu hỏi.",
                      "Copied from the Joint schedule: the number of questions."),
    "seconds": Text("Chép từ Lịch thi chung: số giây mỗi câu.",
                    "Copied from the Joint schedule: seconds per question."),
    "status": Text(
        "Dịch vụ tự ghi trạng thái kỳ thi chung ở chi bộ này: Chờ, Đã chuẩn bị, Đang mở, "
        "Đã đóng, Đã xếp hạng, Lỡ lịch, Lỗi.",
        "Written by the service: the joint round's state in this cell: Pending, Prepared, "
        "Open, Closed, Ranked, Missed, Error.",
    ),
    "form_link": Text("Dịch vụ tự ghi: đường link đảng viên của chi bộ mở để làm bài.",
                      "Written by the service: the link this cell's members open."),
    "form_id": Text("Dịch vụ tự ghi; không sửa.", "Written by the service; leave it."),
    "opened_at": Text("Dịch vụ tự ghi: lúc bài thi thực sự bắt đầu nhận bài.",
                      "Written by the service: when the quiz actually started taking responses."),
    "closed_at": Text("Dịch vụ tự ghi: lúc bài thi đóng.",
                      "Written by the service: when the quiz closed."),
    "note": Text(
        "Dịch vụ tự ghi khi có việc cần sửa (Trạng thái Lỗi hoặc Lỡ lịch) hoặc khi đảng ủy bỏ "
        "kỳ thi khỏi Lịch thi chung.",
        "Written by the service when something needs fixing (status Error or Missed), or "
        "when the committee took the round off its Joint schedule.",
    ),
}
WIDTHS = (14, 18, 8, 13, 14, 40, 20, 20, 20, 50)
FORMATS = {1: "dd/mm/yyyy hh:mm", 7: DATETIME_FORMAT, 8: DATETIME_FORMAT}


def joint_ledger_tab(
    joint_rounds: Sequence[Round], language: str, *, tz: tzinfo
) -> SheetTab:
    """A new ``Thi chung`` tab: every column with a note on its header, a row per joint round.

    Made once (with ``add_tabs``, which never touches an existing tab); from then on
    :func:`plan_joint_ledger` keeps it in step.
    """
    rows: list[list[Cell]] = [[column.header(language) for column in JOINT_ROUNDS.columns]]
    rows += [_planning(round_, tz) for round_ in joint_rounds]
    notes = {(HEADER_ROW, c): _NOTES[column.key](language)
             for c, column in enumerate(JOINT_ROUNDS.columns, start=1)}
    return SheetTab(
        title=JOINT_ROUNDS.title(language),
        rows=rows,
        header_row=HEADER_ROW,
        column_widths=WIDTHS,
        number_formats=FORMATS,
        notes=notes,
        wrap_columns=frozenset({9}),
    )


class LedgerPlan(NamedTuple):
    """What keeps a cell's ``Thi chung`` in step with the registry."""

    writes: list[CellWrite]  # the cells to write, in one batch (nothing when in step)
    rounds: list[Round]  # the joint rounds to run in this cell, as they read after the writes
    problems: list[Problem]  # rows that cannot be read (the engine notes them on their rows)
    place: ColumnPlace  # where the tab's columns are, after the writes


def plan_joint_ledger(
    rows: Sequence[Sequence[Cell]] | None,
    joint_rounds: Sequence[Round],
    language: str,
    *,
    tz: tzinfo,
    quiz: QuizSettings,
    title: str | None = None,
    date_order: str = "dmy",
    title_limit: int = TITLE_LIMIT_GOOGLE,
) -> LedgerPlan:
    """Keep a cell's ``Thi chung`` (``rows`` as read; ``None``: just made, empty) in step.

    ``joint_rounds`` are the registry's (:attr:`automation.registry.Registry.rounds`).
    ``title`` is the tab's title as found (default: the configured language's). The
    returned rounds are read exactly as :func:`automation.bank.read_bank` reads
    ``Lịch thi`` (``quiz`` gives the defaults of blank cells), and hold only the rounds
    this cell is to run. Running the plan again on the tab as written gives no writes.
    """
    title = title or JOINT_ROUNDS.title(language)
    grid = [list(row) for row in rows or []]
    if not grid:
        grid.append([])
    writes: list[CellWrite] = []

    def put(row: int, column: int, value: Cell) -> None:
        cells = grid[row - 1]
        cells.extend([None] * (column - len(cells)))
        cells[column - 1] = value
        writes.append(CellWrite(title, row, column, value))

    index = _columns(grid[0])
    width = max((c + 1 for c, v in enumerate(grid[0]) if not is_blank(v)), default=0)
    for column in JOINT_ROUNDS.columns:  # the service owns the tab: a missing column is added
        if column.key not in index:
            width += 1
            index[column.key] = width - 1
            put(HEADER_ROW, width, column.header(language))

    def at(cells: Sequence[Cell], key: str) -> Cell:
        position = index[key]
        return cells[position] if position < len(cells) else None

    by_round: dict[str, int] = {}  # round key -> its first row (a later one is a repeat)
    last = HEADER_ROW
    for number, cells in enumerate(grid[1:], start=HEADER_ROW + 1):
        if any(not is_blank(v) for v in cells):
            last = number
        key = normalize(round_id_text(at(cells, "round")))
        if key:
            by_round.setdefault(key, number)

    wanted = {normalize(r.round_id) for r in joint_rounds}
    removed = {normalize(REMOVED.vi), normalize(REMOVED.en)}
    for round_ in joint_rounds:
        found = by_round.get(normalize(round_.round_id))
        if found is None:
            last += 1
            while len(grid) < last:
                grid.append([])
            for key, value in zip(PLANNING, _planning(round_, tz), strict=True):
                put(last, index[key] + 1, value)
            continue
        cells = grid[found - 1]
        if not _unopened(cells, at):
            continue
        for key in ("opens_at", "questions", "seconds"):
            if not _same(key, at(cells, key), round_, tz, date_order):
                put(found, index[key] + 1, _planning(round_, tz)[PLANNING.index(key)])
        if normalize(cell_text(at(cells, "note"))) in removed:
            put(found, index["note"] + 1, "")
    for key, number in by_round.items():
        cells = grid[number - 1]
        if key not in wanted and _unopened(cells, at) and cell_text(at(cells, "note")) != (
                REMOVED(language)):
            put(number, index["note"] + 1, REMOVED(language))

    tab = _Tab(JOINT_ROUNDS, title, grid, language)
    tab.read_header(("round", "opens_at"))
    rounds, _ = _read_schedule(tab, quiz, tz, date_order, title_limit)
    held = [r for r in rounds if normalize(r.round_id) in wanted or not _unopened_round(r)]
    return LedgerPlan(writes, held, list(tab.problems), tab.place())


def _columns(header: Sequence[Cell]) -> dict[str, int]:
    """Each column key → its 0-based position; the first of two alike counts."""
    index: dict[str, int] = {}
    for position, value in enumerate(header):
        column: Column | None = JOINT_ROUNDS.find_column(cell_text(value))
        if column is not None and column.key not in index:
            index[column.key] = position
    return index


def _planning(round_: Round, tz: tzinfo) -> list[Cell]:
    """The planning cells of a joint round, as the ledger holds them."""
    return [round_.round_id, round_.opens_at.astimezone(tz), round_.question_count,
            round_.seconds_per_question]


def _unopened(cells: Sequence[Cell], at: _At) -> bool:
    """Whether a ledger row's round has surely not opened (unknown words: it may have)."""
    status = Status.parse(cell_text(at(cells, "status")))
    return (status in NOT_OPENED and is_blank(at(cells, "opened_at"))
            and is_blank(at(cells, "closed_at")))


def _unopened_round(round_: Round) -> bool:
    return (round_.status in NOT_OPENED and round_.opened_at is None
            and round_.closed_at is None)


def _same(key: str, value: Cell, round_: Round, tz: tzinfo, date_order: str) -> bool:
    """Whether a planning cell already says what the registry says."""
    if key == "opens_at":
        try:
            moment = parse_datetime(value, tz, date_order)
        except DateTimeError:
            return False
        return moment is not None and moment == round_.opens_at
    wanted = round_.question_count if key == "questions" else round_.seconds_per_question
    return _whole(value) == wanted


# --- a cell's own rounds and the joint ones -------------------------------------------------


def clashes(own_rounds: Sequence[Round], joint_rounds: Sequence[Round], language: str,
            *, schedule_title: str | None = None) -> list[Problem]:
    """A cell's own round (``Lịch thi``) whose id is a joint round's: both would write
    ``Kết quả <id>``. Named on the cell's own row, which the secretary can rename."""
    joint = {normalize(r.round_id) for r in joint_rounds}
    tab = schedule_title or SCHEDULE.title(language)
    return [
        Problem(tab, r.row, SCHEDULE.column("round").header(language), CLASH(
            language, round=r.round_id, joint=JOINT_ROUNDS.title(language),
            tab=RESULTS.title(language, r.round_id), example=f"{r.round_id}-cb"))
        for r in own_rounds
        if normalize(r.round_id) in joint
    ]
