"""The monthly quiz as a practice of the round engine: its form, and its ranking.

:class:`QuizRounds` is what the quiz adds to a round's life
(:mod:`automation.engine`): at PREPARE it chooses the round's questions from
the bank, builds the quiz form's spec and marks the questions used; at RANK
it reads the responses (the form's, or the ``Bài làm`` tab's when the round
has no form), ranks them by the contract's rules and writes ``Kết quả``,
``Bài làm``, ``Thống kê câu hỏi`` and ``Tổng kết`` in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from automation import report
from automation.config import Settings
from automation.engine import Prepared, Sheet, StepProblem
from automation.i18n import Text, count
from automation.layout import (
    MEMBERS,
    QUESTION_STATS,
    QUESTIONS,
    RESPONSES,
    RESULTS,
    SCHEDULE,
    SEASON,
    Status,
    TabSpec,
)
from automation.lifecycle import planned_deadline
from automation.model import Bank, Question, Round, RoundResult, RoundScore
from automation.ports import FormQuestion, FormResponse, Forms, FormSpec, SheetTab
from automation.ranking import rank_round, to_submission
from automation.selection import NotEnoughQuestions, select_questions
from automation.stats import question_stats, season_table
from automation.text import normalize

NO_MEMBERS = Text(
    "Trang Đảng viên chưa có ai. Hãy ghi họ và tên các đảng viên để họ chọn tên khi làm bài.",
    "The Members tab is empty. Add the members' names so they can pick theirs in the form.",
)
SKIPPED_ROWS = Text(
    "Lưu ý: bỏ qua {rows} có lỗi: {details}",
    "Note: {rows} with problems skipped: {details}",
)
FORM_TITLE = Text("{title} - Kỳ {round}", "{title} - Round {round}")
FORM_DESCRIPTION = Text(
    "Kỳ thi {round}: {count} câu hỏi, {seconds} giây mỗi câu, thời gian làm bài {minutes}. "
    "Hạn nộp bài: {deadline}. Đảng viên nào có số điểm cao nhất và nộp bài sớm nhất sẽ về nhất.",
    "Round {round}: {count} questions, {seconds} seconds per question, {minutes} in all. "
    "Deadline: {deadline}. The highest score wins; among equal scores, the earliest submission.",
)
NOT_CHOSEN = Text(
    "Kỳ thi chung {round}: đảng ủy chưa chọn được câu hỏi (xem trang Câu hỏi và Lịch thi "
    "chung của bảng tính đăng ký các chi bộ). Dịch vụ sẽ tự thử lại.",
    "Joint round {round}: the committee's questions are not chosen yet (see the Questions and "
    "Joint schedule tabs of the committee's registry). The service retries by itself.",
)
NO_RESPONSES_SOURCE = Text(
    "Kỳ {round} chưa có biểu mẫu và chưa có trang Bài làm: không có gì để xếp hạng.",
    "Round {round} has no form and no Responses tab: there is nothing to rank.",
)


class QuizRounds:
    """The quiz's rounds: the rows of ``Lịch thi``, with their questions from the bank.

    A committee's joint rounds are quiz rounds too, kept in another ledger (the
    cell's ``Thi chung``) with questions the committee chose for every cell:
    ``ledger`` and ``chosen`` say so (``chosen`` gives a round's questions, or
    ``None`` when they are not chosen yet); the cell's own bank then only gives
    its members.
    """

    def __init__(self, sheet: Sheet, forms: Forms, settings: Settings, bank: Bank, *,
                 owner: str, ledger: TabSpec = SCHEDULE,
                 chosen: Callable[[Round], tuple[Question, ...] | None] | None = None) -> None:
        self.sheet = sheet
        self.forms = forms
        self.settings = settings
        self.bank = bank
        self.owner = owner  # what the forms are marked with: the spreadsheet id or workbook path
        self.ledger = ledger
        self.chosen = chosen
        self.language = settings.language
        self.grace: timedelta = settings.quiz.grace
        self.prepare_ahead: timedelta = settings.quiz.prepare_ahead
        self.results: dict[str, RoundResult] = {}  # the rounds ranked, by round id

    def label(self, round_: Round) -> str:
        return round_.round_id

    def status_word(self, status: Status) -> str:
        return status.label(self.language)

    # --- PREPARE -------------------------------------------------------------------

    def prepare(self, round_: Round) -> Prepared:
        """The round's questions, drawn from the bank, in a quiz form; marked used."""
        bank = self.bank
        if self.chosen is not None:  # a joint round: the committee chose its questions
            questions = self.chosen(round_)
            if questions is None:
                raise StepProblem(NOT_CHOSEN(self.language, round=round_.round_id))
            if self.settings.quiz.identity == "roster" and not bank.members:
                raise StepProblem(NO_MEMBERS(self.language))
            return Prepared(self.form_spec(round_, questions),
                            note=self.row_problems(MEMBERS))
        try:
            questions = select_questions(bank.questions, round_)
        except NotEnoughQuestions as short:
            details = self.row_problems(QUESTIONS)
            raise StepProblem(f"{short.message(self.language)} {details}".strip()) from short
        if self.settings.quiz.identity == "roster" and not bank.members:
            raise StepProblem(NO_MEMBERS(self.language))
        used = [
            write
            for q in questions
            if normalize(round_.round_id) not in {normalize(u) for u in q.used_in}
            for write in self.sheet.cells(
                QUESTIONS, q.row, {"used_in": ", ".join((*q.used_in, round_.round_id))}
            )
        ]
        warnings = " ".join(filter(None, (self.row_problems(QUESTIONS),
                                          self.row_problems(MEMBERS))))
        return Prepared(self.form_spec(round_, questions), extra=used, note=warnings)

    def _rules(self, round_: Round, count: int, deadline: datetime) -> str:
        """The form's description: the round's rules and its deadline, in the cell's zone."""
        return FORM_DESCRIPTION(
            self.language,
            round=round_.round_id,
            count=count,
            seconds=round_.seconds_per_question,
            minutes=report.duration_text(round_.time_allowed),
            deadline=deadline.astimezone(self.settings.tz).strftime("%d/%m/%Y %H:%M:%S"),
        )

    def restated(self, round_: Round, opened_at: datetime) -> str | None:
        """A form opened late (the service was not running at ``Mở lúc``) has its deadline
        from its opening: its description says that one, as the results tab will."""
        if opened_at - round_.opens_at < timedelta(seconds=1):
            return None
        return self._rules(round_, round_.question_count,
                           opened_at + round_.time_allowed + self.grace)

    def form_spec(self, round_: Round, questions: Sequence[Question]) -> FormSpec:
        quiz = self.settings.quiz
        bank = self.bank
        return FormSpec(
            round_id=round_.round_id,
            owner=self.owner,
            title=FORM_TITLE(self.language, title=quiz.title, round=round_.round_id),
            description=self._rules(round_, len(questions), planned_deadline(round_, quiz.grace)),
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

    def row_problems(self, spec: TabSpec) -> str:
        """A note of the rows of ``spec``'s tab the service had to skip, or ``""``."""
        place = self.bank.places.get(spec.key)
        if place is None:
            return ""
        problems = [p for p in self.bank.problems if p.tab == place.title and p.row is not None]
        if not problems:
            return ""
        details = "; ".join(p.describe(self.language) for p in problems[:3])
        if len(problems) > 3:
            details += " …"
        rows = count(self.language, len({p.row for p in problems}), "dòng", "row")
        return SKIPPED_ROWS(self.language, rows=rows, details=details)

    # --- RANK ----------------------------------------------------------------------

    def finish(self, round_: Round) -> None:
        """Rank the round from its form's responses (or its Bài làm tab) and write the tabs."""
        questions = self.round_questions(round_)
        if round_.form_id:
            responses = self.forms.responses(round_.form_id)
        else:
            responses = self._stored_responses(round_, questions)
        self.publish(round_, questions, responses)

    def round_questions(self, round_: Round) -> tuple[Question, ...]:
        """The questions a round was built with: those whose ``Đã dùng`` names it.

        A round the secretary renamed after its form was built (its id could not
        be a tab title, say) is no longer named there: its form's own question
        titles find its questions again.
        """
        bank = self.bank
        if self.chosen is not None:
            questions = self.chosen(round_)
            if questions is None:
                raise StepProblem(NOT_CHOSEN(self.language, round=round_.round_id))
            return questions
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

    def _stored_responses(self, round_: Round, questions: Sequence[Question]
                          ) -> list[FormResponse]:
        spreadsheet = self.sheet.spreadsheet
        title = RESPONSES.find(spreadsheet.tab_titles(), round_.round_id)
        if title is None:
            raise StepProblem(NO_RESPONSES_SOURCE(self.language, round=round_.round_id))
        rows = spreadsheet.read([title]).get(title, [])
        return report.read_responses_tab(rows, questions, tz=self.settings.tz)

    def publish(
        self,
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
            members=self.bank.members,
            submissions=submissions,
            opened_at=round_.opened_at or round_.opens_at,
            deadline=round_.deadline(grace),
            closed_at=round_.closed_at,
            identity=self.settings.quiz.identity,
        )
        self.sheet.spreadsheet.write_tabs(self._result_tabs(round_, questions, responses, result))
        self.results[round_.round_id] = result
        return result

    def _result_tabs(
        self,
        round_: Round,
        questions: Sequence[Question],
        responses: Sequence[FormResponse],
        result: RoundResult,
    ) -> list[SheetTab]:
        tz, language = self.settings.tz, self.language
        spreadsheet = self.sheet.spreadsheet
        titles = spreadsheet.tab_titles()
        year = round_.opens_at.astimezone(tz).year
        others = {
            other.round_id: title
            for other in self.bank.rounds
            if other.round_id != round_.round_id
            and other.opens_at.astimezone(tz).year == year
            and other.status in (Status.RANKED, Status.RERANK)
            and (title := RESULTS.find(titles, other.round_id))
        }
        stats_title = QUESTION_STATS.find(titles)
        wanted = [*others.values(), *([stats_title] if stats_title else [])]
        existing = spreadsheet.read(wanted) if wanted else {}
        scores = [
            s
            for rid, t in others.items()
            for s in report.read_round_scores(rid, existing.get(t, []))
        ]
        scores += [RoundScore(round_.round_id, e.name, e.rank or 0, e.score) for e in result.ranked]
        tabs = [
            report.results_tab(result, language=language, tz=tz),
            report.responses_tab(round_.round_id, questions, responses, language=language,
                                 tz=tz, code_verdicts=report.code_verdicts(result)),
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
