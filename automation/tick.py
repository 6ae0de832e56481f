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
from automation.layout import SCHEDULE, SECRETARY_TABS, Status, find_tab
from automation.lifecycle import Step
from automation.model import Bank, Question, Round, RoundResult
from automation.monthly import MonthlyRating, rating_titles
from automation.ports import FormResponse, Forms, Spreadsheet
from automation.quiz import QuizRounds
from automation.text import Cell

__all__ = ["Change", "Quiz", "StepProblem", "TickReport", "load_bank"]


def load_bank(sheet: Spreadsheet, settings: Settings, *, today: date | None = None
              ) -> tuple[dict[str, list[list[Cell]]], Bank]:
    """Read the three secretary tabs in one read and validate them.

    With ``today``, the same read also takes what the "6 tốt" rating needs
    (``Tiêu chí``, this year's and last year's month tabs, the proposals, the
    self-assessment forms), so an idle tick still costs one read.
    """
    titles = sheet.tab_titles()
    found = [t for spec in SECRETARY_TABS if (t := find_tab(titles, spec))]
    if today is not None:
        found += [t for t in rating_titles(titles, today) if t not in found]
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
    ) -> None:
        self.sheet = sheet
        self.forms = forms
        self.settings = settings
        self.owner = owner  # what the forms are marked with: the spreadsheet id or workbook path
        self.on_link = on_link  # told (round id, link) when a round's link is written
        self.language = settings.language
        self.results: dict[str, RoundResult] = {}  # the rounds this Quiz ranked, by round id
        self._view = Sheet(sheet, settings.language)
        self._rounds: QuizRounds | None = None
        self._life: RoundLife | None = None
        self.rating: MonthlyRating | None = None

    # --- reading ---------------------------------------------------------

    def load(self, today: date | None = None) -> Bank:
        """The secretary's tabs (and the rating's), read in one go and validated."""
        today = today or datetime.now(self.settings.tz).date()
        raw, bank = load_bank(self.sheet, self.settings, today=today)
        self._view = Sheet(self.sheet, self.language, raw)
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

    def tick(self, now: datetime) -> TickReport:
        """One pass: every round moves as far as its time allows."""
        bank = self.load(now.astimezone(self.settings.tz).date())
        if SCHEDULE.key not in bank.places:  # nowhere to act or to write a note
            return TickReport(problems=[p.describe(self.language) for p in bank.problems
                                        if p.row is None])
        outcome = TickReport()
        place = bank.places[SCHEDULE.key]
        note_defective_rows(self._view, SCHEDULE, [
            (p.row, f"{p.column}: {p.message}" if p.column else p.message)
            for p in bank.problems
            if p.tab == place.title and p.row is not None and p.row > place.header_row
        ], outcome)
        outcome.merge(self._engine().run(bank.rounds, now))
        ranked = {bank.round(c.round_id) for c in outcome.changes if c.after is Status.RANKED}
        years = {r.opens_at.astimezone(self.settings.tz).year for r in ranked if r is not None}
        assert self.rating is not None
        self.rating.tick(now, outcome, years=years)
        return outcome

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
