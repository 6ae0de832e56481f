"""A round's life, performed: the steps any kind of round takes, over a ledger tab.

The monthly quiz (rows of ``Lịch thi``), a committee's joint contest (rows of
``Thi chung``) and the monthly self-assessment (rows of ``Phiếu tự đánh
giá``) live the same life: a form is built (prepared), opened, closed, and
then its responses become something (a ranking, the self-assessment column).
:class:`RoundLife` performs that life, as :mod:`automation.lifecycle` decides
it, for any :class:`Practice`: the practice says how to build its form and
what to do with the responses; the engine does everything else the same way.

Each step does its outside work first and records it in the ledger row last,
and every outside step is idempotent, so a crash anywhere is mended by the
next tick. When the ledger could not be written (a workbook left open in
Excel), the round follows its form's own state rather than being missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from automation.config import Settings
from automation.i18n import Text
from automation.layout import Status, TabSpec
from automation.lifecycle import Step, due_step, follow_form, next_moment, next_status
from automation.model import ColumnPlace, Round
from automation.ports import (
    BackendError,
    CellWrite,
    Forms,
    FormSpec,
    InputError,
    Spreadsheet,
    WorkbookLocked,
)
from automation.text import Cell
from automation.throttle import Deferred

log = logging.getLogger("automation")

MAX_STEPS_PER_TICK = 6
NOTE_LIMIT = 450

MISSED = Text(
    "Biểu mẫu không được mở đúng giờ (dịch vụ không chạy lúc {opens}). Để thi lại, sửa Mở lúc "
    "sang thời điểm mới.",
    "The form was not opened in time (the service was not running at {opens}). To hold the "
    "round, change Opens at to a new time.",
)
OUTSIDE_FAILURE = Text(
    "Lỗi kết nối, sẽ tự thử lại ở lần sau: {error}",
    "A connection problem; it will be retried automatically: {error}",
)
UNEXPECTED = Text(
    "Lỗi không lường trước ({error}); sẽ tự thử lại ở lần sau. Nếu lỗi còn lặp lại, hãy báo "
    "người quản trị xem nhật ký của dịch vụ.",
    "Unexpected failure ({error}); it will be retried automatically. If it keeps coming back, "
    "ask the admin to look at the service's log.",
)
SHEET_LAGGED = Text(
    "Biểu mẫu đã mở lúc {opened} nhưng khi đó không ghi được vào bảng tính (tệp đang mở trong "
    "Excel hoặc LibreOffice?). Dịch vụ vẫn đóng và xếp hạng theo chính biểu mẫu. Lần sau hãy "
    "đóng tệp bảng tính trước giờ thi.",
    "The form opened at {opened} but the spreadsheet could not be written then (open in Excel "
    "or LibreOffice?). The service still closed and ranked it by the form itself. Next time, "
    "close the spreadsheet file before the meeting.",
)


class StepProblem(Exception):
    """A problem the secretary must fix; its message goes into the round's note."""


def shown(moment: datetime, settings: Settings) -> str:
    """A time inside a message, as people read it: ``dd/mm/yyyy HH:MM:SS`` in the cell's zone."""
    return moment.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M:%S")


@dataclass(frozen=True)
class Change:
    """One round moved from one status to another."""

    round_id: str
    before: Status
    after: Status
    detail: str = ""


@dataclass
class TickReport:
    """What a tick did: state changes, problems noted for the secretary, outside failures."""

    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: Rounds whose step waits for the requests budget (a committee's service): no
    #: problem, the step is taken again as soon as the budget allows.
    deferred: list[str] = field(default_factory=list)
    #: The next moment a round's step falls due (the service wakes then); None: none known.
    next_moment: datetime | None = None

    def expect(self, moment: datetime | None) -> None:
        """Remember ``moment`` if it comes before the next one known."""
        if moment is not None and (self.next_moment is None or moment < self.next_moment):
            self.next_moment = moment

    @contextmanager
    def budget_permitting(self, what: str) -> Iterator[None]:
        """A part of the tick that may wait for the requests budget: when it must, it is
        noted as deferred (taken up again soon) and the rest of the tick goes on."""
        try:
            yield
        except Deferred:
            self.deferred.append(what)

    def merge(self, other: TickReport) -> None:
        self.changes += other.changes
        self.problems += other.problems
        self.failures += other.failures
        self.deferred += other.deferred
        self.expect(other.next_moment)


@dataclass
class TabPlace:
    """Where a tab's columns are; a service column found missing is added at its end."""

    spec: TabSpec
    title: str
    header_row: int
    columns: dict[str, int]
    width: int

    @classmethod
    def of(cls, spec: TabSpec, place: ColumnPlace) -> TabPlace:
        return cls(spec, place.title, place.header_row, dict(place.columns), place.width)


class Sheet:
    """The spreadsheet as one tick saw it: the cells it read, and writes to service cells.

    Shared by every practice of the tick, so a service column added for one row is
    known to the next write, and a workbook found locked is not waited for again.
    """

    def __init__(self, spreadsheet: Spreadsheet, language: str,
                 raw: Mapping[str, list[list[Cell]]] | None = None) -> None:
        self.spreadsheet = spreadsheet
        self.language = language
        self.raw: dict[str, list[list[Cell]]] = dict(raw or {})
        self.places: dict[str, TabPlace] = {}
        self.locked = False  # a write of this tick found the workbook open in another program

    def know(self, spec: TabSpec, place: ColumnPlace) -> None:
        self.places[spec.key] = TabPlace.of(spec, place)

    def cells(self, spec: TabSpec, row: int, values: Mapping[str, Cell]) -> list[CellWrite]:
        """Writes for service cells of one row; a missing service column gets its header first."""
        place = self.places[spec.key]
        writes: list[CellWrite] = []
        for key, value in values.items():
            if key not in place.columns:
                place.width += 1
                place.columns[key] = place.width
                header = spec.column(key).header(self.language)
                writes.append(CellWrite(place.title, place.header_row, place.width, header))
            writes.append(CellWrite(place.title, row, place.columns[key], value))
        return writes

    def current(self, spec: TabSpec, row: int, key: str) -> Cell:
        """A cell as the tick's read saw it."""
        place = self.places[spec.key]
        column = place.columns.get(key)
        cells = self.raw.get(place.title, [])
        if column is None or row - 1 >= len(cells) or column - 1 >= len(cells[row - 1]):
            return None
        return cells[row - 1][column - 1]

    def write(self, writes: Sequence[CellWrite]) -> None:
        """Write the cells, and keep what this tick read in step with them."""
        try:
            self.spreadsheet.update_cells(writes)
        except WorkbookLocked:
            self.locked = True
            raise
        for write in writes:
            rows = self.raw.setdefault(write.tab, [])
            while len(rows) < write.row:
                rows.append([])
            cells = rows[write.row - 1]
            cells.extend([None] * (write.column - len(cells)))
            cells[write.column - 1] = write.value


@dataclass(frozen=True)
class Prepared:
    """What a practice builds at PREPARE: the form, and what else to write with the link."""

    spec: FormSpec
    extra: Sequence[CellWrite] = ()
    note: str = ""


class Practice(Protocol):
    """What one kind of round does at the steps that differ.

    ``ledger`` is the tab spec of the rows that hold its rounds' state (their
    service columns have the keys of ``Lịch thi``'s: status, form_link,
    form_id, opened_at, closed_at, note).
    """

    ledger: TabSpec
    grace: timedelta
    prepare_ahead: timedelta

    def label(self, round_: Round) -> str:
        """How a round is named in messages (``2023-03``, ``Tự đánh giá 2027-03``)."""
        ...

    def status_word(self, status: Status) -> str:
        """How the ledger's status column says ``status`` (the practice's own words)."""
        ...

    def prepare(self, round_: Round) -> Prepared:
        """The form to build (raise :class:`StepProblem` when the secretary must fix something)."""
        ...

    def finish(self, round_: Round) -> None:
        """Read the closed round's responses and write what comes of them (the RANK step)."""
        ...

    def restated(self, round_: Round, opened_at: datetime) -> str | None:
        """The form's rules again when it opened at ``opened_at`` (late: the deadline they
        state moved); None when what the form says still holds."""
        ...


class RoundLife:
    """Moves one practice's rounds through their steps over one spreadsheet and forms service."""

    def __init__(self, sheet: Sheet, forms: Forms, settings: Settings, practice: Practice, *,
                 on_link: Callable[[str, str], None] | None = None) -> None:
        self.sheet = sheet
        self.forms = forms
        self.settings = settings
        self.practice = practice
        self.on_link = on_link  # told (round id, link) when a round's link is written
        self.language = settings.language
        self._followed: set[str] = set()  # rounds that followed their form this tick
        self.moved: list[Round] = []  # the rounds of the last run, as they stand after it

    def run(self, rounds: Sequence[Round], now: datetime) -> TickReport:
        """Every round moves as far as its time allows; the report says when next to wake."""
        outcome = TickReport()
        self.moved = []
        for round_ in rounds:
            moved = self.advance(round_, now, outcome)
            self.moved.append(moved)
            # A round whose record waits for the budget still wakes the service at its
            # next moment: its form closes on time, followed from the form's own state.
            outcome.expect(next_moment(moved, now, prepare_ahead=self.practice.prepare_ahead,
                                       grace=self.practice.grace))
        return outcome

    def advance(self, round_: Round, now: datetime, outcome: TickReport, *,
                only: Step | None = None) -> Round:
        """Perform every step due for ``round_`` (or just ``only``), recording each."""
        practice = self.practice
        label = practice.label(round_)
        for _ in range(MAX_STEPS_PER_TICK):
            step = only or due_step(round_, now, prepare_ahead=practice.prepare_ahead,
                                    grace=practice.grace)
            if step is Step.NONE:
                break
            before = round_.status
            try:
                if step is Step.MISS and round_.form_id:
                    followed = self._follow_form(round_)
                    if followed is not round_:
                        round_ = followed
                        outcome.changes.append(Change(label, before, round_.status))
                        continue
                round_ = self.perform(step, round_, now)
            except (StepProblem, InputError) as problem:  # the secretary (or admin) must fix it
                round_ = self.record_problem(round_, str(problem))
                outcome.problems.append(f"{label}: {problem}")
                break
            except Deferred:  # what was done outside stands; its record follows
                outcome.deferred.append(label)
                break
            except BackendError as failure:
                round_ = self.record_problem(round_, OUTSIDE_FAILURE(self.language, error=failure))
                outcome.failures.append(f"{label}: {failure}")
                break
            except Exception as bug:  # one round's unexpected failure must not stop the others
                log.exception("%s: %s failed", label, step.value)
                round_ = self.record_problem(
                    round_, UNEXPECTED(self.language, error=f"{type(bug).__name__}: {bug}")
                )
                outcome.failures.append(f"{label}: {type(bug).__name__}: {bug}")
                break
            outcome.changes.append(Change(label, before, round_.status, round_.form_link))
            if only is not None:  # a step by hand: just that one (closing is followed by ranking)
                if step is not Step.CLOSE:
                    break
                only = Step.RANK
        return round_

    def perform(self, step: Step, round_: Round, now: datetime) -> Round:
        """Do one step's outside work, then record it in the ledger."""
        if step is Step.PREPARE:
            prepared = self.practice.prepare(round_)
            ref = self.forms.build(prepared.spec)
            done = self.record(round_, Step.PREPARE, form_id=ref.form_id, form_link=ref.url,
                               note=prepared.note, extra=prepared.extra)
            if self.on_link is not None:
                self.on_link(round_.round_id, ref.url)
            return done
        if step is Step.OPEN:
            opened = self.forms.open(round_.form_id, round_.time_allowed + self.practice.grace)
            restated = self.practice.restated(round_, opened)
            if restated is not None:
                self.forms.restate(round_.form_id, restated)
            return self.record(round_, Step.OPEN, opened_at=opened, note="")
        if step is Step.CLOSE:
            closed = self.forms.close(round_.form_id)
            return self.record(round_, Step.CLOSE, closed_at=closed)
        if step is Step.RANK:
            self.practice.finish(round_)
            # A round that had to follow its form keeps the note saying why.
            kept = round_.note if round_.round_id in self._followed else ""
            return self.record(round_, Step.RANK, note=kept)
        if step is Step.RESCHEDULE:
            return self.record(round_, Step.RESCHEDULE, note="")
        if step is Step.MISS:
            opens = round_.opens_at.astimezone(self.settings.tz).strftime("%d/%m/%Y %H:%M")
            return self.record(round_, Step.MISS, note=MISSED(self.language, opens=opens))
        raise ValueError(step)

    def _follow_form(self, round_: Round) -> Round:
        """Before a prepared round is marked missed: did its form open after all?

        When it did (the ledger could not be written at the time), the round
        follows the form, and what the form shows is written into the ledger
        now; if that write fails too, the round still moves on in memory, so
        the form is closed on time.
        """
        followed = follow_form(round_, self.forms.status(round_.form_id))
        if followed.opened_at is None:
            return round_
        note = SHEET_LAGGED(self.language, opened=shown(followed.opened_at, self.settings))
        self._followed.add(round_.round_id)
        try:
            self.write_state(followed, note=note)
        except Deferred:
            log.debug("%s: the schedule is written when the budget allows",
                      self.practice.label(round_))
        except BackendError as failure:
            log.warning("%s: the schedule still cannot be written: %s",
                        self.practice.label(round_), failure)
        return replace(followed, note=note[:NOTE_LIMIT])

    # --- writing the ledger ------------------------------------------------------

    def record(self, round_: Round, step: Step, *, extra: Sequence[CellWrite] = (),
               note: str | None = None, **changes: object) -> Round:
        """The round after ``step``, written into its ledger row (with ``extra`` writes)."""
        updated = replace(round_, status=next_status(step), **changes)  # type: ignore[arg-type]
        return self.write_state(updated, note=note, extra=extra)

    def write_state(self, round_: Round, *, note: str | None = None,
                    extra: Sequence[CellWrite] = ()) -> Round:
        """Write the round's whole state into its service cells, in one batch.

        Every service value the round holds is written, not only what the last
        step changed, so a ledger that lagged behind (a failed write) catches
        up at once. Times are real date-time cells in the configured zone.
        """
        if note is not None:
            round_ = replace(round_, note=note[:NOTE_LIMIT])
        tz = self.settings.tz
        values: dict[str, Cell] = {"status": self.practice.status_word(round_.status)}
        if round_.form_id:
            values["form_link"] = round_.form_link
            values["form_id"] = round_.form_id
        for key in ("opened_at", "closed_at"):
            moment: datetime | None = getattr(round_, key)
            values[key] = moment.astimezone(tz) if moment is not None else ""
        if note is not None:
            values["note"] = round_.note
        self.sheet.write([*self.sheet.cells(self.practice.ledger, round_.row, values), *extra])
        return round_

    def record_problem(self, round_: Round, message: str) -> Round:
        """Mark ``Lỗi`` with a note, unless that is what the sheet already says."""
        message = message[:NOTE_LIMIT]
        if round_.status is Status.ERROR and round_.note == message:
            return round_
        if self.sheet.locked:  # the workbook cannot be written now: a note cannot be either
            return round_
        try:
            self.sheet.write(self.sheet.cells(
                self.practice.ledger, round_.row,
                {"status": self.practice.status_word(Status.ERROR), "note": message}))
        except BackendError as failure:  # noted again next tick
            log.log(logging.DEBUG if isinstance(failure, Deferred) else logging.ERROR,
                    "%s: could not record the problem in the sheet: %s",
                    self.practice.label(round_), failure)
            return round_
        return replace(round_, status=Status.ERROR, note=message)


def note_defective_rows(sheet: Sheet, ledger: TabSpec, problems: Sequence[tuple[int, str]],
                        outcome: TickReport) -> None:
    """Ledger rows the core could not read get ``Lỗi`` and the reason in their note.

    ``problems`` are (sheet row, message) pairs. A row whose cells already say
    so is not written again.
    """
    place = sheet.places[ledger.key]
    by_row: dict[int, list[str]] = {}
    for row, message in problems:
        by_row.setdefault(row, []).append(message)
    writes: list[CellWrite] = []
    error = Status.ERROR.label(sheet.language)
    for row, messages in sorted(by_row.items()):
        note = " ".join(messages)[:NOTE_LIMIT]
        current = (sheet.current(ledger, row, "status"), sheet.current(ledger, row, "note"))
        if current != (error, note):
            writes += sheet.cells(ledger, row, {"status": error, "note": note})
        outcome.problems.append(f"{place.title}, {row}: {note}")
    if writes:
        sheet.write(writes)

