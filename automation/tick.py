"""The round's life, performed: one tick over a spreadsheet and a forms service.

A :class:`Quiz` wires a :class:`~automation.ports.Spreadsheet` and a
:class:`~automation.ports.Forms` to the core. :meth:`Quiz.tick` reads the
schedule once and moves every round whose time has come, step by step, as
:mod:`automation.lifecycle` decides. Each step is safe to repeat: it records
its outcome in the schedule's service columns only after the outside work is
done, and the outside work itself is idempotent (building a round's form
twice yields one form), so a crash anywhere is mended by the next tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from automation import report
from automation.bank import read_bank
from automation.config import Settings
from automation.i18n import Text, count
from automation.layout import (
    MEMBERS,
    QUESTION_STATS,
    QUESTIONS,
    RESPONSES,
    RESULTS,
    SCHEDULE,
    SEASON,
    SECRETARY_TABS,
    Status,
    TabSpec,
    find_tab,
)
from automation.lifecycle import (
    Step,
    due_step,
    follow_form,
    next_moment,
    next_status,
    planned_deadline,
)
from automation.model import Bank, ColumnPlace, Question, Round, RoundResult, RoundScore
from automation.ports import (
    BackendError,
    CellWrite,
    FormQuestion,
    FormResponse,
    Forms,
    FormSpec,
    InputError,
    SheetTab,
    Spreadsheet,
    WorkbookLocked,
)
from automation.ranking import rank_round, to_submission
from automation.selection import NotEnoughQuestions, select_questions
from automation.stats import question_stats, season_table
from automation.text import Cell, normalize

log = logging.getLogger("automation")

MAX_STEPS_PER_TICK = 6
NOTE_LIMIT = 450

NO_MEMBERS = Text(
    "Trang Đảng viên chưa có ai. Hãy ghi họ và tên các đảng viên để họ chọn tên khi làm bài.",
    "The Members tab is empty. Add the members' names so they can pick theirs in the form.",
)
SKIPPED_ROWS = Text(
    "Lưu ý: bỏ qua {rows} có lỗi: {details}",
    "Note: {rows} with problems skipped: {details}",
)
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
FORM_TITLE = Text("{title} - Kỳ {round}", "{title} - Round {round}")
FORM_DESCRIPTION = Text(
    "Kỳ thi {round}: {count} câu hỏi, {seconds} giây mỗi câu, thời gian làm bài {minutes}. "
    "Hạn nộp bài: {deadline}. Đảng viên nào có số điểm cao nhất và nộp bài sớm nhất sẽ về nhất.",
    "Round {round}: {count} questions, {seconds} seconds per question, {minutes} in all. "
    "Deadline: {deadline}. The highest score wins; among equal scores, the earliest submission.",
)
SHEET_LAGGED = Text(
    "Biểu mẫu đã mở lúc {opened} nhưng khi đó không ghi được vào bảng tính (tệp đang mở trong "
    "Excel hoặc LibreOffice?). Dịch vụ vẫn đóng và xếp hạng theo chính biểu mẫu. Lần sau hãy "
    "đóng tệp bảng tính trước giờ thi.",
    "The form opened at {opened} but the spreadsheet could not be written then (open in Excel "
    "or LibreOffice?). The service still closed and ranked it by the form itself. Next time, "
    "close the spreadsheet file before the meeting.",
)
NO_RESPONSES_SOURCE = Text(
    "Kỳ {round} chưa có biểu mẫu và chưa có trang Bài làm: không có gì để xếp hạng.",
    "Round {round} has no form and no Responses tab: there is nothing to rank.",
)


def shown(moment: datetime, settings: Settings) -> str:
    """A time inside a message, as people read it: ``dd/mm/yyyy HH:MM:SS`` in the cell's zone."""
    return moment.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M:%S")


def load_bank(sheet: Spreadsheet, settings: Settings) -> tuple[dict[str, list[list[Cell]]], Bank]:
    """Read the three secretary tabs in one read and validate them."""
    titles = sheet.tab_titles()
    found = [t for spec in SECRETARY_TABS if (t := find_tab(titles, spec))]
    raw = sheet.read(found)
    bank = read_bank(
        raw,
        quiz=settings.quiz,
        tz=settings.tz,
        language=settings.language,
        date_order=sheet.date_order,
        title_limit=sheet.title_limit,
    )
    return raw, bank


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
    #: The next moment a round's step falls due (the service wakes then); None: none known.
    next_moment: datetime | None = None

    def expect(self, moment: datetime | None) -> None:
        """Remember ``moment`` if it comes before the next one known."""
        if moment is not None and (self.next_moment is None or moment < self.next_moment):
            self.next_moment = moment


class StepProblem(Exception):
    """A problem the secretary must fix; its message goes into the round's note."""


class Quiz:
    """The service's work over one spreadsheet and one forms service."""

    def __init__(
        self,
        sheet: Spreadsheet,
        forms: Forms,
        settings: Settings,
        *,
        owner: str,
        on_link: Callable[[str, str], None] | None = None,
    ) -> None:
        self.sheet = sheet
        self.forms = forms
        self.settings = settings
        self.owner = owner  # what the forms are marked with: the spreadsheet id or workbook path
        self.on_link = on_link  # told (round id, link) when a round's link is written
        self.language = settings.language
        self._places: dict[str, _TabState] = {}
        self.results: dict[str, RoundResult] = {}  # the rounds this Quiz ranked, by round id
        self._raw: dict[str, list[list[Cell]]] = {}
        self._locked = False  # a write of this tick found the workbook open in another program
        self._followed: set[str] = set()  # rounds that followed their form this tick

    # --- reading ---------------------------------------------------------

    def load(self) -> Bank:
        """The secretary's tabs, read in one go and validated."""
        self._raw, bank = load_bank(self.sheet, self.settings)
        self._places = {key: _TabState.of(place) for key, place in bank.places.items()}
        return bank

    # --- the tick --------------------------------------------------------

    def tick(self, now: datetime) -> TickReport:
        """One pass: every round moves as far as its time allows."""
        outcome = TickReport()
        self._locked = False
        bank = self.load()
        if SCHEDULE.key not in bank.places:  # nowhere to act or to write a note
            outcome.problems.extend(
                p.describe(self.language) for p in bank.problems if p.row is None
            )
            return outcome
        self._note_defective_schedule_rows(bank, outcome)
        quiz = self.settings.quiz
        for round_ in bank.rounds:
            moved = self.advance(bank, round_, now, outcome)
            outcome.expect(
                next_moment(moved, now, prepare_ahead=quiz.prepare_ahead, grace=quiz.grace)
            )
        return outcome

    def advance(
        self,
        bank: Bank,
        round_: Round,
        now: datetime,
        outcome: TickReport,
        *,
        only: Step | None = None,
    ) -> Round:
        """Perform every step due for ``round_`` (or just ``only``), recording each."""
        quiz = self.settings.quiz
        for _ in range(MAX_STEPS_PER_TICK):
            step = only or due_step(round_, now, prepare_ahead=quiz.prepare_ahead, grace=quiz.grace)
            if step is Step.NONE:
                break
            before = round_.status
            try:
                if step is Step.MISS and round_.form_id:
                    followed = self._follow_form(round_)
                    if followed is not round_:
                        round_ = followed
                        outcome.changes.append(Change(round_.round_id, before, round_.status))
                        continue
                round_ = self.perform(step, bank, round_, now)
            except (StepProblem, InputError) as problem:  # the secretary (or admin) must fix it
                round_ = self._record_problem(round_, str(problem))
                outcome.problems.append(f"{round_.round_id}: {problem}")
                break
            except BackendError as failure:
                self._locked = self._locked or isinstance(failure, WorkbookLocked)
                round_ = self._record_problem(round_, OUTSIDE_FAILURE(self.language, error=failure))
                outcome.failures.append(f"{round_.round_id}: {failure}")
                break
            except Exception as bug:  # one round's unexpected failure must not stop the others
                log.exception("%s: %s failed", round_.round_id, step.value)
                round_ = self._record_problem(
                    round_, UNEXPECTED(self.language, error=f"{type(bug).__name__}: {bug}")
                )
                outcome.failures.append(f"{round_.round_id}: {type(bug).__name__}: {bug}")
                break
            outcome.changes.append(Change(round_.round_id, before, round_.status, round_.form_link))
            if only is not None:  # a step by hand: just that one (closing is followed by ranking)
                if step is not Step.CLOSE:
                    break
                only = Step.RANK
        return round_

    def perform(self, step: Step, bank: Bank, round_: Round, now: datetime) -> Round:
        """Do one step's outside work, then record it in the schedule."""
        if step is Step.PREPARE:
            return self._prepare(bank, round_, now)
        if step is Step.OPEN:
            duration = round_.time_allowed + self.settings.quiz.grace
            opened = self.forms.open(round_.form_id, duration)
            return self._record(round_, Step.OPEN, opened_at=opened, note="")
        if step is Step.CLOSE:
            closed = self.forms.close(round_.form_id)
            return self._record(round_, Step.CLOSE, closed_at=closed)
        if step is Step.RANK:
            self._rank(bank, round_)
            # A round that had to follow its form keeps the note saying why.
            kept = round_.note if round_.round_id in self._followed else ""
            return self._record(round_, Step.RANK, note=kept)
        if step is Step.RESCHEDULE:
            return self._record(round_, Step.RESCHEDULE, note="")
        if step is Step.MISS:
            opens = round_.opens_at.astimezone(self.settings.tz).strftime("%d/%m/%Y %H:%M")
            return self._record(round_, Step.MISS, note=MISSED(self.language, opens=opens))
        raise ValueError(step)

    def _follow_form(self, round_: Round) -> Round:
        """Before a prepared round is marked missed: did its form open after all?

        When it did (the schedule could not be written at the time), the round
        follows the form, and what the form shows is written into the schedule
        now; if that write fails too, the round still moves on in memory, so
        the form is closed on time.
        """
        followed = follow_form(round_, self.forms.status(round_.form_id))
        if followed.opened_at is None:
            return round_
        assert followed.opened_at is not None
        note = SHEET_LAGGED(self.language, opened=shown(followed.opened_at, self.settings))
        self._followed.add(round_.round_id)
        try:
            self._write_state(followed, note=note)
        except BackendError as failure:
            self._locked = self._locked or isinstance(failure, WorkbookLocked)
            log.warning("%s: the schedule still cannot be written: %s", round_.round_id, failure)
        return replace(followed, note=note[:NOTE_LIMIT])

    # --- the steps ---------------------------------------------------------

    def _prepare(self, bank: Bank, round_: Round, now: datetime) -> Round:
        try:
            questions = select_questions(bank.questions, round_)
        except NotEnoughQuestions as short:
            details = self._row_problems(bank, QUESTIONS)
            raise StepProblem(f"{short.message(self.language)} {details}".strip()) from short
        if self.settings.quiz.identity == "roster" and not bank.members:
            raise StepProblem(NO_MEMBERS(self.language))
        ref = self.forms.build(self.form_spec(bank, round_, questions))
        used = [
            write
            for q in questions
            if normalize(round_.round_id) not in {normalize(u) for u in q.used_in}
            for write in self._cells(
                QUESTIONS, q.row, {"used_in": ", ".join((*q.used_in, round_.round_id))}
            )
        ]
        warnings = " ".join(
            filter(None, (self._row_problems(bank, QUESTIONS), self._row_problems(bank, MEMBERS)))
        )
        prepared = self._record(
            round_, Step.PREPARE, form_id=ref.form_id, form_link=ref.url, note=warnings, extra=used
        )
        if self.on_link is not None:
            self.on_link(round_.round_id, ref.url)
        return prepared

    def form_spec(self, bank: Bank, round_: Round, questions: Sequence[Question]) -> FormSpec:
        quiz = self.settings.quiz
        deadline = planned_deadline(round_, quiz.grace).astimezone(self.settings.tz)
        return FormSpec(
            round_id=round_.round_id,
            owner=self.owner,
            title=FORM_TITLE(self.language, title=quiz.title, round=round_.round_id),
            description=FORM_DESCRIPTION(
                self.language,
                round=round_.round_id,
                count=len(questions),
                seconds=round_.seconds_per_question,
                minutes=report.duration_text(round_.time_allowed),
                deadline=deadline.strftime("%H:%M %d/%m/%Y"),
            ),
            identity=quiz.identity,
            member_names=tuple(m.name for m in bank.members),
            member_emails=tuple(m.email for m in bank.members if m.email),
            questions=tuple(
                FormQuestion(
                    title=q.text,
                    options=q.options,
                    multi=q.multi,
                    points=q.points,
                    correct=q.correct_texts,
                    explanation=q.explanation,
                )
                for q in questions
            ),
            shuffle_options=quiz.shuffle_options,
            seconds_allowed=int(round_.time_allowed.total_seconds()),
            language=self.language,
            ask_code=bank.codes_in_use,
            graded=quiz.show_score_after_submit,
            opens_at=round_.opens_at,
            seconds_per_question=round_.seconds_per_question,
            grace_seconds=quiz.grace_seconds,
            timezone=self.settings.timezone,
        )

    def _rank(self, bank: Bank, round_: Round) -> RoundResult:
        questions = self.round_questions(bank, round_)
        if round_.form_id:
            responses = self.forms.responses(round_.form_id)
        else:
            responses = self._stored_responses(round_, questions)
        return self.publish(bank, round_, questions, responses)

    def round_questions(self, bank: Bank, round_: Round) -> tuple[Question, ...]:
        """The questions a round was built with: those whose ``Đã dùng`` names it.

        A round the secretary renamed after its form was built (its id could not
        be a tab title, say) is no longer named there: its form's own question
        titles find its questions again.
        """
        wanted = normalize(round_.round_id)
        used = tuple(q for q in bank.questions if wanted in {normalize(u) for u in q.used_in})
        if used:
            return used
        if round_.form_id:
            titles = {normalize(t) for t in self.forms.status(round_.form_id).titles}
            built = tuple(q for q in bank.questions if q.key in titles)
            if built:
                return built
        try:
            return select_questions(bank.questions, round_)
        except NotEnoughQuestions as short:
            raise StepProblem(short.message(self.language)) from short

    def _stored_responses(self, round_: Round, questions: Sequence[Question]) -> list[FormResponse]:
        title = RESPONSES.find(self.sheet.tab_titles(), round_.round_id)
        if title is None:
            raise StepProblem(NO_RESPONSES_SOURCE(self.language, round=round_.round_id))
        rows = self.sheet.read([title]).get(title, [])
        return report.read_responses_tab(rows, questions, tz=self.settings.tz)

    def publish(
        self,
        bank: Bank,
        round_: Round,
        questions: Sequence[Question],
        responses: Sequence[FormResponse],
        *,
        scores: Mapping[str, float] | None = None,
    ) -> RoundResult:
        """Rank the responses and write the four result tabs (one batch)."""
        grace = self.settings.quiz.grace
        submissions = []
        for response in responses:
            submission = to_submission(response, questions)
            if scores and scores.get(response.response_id) is not None:
                submission = replace(submission, score=scores[response.response_id])
            submissions.append(submission)
        result = rank_round(
            round_id=round_.round_id,
            questions=questions,
            members=bank.members,
            submissions=submissions,
            opened_at=round_.opened_at or round_.opens_at,
            deadline=round_.deadline(grace),
            closed_at=round_.closed_at,
            identity=self.settings.quiz.identity,
        )
        self.sheet.write_tabs(self._result_tabs(bank, round_, questions, responses, result))
        self.results[round_.round_id] = result
        return result

    def _result_tabs(
        self,
        bank: Bank,
        round_: Round,
        questions: Sequence[Question],
        responses: Sequence[FormResponse],
        result: RoundResult,
    ) -> list[SheetTab]:
        tz, language = self.settings.tz, self.language
        titles = self.sheet.tab_titles()
        year = round_.opens_at.astimezone(tz).year
        others = {
            other.round_id: title
            for other in bank.rounds
            if other.round_id != round_.round_id
            and other.opens_at.astimezone(tz).year == year
            and other.status in (Status.RANKED, Status.RERANK)
            and (title := RESULTS.find(titles, other.round_id))
        }
        stats_title = QUESTION_STATS.find(titles)
        wanted = [*others.values(), *([stats_title] if stats_title else [])]
        existing = self.sheet.read(wanted) if wanted else {}
        scores = [
            s
            for rid, t in others.items()
            for s in report.read_round_scores(rid, existing.get(t, []))
        ]
        scores += [RoundScore(round_.round_id, e.name, e.rank or 0, e.score) for e in result.ranked]
        tabs = [
            report.results_tab(result, language=language, tz=tz),
            report.responses_tab(round_.round_id, questions, responses, language=language, tz=tz),
            report.stats_tab(
                existing.get(stats_title) if stats_title else None,
                question_stats(result),
                language=language,
            ),
            report.season_tab(year, season_table(scores), language=language),
        ]
        # Keep the title an existing tab already has (the language may have changed since).
        for tab, kind, suffix in zip(
            tabs,
            (RESULTS, RESPONSES, QUESTION_STATS, SEASON),
            (round_.round_id, round_.round_id, "", str(year)),
            strict=True,
        ):
            tab.title = kind.find(titles, suffix) or tab.title
        return tabs

    # --- writing the schedule ------------------------------------------------

    def record_ranked(self, round_: Round) -> Round:
        """Mark a round ranked (after :meth:`publish` of an export ranked by hand)."""
        return self._record(round_, Step.RANK, note="")

    def _record(
        self,
        round_: Round,
        step: Step,
        *,
        extra: Sequence[CellWrite] = (),
        note: str | None = None,
        **changes: object,
    ) -> Round:
        updated = replace(round_, status=next_status(step), **changes)  # type: ignore[arg-type]
        return self._write_state(updated, note=note, extra=extra)

    def _write_state(
        self, round_: Round, *, note: str | None = None, extra: Sequence[CellWrite] = ()
    ) -> Round:
        """Write the round's whole state into its service cells, in one batch.

        Every service value the round holds is written, not only what the last
        step changed, so a schedule that lagged behind (a failed write) catches
        up at once. Times are real date-time cells in the configured zone.
        """
        if note is not None:
            round_ = replace(round_, note=note[:NOTE_LIMIT])
        tz = self.settings.tz
        values: dict[str, Cell] = {"status": round_.status.label(self.language)}
        if round_.form_id:
            values["form_link"] = round_.form_link
            values["form_id"] = round_.form_id
        for key in ("opened_at", "closed_at"):
            moment: datetime | None = getattr(round_, key)
            values[key] = moment.astimezone(tz) if moment is not None else ""
        if note is not None:
            values["note"] = round_.note
        self.sheet.update_cells([*self._cells(SCHEDULE, round_.row, values), *extra])
        return round_

    def _record_problem(self, round_: Round, message: str) -> Round:
        """Mark ``Lỗi`` with a note, unless that is what the sheet already says."""
        message = message[:NOTE_LIMIT]
        if round_.status is Status.ERROR and round_.note == message:
            return round_
        if self._locked:  # the workbook cannot be written now: a note cannot be either
            return round_
        try:
            self.sheet.update_cells(
                self._cells(
                    SCHEDULE,
                    round_.row,
                    {"status": Status.ERROR.label(self.language), "note": message},
                )
            )
        except BackendError as failure:
            log.error("%s: could not record the problem in the sheet: %s", round_.round_id, failure)
            return round_
        return replace(round_, status=Status.ERROR, note=message)

    def _note_defective_schedule_rows(self, bank: Bank, outcome: TickReport) -> None:
        """A schedule row the core could not read gets ``Lỗi`` and the reason in its note."""
        place = bank.places[SCHEDULE.key]
        by_row: dict[int, list[str]] = {}
        for problem in bank.problems:
            if (
                problem.tab == place.title
                and problem.row is not None
                and problem.row > place.header_row
            ):
                by_row.setdefault(problem.row, []).append(
                    f"{problem.column}: {problem.message}" if problem.column else problem.message
                )
        writes: list[CellWrite] = []
        error = Status.ERROR.label(self.language)
        for row, messages in sorted(by_row.items()):
            note = " ".join(messages)[:NOTE_LIMIT]
            current = (self._current(SCHEDULE, row, "status"), self._current(SCHEDULE, row, "note"))
            if current != (error, note):
                writes += self._cells(SCHEDULE, row, {"status": error, "note": note})
            outcome.problems.append(f"{place.title}, {row}: {note}")
        if writes:
            self.sheet.update_cells(writes)

    def _row_problems(self, bank: Bank, spec: TabSpec) -> str:
        place = bank.places.get(spec.key)
        if place is None:
            return ""
        problems = [p for p in bank.problems if p.tab == place.title and p.row is not None]
        if not problems:
            return ""
        details = "; ".join(p.describe(self.language) for p in problems[:3])
        if len(problems) > 3:
            details += " …"
        rows = count(self.language, len({p.row for p in problems}), "dòng", "row")
        return SKIPPED_ROWS(self.language, rows=rows, details=details)

    def _cells(self, spec: TabSpec, row: int, values: Mapping[str, Cell]) -> list[CellWrite]:
        """Writes for service cells of one row; a missing service column gets its header first."""
        place = self._places[spec.key]
        writes: list[CellWrite] = []
        for key, value in values.items():
            if key not in place.columns:
                place.width += 1
                place.columns[key] = place.width
                header = spec.column(key).header(self.language)
                writes.append(CellWrite(place.title, place.header_row, place.width, header))
            writes.append(CellWrite(place.title, row, place.columns[key], value))
        return writes

    def _current(self, spec: TabSpec, row: int, key: str) -> Cell:
        """A cell as the last read saw it."""
        place = self._places[spec.key]
        column = place.columns.get(key)
        cells = self._raw.get(place.title, [])
        if column is None or row - 1 >= len(cells) or column - 1 >= len(cells[row - 1]):
            return None
        return cells[row - 1][column - 1]


@dataclass
class _TabState:
    """Where a secretary tab's columns are, updated as missing service columns are added."""

    title: str
    header_row: int
    columns: dict[str, int]
    width: int

    @classmethod
    def of(cls, place: ColumnPlace) -> _TabState:
        return cls(place.title, place.header_row, dict(place.columns), place.width)
