"""One tick: the spreadsheet read once, every round moved as far as its time allows.

A :class:`Quiz` wires a :class:`~automation.ports.Spreadsheet` and a
:class:`~automation.ports.Forms` to the core. :meth:`Quiz.tick` reads the
secretary's tabs in one read, notes the schedule rows it cannot read, and
lets the round engine (:mod:`automation.engine`) move each round of
``Lịch thi`` with the quiz practice (:mod:`automation.quiz`). Each step is
safe to repeat, so a crash anywhere is mended by the next tick.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from automation.bank import read_bank
from automation.config import Settings
from automation.engine import (
    Change,
    RoundLife,
    Sheet,
    StepProblem,
    TickReport,
    note_defective_rows,
)
from automation.joint import clashes, joint_ledger_tab, plan_joint_ledger
from automation.layout import JOINT_ROUNDS, SCHEDULE, SECRETARY_TABS, Status, find_tab
from automation.lifecycle import Step
from automation.model import Bank, Question, Round, RoundResult
from automation.monthly import MonthlyRating, rating_titles
from automation.ports import FormResponse, Forms, Spreadsheet
from automation.quiz import QuizRounds
from automation.text import Cell, normalize

__all__ = ["Change", "Quiz", "StepProblem", "TickReport", "load_bank"]


@dataclass(frozen=True)
class JointPlan:
    """A committee's joint rounds, as one of its cells takes part in them.

    ``rounds`` come from the registry's ``Lịch thi chung``; ``chosen`` gives a
    round's questions, chosen once for every cell (``None``: not yet).
    """

    rounds: tuple[Round, ...]
    chosen: Callable[[Round], tuple[Question, ...] | None]


def load_bank(sheet: Spreadsheet, settings: Settings, *, today: date | None = None,
              joint: bool = False) -> tuple[dict[str, list[list[Cell]]], Bank]:
    """Read the three secretary tabs in one read and validate them.

    With ``today``, the same read also takes what the "6 tốt" rating needs
    (``Tiêu chí``, this year's and last year's month tabs, the proposals, the
    self-assessment forms), so an idle tick still costs one read.
    """
    titles = sheet.tab_titles()
    found = [t for spec in SECRETARY_TABS if (t := find_tab(titles, spec))]
    if today is not None:
        found += [t for t in rating_titles(titles, today) if t not in found]
    if joint and (ledger := find_tab(titles, JOINT_ROUNDS)) is not None:
        found.append(ledger)
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
        joint: JointPlan | None = None,
    ) -> None:
        self.sheet = sheet
        self.joint = joint  # a committee's cell: its joint rounds too
        self.joint_rounds: dict[str, Round] = {}  # after a tick: each joint round's state
        self.forms = forms
        self.settings = settings
        self.owner = owner  # what the forms are marked with: the spreadsheet id or workbook path
        self.on_link = on_link  # told (round id, link) when a round's link is written
        self.language = settings.language
        self.results: dict[str, RoundResult] = {}  # the rounds this Quiz ranked, by round id
        self.raw: dict[str, list[list[Cell]]] = {}  # what the last tick read, and wrote
        self._view = Sheet(sheet, settings.language)
        self._rounds: QuizRounds | None = None
        self._life: RoundLife | None = None
        self.rating: MonthlyRating | None = None

    # --- reading ---------------------------------------------------------

    def load(self, today: date | None = None, *,
             cached: dict[str, list[list[Cell]]] | None = None) -> Bank:
        """The secretary's tabs (and the rating's), read in one go and validated.

        ``cached``: what an earlier tick read (and wrote), used instead of reading again
        (a committee's service acting at a due moment within its request budget).
        """
        today = today or datetime.now(self.settings.tz).date()
        if cached is None:
            raw, bank = load_bank(self.sheet, self.settings, today=today,
                                  joint=self.joint is not None)
        else:
            raw, bank = cached, read_bank(cached, quiz=self.settings.quiz, tz=self.settings.tz,
                                          language=self.language,
                                          date_order=self.sheet.date_order,
                                          title_limit=self.sheet.title_limit)
        self._view = Sheet(self.sheet, self.language, raw)
        self.raw = self._view.raw
        for spec in SECRETARY_TABS:
            if spec.key in bank.places:
                self._view.know(spec, bank.places[spec.key])
        self._rounds = QuizRounds(self._view, self.forms, self.settings, bank, owner=self.owner)
        self._rounds.results = self.results
        self._life = RoundLife(self._view, self.forms, self.settings, self._rounds,
                               on_link=self.on_link)
        self.rating = MonthlyRating(self._view, self.forms, self.settings, bank, owner=self.owner)
        return bank

    # --- the tick --------------------------------------------------------

    def tick(self, now: datetime, *, cached: dict[str, list[list[Cell]]] | None = None
             ) -> TickReport:
        """One pass: every round moves as far as its time allows (from ``cached``: no read)."""
        bank = self.load(now.astimezone(self.settings.tz).date(), cached=cached)
        if SCHEDULE.key not in bank.places:  # nowhere to act or to write a note
            return TickReport(problems=[p.describe(self.language) for p in bank.problems
                                        if p.row is None])
        outcome = TickReport()
        place = bank.places[SCHEDULE.key]
        with outcome.budget_permitting(place.title):
            note_defective_rows(self._view, SCHEDULE, [
                (p.row, f"{p.column}: {p.message}" if p.column else p.message)
                for p in bank.problems
                if p.tab == place.title and p.row is not None and p.row > place.header_row
            ], outcome)
        outcome.merge(self._engine().run(bank.rounds, now))
        if self.joint is not None:
            self._joint_rounds(bank, now, outcome)
        ranked = {bank.round(c.round_id) for c in outcome.changes if c.after is Status.RANKED}
        years = {r.opens_at.astimezone(self.settings.tz).year for r in ranked if r is not None}
        assert self.rating is not None
        with outcome.budget_permitting("6 tốt"):
            self.rating.tick(now, outcome, years=years)
        return outcome

    def _joint_rounds(self, bank: Bank, now: datetime, outcome: TickReport) -> None:
        """The committee's joint rounds in this cell: its ``Thi chung`` kept in step with the
        registry, then each round's life, as a quiz round with the committee's questions."""
        assert self.joint is not None
        settings = self.settings
        title = find_tab(self._view.raw.keys(), JOINT_ROUNDS)
        rows = self._view.raw.get(title) if title else None
        if title is None:
            if not self.joint.rounds:
                return
            made = joint_ledger_tab((), self.language, tz=settings.tz)
            with outcome.budget_permitting(made.title):
                self.sheet.add_tabs([made])
                title = made.title
            if title is None:
                return
        plan = plan_joint_ledger(rows, self.joint.rounds, self.language, tz=settings.tz,
                                 quiz=settings.quiz, title=title,
                                 date_order=self.sheet.date_order,
                                 title_limit=self.sheet.title_limit)
        rounds = plan.rounds
        if plan.writes:
            waiting = len(outcome.deferred)
            with outcome.budget_permitting(title):
                self._view.write(plan.writes)
            if len(outcome.deferred) > waiting:
                # The ledger is not in step yet: only rounds whose forms exist go on (they
                # open and close on time); the others wait for their rows to be written.
                rounds = [r for r in rounds if r.form_id]
        self._view.know(JOINT_ROUNDS, plan.place)
        with outcome.budget_permitting(title):
            note_defective_rows(self._view, JOINT_ROUNDS, [
                (p.row, f"{p.column}: {p.message}" if p.column else p.message)
                for p in plan.problems if p.row is not None], outcome)
        outcome.problems += [p.describe(self.language) for p in
                             clashes(bank.rounds, self.joint.rounds, self.language)]
        joint = QuizRounds(self._view, self.forms, settings, bank, owner=self.owner,
                           ledger=JOINT_ROUNDS, chosen=self.joint.chosen)
        joint.results = self.results
        life = RoundLife(self._view, self.forms, settings, joint, on_link=self.on_link)
        outcome.merge(life.run(rounds, now))
        self.joint_rounds = {normalize(r.round_id): r for r in life.moved}

    def results_keys(self) -> set[str]:
        """The rounds this Quiz ranked, by key."""
        return {normalize(round_id) for round_id in self.results}

    def advance(self, bank: Bank, round_: Round, now: datetime, outcome: TickReport, *,
                only: Step | None = None) -> Round:
        """Perform every step due for ``round_`` (or just ``only``): a step by hand."""
        return self._engine().advance(round_, now, outcome, only=only)

    # --- what the command line asks of a loaded bank -------------------------------

    def round_questions(self, bank: Bank, round_: Round) -> tuple[Question, ...]:
        return self._practice().round_questions(round_)

    def publish(self, bank: Bank, round_: Round, questions: Sequence[Question],
                responses: Sequence[FormResponse], *,
                scores: Mapping[str, float] | None = None) -> RoundResult:
        """Rank ``responses`` (an export ranked by hand) and write the result tabs."""
        return self._practice().publish(round_, questions, responses, scores=scores)

    def record_ranked(self, round_: Round) -> Round:
        """Mark a round ranked (after :meth:`publish` of an export ranked by hand)."""
        return self._engine().record(round_, Step.RANK, note="")

    def _practice(self) -> QuizRounds:
        if self._rounds is None:
            self.load()
        assert self._rounds is not None
        return self._rounds

    def _engine(self) -> RoundLife:
        if self._life is None:
            self.load()
        assert self._life is not None
        return self._life
