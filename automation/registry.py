"""The committee's registry: its cells, its joint rounds and their questions, read and checked.

Pure core, like :mod:`automation.bank` (and read with the bank's own rules): rows of
cells in, plain records and every :class:`~automation.model.Problem` out, named by
tab, row and column in the configured language. A committee (đảng ủy xã) runs one
service for all its cells; its registry spreadsheet holds

* ``Chi bộ`` (``Cells``): each cell, its spreadsheet (a Google Sheet link or id; for a
  local registry a workbook path, relative to the registry's folder) and whether it is
  on, with the service columns ``Trạng thái`` and ``Kiểm tra lúc``;
* ``Lịch thi chung`` (``Joint schedule``): the secretary columns of ``Lịch thi``, read
  as the bank reads ``Lịch thi``; a round id must also fit ``Kết quả chung <id>``;
* ``Câu hỏi``: the joint rounds' questions, read exactly as a cell's bank.

Decisions worth knowing:

* A row with any problem is left out of :attr:`Registry.cells` (the service never
  acts on a half-understood row); its ``Trạng thái`` says why (:func:`status_writes`).
  An off cell is still checked: a wrong link is wrong whether or not it is used.
* ``Lịch thi chung`` is optional (no tab: no joint rounds, no problem); ``Câu hỏi``
  is needed once a joint round is planned.
* Each cell gets a stable, readable, URL-safe path for the local web form
  (:func:`cell_path`): the name without accents, lower case, ``-`` between words.
  Two names giving one path are a problem of the second row, naming the first.

The ``Chi bộ`` rows themselves are read in :mod:`automation.registrycells`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from automation.bank import (
    _REQUIRED,
    ROUND_BAD_CHARACTER,
    ROUND_TOO_LONG,
    ROUND_UNKNOWN,
    _open_tab,
    _read_questions,
    _read_schedule,
    _round_id_problem,
    _short,
    _Tab,
    round_id_text,
)
from automation.config import QuizSettings
from automation.layout import (
    CELLS,
    JOINT_RESULTS,
    JOINT_SCHEDULE,
    QUESTIONS,
    SCHEDULE,
    TITLE_FORBIDDEN,
    TITLE_LIMIT_GOOGLE,
    find_tab,
    joint_round_id_room,
    round_id_room,
)
from automation.model import ColumnPlace, Problem, Question, Round
from automation.ports import CellWrite
from automation.registrycells import (
    BACKENDS,
    CellRow,
    RegistryCell,
    cell_path,
    example_path,
    location_key,
    read_cells,
)
from automation.text import Cell, normalize

__all__ = [
    "CellRow",
    "Registry",
    "RegistryCell",
    "cell_path",
    "example_path",
    "location_key",
    "read_registry",
    "status_writes",
]

#: Characters of ``Trạng thái`` at most (a cell a person reads at a glance).
STATUS_LIMIT = 450
STATUS_OK = "OK"

# --- the registry -------------------------------------------------------------------


@dataclass(frozen=True)
class Registry:
    """The committee's registry, read and validated."""

    cells: tuple[RegistryCell, ...]  # the valid rows, on and off, in sheet order
    rounds: tuple[Round, ...]  # the joint rounds (no service state: each cell keeps its own)
    questions: tuple[Question, ...]  # the joint questions
    places: Mapping[str, ColumnPlace]  # TabSpec.key (CELLS, JOINT_SCHEDULE, QUESTIONS) -> place
    problems: tuple[Problem, ...] = ()
    rows: tuple[CellRow, ...] = ()  # every non-blank row of Chi bộ, for its service columns

    @property
    def active(self) -> tuple[RegistryCell, ...]:
        """The cells that are on."""
        return tuple(cell for cell in self.cells if cell.on)

    def cell(self, name: str) -> RegistryCell | None:
        wanted = normalize(name)
        return next((cell for cell in self.cells if cell.key == wanted), None)

    def round(self, round_id: str) -> Round | None:
        wanted = normalize(round_id)
        return next((r for r in self.rounds if normalize(r.round_id) == wanted), None)


def _joint_round_problem(round_id: str, language: str, title_limit: int) -> str:
    """Why ``round_id`` cannot name ``Kết quả chung <id>`` (and its cells' tabs), or ``""``."""
    tab = _short(JOINT_RESULTS.title(language, round_id))
    bad = sorted({c for c in round_id if c in TITLE_FORBIDDEN})
    if bad or round_id.startswith("'") or round_id.endswith("'"):
        example = "".join("-" if c in TITLE_FORBIDDEN else c for c in round_id).strip("'")
        return ROUND_BAD_CHARACTER(language, value=_short(round_id),
                                   chars=" ".join(bad) if bad else "'", tab=tab,
                                   example=_short(example or "2024-03"))
    room = joint_round_id_room(title_limit)
    if len(round_id) > room:
        return ROUND_TOO_LONG(language, value=_short(round_id), length=len(round_id), tab=tab,
                              limit=title_limit, room=room)
    return ""


def _read_joint_schedule(
    tab: _Tab, quiz: QuizSettings, tz: tzinfo, date_order: str, title_limit: int
) -> tuple[list[Round], dict[str, str]]:
    """``Lịch thi chung`` by the bank's schedule rules, its ids held to the joint tab's room.

    The bank is asked with the title limit that leaves a round id exactly the joint
    room, so it refuses the same ids; its words about the cell's ``Kết quả <id>`` are
    then put in terms of ``Kết quả chung <id>`` and the real limit.
    """
    room = joint_round_id_room(title_limit)
    strict = room + (title_limit - round_id_room(title_limit))
    rounds, round_ids = _read_schedule(tab, quiz, tz, date_order, strict)
    lang = tab.language

    def joint(round_id: str, message: str) -> str | None:
        if round_id and message == _round_id_problem(round_id, lang, strict):
            return _joint_round_problem(round_id, lang, title_limit)
        return None

    _reword(tab, joint)
    return rounds, round_ids


def _joint_question_problems(tab: _Tab) -> None:
    """A question's unknown round is one of ``Lịch thi chung``, not of ``Lịch thi``."""
    lang = tab.language

    def joint(round_id: str, message: str) -> str | None:
        value = _short(round_id)
        if message == ROUND_UNKNOWN(lang, value=value, schedule=SCHEDULE.title(lang)):
            return ROUND_UNKNOWN(lang, value=value, schedule=JOINT_SCHEDULE.title(lang))
        return None

    _reword(tab, joint)


def _reword(tab: _Tab, reword: Callable[[str, str], str | None]) -> None:
    """Put the bank's words about a row's round id (``Kỳ thi``) in the registry's terms:
    ``reword(round id as written, message)`` gives the new message, or ``None`` to keep it."""
    column = tab.header("round")
    index = tab.index.get("round")
    for i, problem in enumerate(tab.problems):
        if problem.column != column or problem.row is None or index is None:
            continue
        cells = tab.rows[problem.row - 1]
        round_id = round_id_text(cells[index] if index < len(cells) else None)
        message = reword(round_id, problem.message)
        if message is not None:
            tab.problems[i] = replace(problem, message=message)


def read_registry(
    tabs: Mapping[str, list[list[Cell]]],
    *,
    quiz: QuizSettings,
    tz: tzinfo,
    language: str = "vi",
    date_order: str = "dmy",
    title_limit: int = TITLE_LIMIT_GOOGLE,
    backend: str = "local",
    itself: str = "",
) -> Registry:
    """Read the registry's three tabs (found by title in either language) into a ``Registry``.

    ``backend`` says what ``Bảng tính`` holds (``google``: a Sheet link or id;
    ``local``: a workbook path). ``itself`` is how a row would name the registry
    (its id, or its file name beside the cells' paths): a cell listing it is a
    problem. ``title_limit`` as for :func:`automation.bank.read_bank`. Every
    problem is in ``Registry.problems`` (cells, joint schedule, questions).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    problems: list[Problem] = []
    places: dict[str, ColumnPlace] = {}

    cells: list[RegistryCell] = []
    rows: list[CellRow] = []
    cells_tab, found = _open_tab(tabs, CELLS, language, _REQUIRED_CELLS)
    problems += found
    if cells_tab is not None:
        if cells_tab.readable:
            cells, rows = read_cells(cells_tab, backend, itself)
        problems += cells_tab.problems
        places[CELLS.key] = cells_tab.place()

    rounds: list[Round] = []
    round_ids: dict[str, str] | None = None
    planned = False
    if find_tab(tabs.keys(), JOINT_SCHEDULE) is not None:
        schedule, found = _open_tab(tabs, JOINT_SCHEDULE, language, _REQUIRED_SCHEDULE)
        assert schedule is not None
        problems += found
        if schedule.readable:
            rounds, round_ids = _read_joint_schedule(schedule, quiz, tz, date_order, title_limit)
            planned = bool(schedule.records())
        problems += schedule.problems
        places[JOINT_SCHEDULE.key] = schedule.place()

    questions: list[Question] = []
    if find_tab(tabs.keys(), QUESTIONS) is not None or planned:
        questions_tab, found = _open_tab(tabs, QUESTIONS, language, _REQUIRED[QUESTIONS.key])
        problems += found
        if questions_tab is not None:
            if questions_tab.readable:
                questions = _read_questions(questions_tab, round_ids)
                _joint_question_problems(questions_tab)
            problems += questions_tab.problems
            places[QUESTIONS.key] = questions_tab.place()

    return Registry(
        cells=tuple(cells),
        rounds=tuple(rounds),
        questions=tuple(questions),
        places=places,
        problems=tuple(problems),
        rows=tuple(rows),
    )


_REQUIRED_CELLS = tuple(c.key for c in CELLS.columns if c.required)
_REQUIRED_SCHEDULE = tuple(c.key for c in JOINT_SCHEDULE.columns if c.required)

# --- the service columns ----------------------------------------------------------------


def status_writes(
    registry: Registry,
    verdicts: Mapping[str, str],
    *,
    checked_at: datetime | None = None,
    tz: tzinfo | None = None,
    language: str = "vi",
) -> list[CellWrite]:
    """The ``Trạng thái`` / ``Kiểm tra lúc`` cells to write, only those that change.

    A row with a problem says it (the column, then what to do); any other row
    takes ``verdicts[name]`` when given (``OK``, or what went wrong with the
    cell's spreadsheet, in plain words); rows without either are left as they
    are. ``checked_at`` (written in ``tz``) stamps every row given a text. A
    missing service column gets its header at the end of the header row.
    """
    place = registry.places.get(CELLS.key)
    if place is None:
        return []
    columns = dict(place.columns)
    width = place.width
    writes: list[CellWrite] = []

    def column(key: str) -> int:
        nonlocal width
        if key not in columns:
            width += 1
            columns[key] = width
            writes.append(CellWrite(place.title, place.header_row, width,
                                    CELLS.column(key).header(language)))
        return columns[key]

    wanted = {normalize(name): text for name, text in verdicts.items()}
    said: dict[int, list[str]] = {}
    for problem in registry.problems:
        if problem.tab == place.title and problem.row is not None and problem.row > 1:
            said.setdefault(problem.row, []).append(
                f"{problem.column}: {problem.message}" if problem.column else problem.message)
    for row in registry.rows:
        if row.row in said:
            text = " ".join(said[row.row])
        elif normalize(row.name) in wanted and row.name:
            text = wanted[normalize(row.name)]
        else:
            continue
        text = text[:STATUS_LIMIT]
        if text != row.status:
            writes.append(CellWrite(place.title, row.row, column("status"), text))
        if checked_at is not None:
            moment = checked_at.astimezone(tz) if tz is not None else checked_at
            writes.append(CellWrite(place.title, row.row, column("checked_at"), moment))
    return writes
