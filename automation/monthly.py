"""The monthly "6 tốt" rating as a tick performs it, over the same sheet as the quiz.

Off until the spreadsheet has a ``Tiêu chí`` tab. Then each tick, from the
one read it already made:

* the month's tab ``Đánh giá <yyyy-mm>`` is made at the start of the month,
  and every month tab of this year and last follows the chi ủy's marks
  (points, monthly level, new members' rows): only cells that change are
  written, in one batch;
* the year's proposal ``Xếp loại <year>`` is written again when one of its
  months changed, or when ``automation rate YEAR`` asks;
* with ``self_assessment = true``, each month gets a self-assessment form: a
  round of the engine (:mod:`automation.engine`) over the service's own
  ledger ``Phiếu tự đánh giá``, so it survives crashes exactly as a quiz
  round does; once closed, each member's answers land in ``Tự đánh giá``.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from automation import report
from automation.bank import parse_datetime
from automation.config import Settings
from automation.engine import Prepared, RoundLife, Sheet, TickReport, note_defective_rows
from automation.i18n import Text
from automation.layout import CRITERIA, RATING_YEAR, RESULTS, SELF_FORMS, Status, TabSpec
from automation.model import Bank, ColumnPlace, Problem, Round, RoundScore
from automation.ports import CellWrite, Forms, FormSpec, SheetTab
from automation.ranking import rank_round, to_submission
from automation.rating import (
    Criteria,
    find_month_tabs,
    month_id,
    parse_month,
    read_criteria,
    read_self_assessment,
    self_assessment_questions,
    self_assessment_text,
)
from automation.ratingmonth import MonthSheet, plan_month, read_month
from automation.ratingtabs import month_tab, year_tab
from automation.ratingyear import YearTable, year_table
from automation.text import Cell, cell_text, normalize

SELF_TITLE = Text("Tự đánh giá tháng {month}", "Self-assessment, {month}")
SELF_DESCRIPTION = Text(
    "Đồng chí tự đánh giá mình theo từng tiêu chí “đảng viên 6 tốt” của tháng {month}. "
    "Phiếu mở đến {closes}. Chi ủy đánh giá chính thức; ý kiến của đồng chí để chi ủy tham khảo.",
    "Rate yourself on each \"six good\" member criterion for {month}. The form is open until "
    "{closes}. The cell committee's rating decides; yours is for them to read.",
)
LEDGER_NOTE = Text(
    "Dịch vụ tự ghi: mỗi tháng một phiếu tự đánh giá. Gửi đường link cho đảng viên khi phiếu "
    "mở; câu trả lời được ghi vào cột Tự đánh giá của trang Đánh giá tháng đó.",
    "Written by the service: one self-assessment form a month. Send members the link when it "
    "opens; the answers land in the Self-assessment column of that month's Rating tab.",
)
WRITTEN = Text("Đã ghi kết quả", "Answers written")


def rating_titles(titles: Sequence[str], today: date) -> list[str]:
    """The tabs the rating reads in the tick's one read (this year's and last year's)."""
    wanted: list[str] = []
    for title in titles:
        if CRITERIA.matches(title) or SELF_FORMS.matches(title):
            wanted.append(title)
    for year in (today.year - 1, today.year):
        wanted += find_month_tabs(titles, year).values()
        if (kept := RATING_YEAR.find(titles, str(year))) is not None:
            wanted.append(kept)
    return wanted


@dataclass
class MonthlyOutcome:
    """What one pass of the rating did, for the command line."""

    created: list[str] = field(default_factory=list)  # month tabs made
    refreshed: dict[str, MonthSheet] = field(default_factory=dict)  # month → as rated
    years: dict[int, YearTable] = field(default_factory=dict)  # year tabs written
    problems: list[Problem] = field(default_factory=list)


class MonthlyRating:
    """One spreadsheet's "6 tốt" rating, from what the tick read."""

    def __init__(self, sheet: Sheet, forms: Forms, settings: Settings, bank: Bank, *,
                 owner: str) -> None:
        self.sheet = sheet
        self.forms = forms
        self.settings = settings
        self.bank = bank
        self.owner = owner
        self.language = settings.language
        self.criteria: Criteria = read_criteria(sheet.raw, language=self.language)

    @property
    def on(self) -> bool:
        return self.criteria.found

    # --- the tick ---------------------------------------------------------------

    def tick(self, now: datetime, outcome: TickReport, *, years: set[int] | None = None
             ) -> MonthlyOutcome:
        """Make this month's tab, follow every month's marks, write the proposal of each year
        whose months changed (or in ``years``: a round was ranked), and move the
        self-assessment forms; problems go to ``outcome``."""
        done = MonthlyOutcome()
        if not self.on:
            return done
        today = now.astimezone(self.settings.tz).date()
        self._note_criteria(outcome)
        if self.criteria.usable:
            changed = self.refresh(today, done, make=month_id(today.year, today.month))
            changed |= {year for year in (years or set()) if year in (today.year - 1, today.year)}
            for year in sorted(changed):
                self.write_year(year, today, done)
        if self.settings.rating.self_assessment and self.criteria.usable:
            self._self_assessments(now, today, outcome)
        outcome.problems += [p.describe(self.language) for p in done.problems]
        return done

    def refresh(self, today: date, done: MonthlyOutcome, *, make: str | None = None,
                years: set[int] | None = None) -> set[int]:
        """Follow the marks of the month tabs of ``years`` (this year and last by default),
        making ``make``'s tab if it is missing.

        Returns the years whose months changed (a mark, a new row): their
        proposal is due again.
        """
        titles = self.sheet.spreadsheet.tab_titles()
        years = years or {today.year - 1, today.year}
        if make is not None:
            years = {*years, int(make[:4])}
        months: dict[str, str] = {}
        for year in sorted(years):
            months |= find_month_tabs(titles, year)
        unread = [t for t in months.values() if t not in self.sheet.raw]
        if unread:  # a month asked for by hand, outside what the tick reads
            self.sheet.raw.update(self.sheet.spreadsheet.read(unread))
        changed: set[int] = set()
        writes: list[CellWrite] = []
        # A month tab left empty (a crash between making the tab and filling it) holds
        # nothing of the secretary's: it is made again, whole.
        empty = [m for m, t in months.items() if not any(map(any, self.sheet.raw.get(t, [])))]
        for month in sorted({*empty, *([make] if make and make not in months else [])}):
            made = month_tab(month, members=self.bank.members, criteria=self.criteria,
                             settings=self.settings.rating, language=self.language)
            made.title = months.get(month, made.title)
            if month in months:
                self.sheet.spreadsheet.write_tabs([made])
            else:
                self.sheet.spreadsheet.add_tabs([made])
            done.created.append(made.title)
            self.sheet.raw[made.title] = made.rows
            months[month] = made.title
            changed.add(int(month[:4]))
        for month, title in months.items():
            plan = plan_month(month, title, self.sheet.raw.get(title, []),
                              criteria=self.criteria, members=self.bank.members,
                              settings=self.settings.rating, language=self.language)
            done.refreshed[month] = plan.sheet
            done.problems += plan.problems
            if plan.writes:
                writes += plan.writes
                changed.add(int(month[:4]))
        if writes:
            self.sheet.write(writes)
        return changed

    def write_year(self, year: int, today: date, done: MonthlyOutcome) -> YearTable:
        """``Xếp loại <year>`` written now, from its month tabs and the year's quiz results."""
        titles = self.sheet.spreadsheet.tab_titles()
        sheets = []
        for month, title in find_month_tabs(titles, year).items():
            rated = done.refreshed.get(month)
            if rated is None:
                rows = self.sheet.raw.get(title)
                if rows is None:
                    rows = self.sheet.spreadsheet.read([title]).get(title, [])
                rated = read_month(month, title, rows, criteria=self.criteria,
                                   settings=self.settings.rating, language=self.language)
            sheets.append(rated)
        scores, held = self._quiz_year(year, titles)
        through = today.month if year == today.year else 12
        table = year_table(year, sheets, members=self.bank.members, quiz_scores=scores,
                           rounds_held=held, settings=self.settings.rating,
                           language=self.language, through=through)
        tab = year_tab(table, settings=self.settings.rating, language=self.language,
                       made_on=today)
        tab.title = RATING_YEAR.find(titles, str(year)) or tab.title
        self.sheet.spreadsheet.write_tabs([tab])
        done.years[year] = table
        return table

    def _quiz_year(self, year: int, titles: Sequence[str]) -> tuple[list[RoundScore], int]:
        """The year's ranked rounds' scores (from their results tabs) and how many were held."""
        tz = self.settings.tz
        held = {
            r.round_id: title
            for r in self.bank.rounds
            if r.status in (Status.RANKED, Status.RERANK)
            and r.opens_at.astimezone(tz).year == year
            and (title := RESULTS.find(titles, r.round_id)) is not None
        }
        read = self.sheet.spreadsheet.read(list(held.values())) if held else {}
        scores = [s for rid, title in held.items()
                  for s in report.read_round_scores(rid, read.get(title, []))]
        return scores, len(held)

    def _note_criteria(self, outcome: TickReport) -> None:
        """A ``Tiêu chí`` row that cannot be read says why in its own note (and no more)."""
        title = self.criteria.title
        if not title or title not in self.sheet.raw:
            return
        rows = self.sheet.raw[title]
        place = _place(CRITERIA, rows[0] if rows else [], title)
        self.sheet.know(CRITERIA, place)
        by_row = [(p.row, f"{p.column}: {p.message}" if p.column else p.message)
                  for p in self.criteria.problems if p.row is not None and p.row > 1]
        stale = [(row, key) for row in range(2, len(rows) + 1)
                 for key in ("note",) if cell_text(self.sheet.current(CRITERIA, row, key))
                 and row not in {r for r, _ in by_row}]
        writes = [w for row, _ in stale for w in self.sheet.cells(CRITERIA, row, {"note": ""})]
        for row, message in by_row:
            if cell_text(self.sheet.current(CRITERIA, row, "note")) != message[:450]:
                writes += self.sheet.cells(CRITERIA, row, {"note": message[:450]})
        if writes:
            self.sheet.write(writes)
        outcome.problems += [p.describe(self.language) for p in self.criteria.problems]

    # --- the self-assessment forms ------------------------------------------------

    def _self_assessments(self, now: datetime, today: date, outcome: TickReport) -> None:
        ledger = SelfAssessmentForms(self, today)
        rounds, problems = ledger.rounds()
        note_defective_rows(self.sheet, SELF_FORMS, problems, outcome)
        life = RoundLife(self.sheet, self.forms, self.settings, ledger)
        outcome.merge(life.run(rounds, now))


def _place(spec: TabSpec, header: Sequence[Cell], title: str) -> ColumnPlace:
    """Where ``spec``'s columns are in a header row (any order, either language)."""
    columns: dict[str, int] = {}
    width = 0
    for index, value in enumerate(header, start=1):
        text = cell_text(value)
        if not text:
            continue
        width = index
        column = spec.find_column(text)
        if column is not None and column.key not in columns:
            columns[column.key] = index
    return ColumnPlace(title, 1, columns, width)


class SelfAssessmentForms:
    """The self-assessment as a practice of the round engine: one round a month.

    Its ledger is ``Phiếu tự đánh giá``: the service adds the month's row when
    the month comes (opening on ``open_day`` at 00:00, for ``days_open`` days).
    PREPARE builds a survey of the member criteria with the quiz's identity
    rules (the personal code included); RANK writes each member's answers into
    the month's ``Tự đánh giá`` column.
    """

    ledger = SELF_FORMS

    def __init__(self, rating: MonthlyRating, today: date) -> None:
        self.rating = rating
        self.today = today
        settings = rating.settings
        self.language = settings.language
        self.grace = timedelta(0)
        self.prepare_ahead = settings.quiz.prepare_ahead
        self.days = timedelta(days=settings.rating.days_open)

    def label(self, round_: Round) -> str:
        return SELF_TITLE(self.language, month=round_.round_id)

    def restated(self, round_: Round, opened_at: datetime) -> None:
        """The self-assessment states no deadline of the hour: nothing to say again."""
        del round_, opened_at

    def status_word(self, status: Status) -> str:
        """A self-assessment is not ranked: its last status says the answers were written."""
        return WRITTEN(self.language) if status is Status.RANKED else status.label(self.language)

    def opening(self, month: str) -> datetime:
        """``open_day`` of the month at 00:00 in the cell's zone (the last day if shorter)."""
        parsed = parse_month(month)
        assert parsed is not None
        year, number = parsed
        day = min(self.rating.settings.rating.open_day, calendar.monthrange(year, number)[1])
        return datetime(year, number, day, tzinfo=self.rating.settings.tz)

    # --- the ledger ----------------------------------------------------------------

    def rounds(self) -> tuple[list[Round], list[tuple[int, str]]]:
        """The ledger's rounds (this month's row added when missing), and unreadable rows."""
        sheet = self.rating.sheet
        spreadsheet = sheet.spreadsheet
        title = next((t for t in spreadsheet.tab_titles() if SELF_FORMS.matches(t)), None)
        if title is None or not any(map(any, sheet.raw.get(title, []))):
            # Missing, or left empty by a crash between making the tab and filling it.
            header: list[Cell] = [c.header(self.language) for c in SELF_FORMS.columns]
            tab = SheetTab(
                title or SELF_FORMS.title(self.language), [header], header_row=1,
                column_widths=(10, 18, 18, 14, 40, 20, 20, 20, 40),
                number_formats={1: "dd/mm/yyyy hh:mm", 2: "dd/mm/yyyy hh:mm",
                                6: report.DATETIME_FORMAT, 7: report.DATETIME_FORMAT},
                notes={(1, 1): LEDGER_NOTE(self.language)})
            (spreadsheet.write_tabs if title else spreadsheet.add_tabs)([tab])
            title = tab.title
            sheet.raw[title] = [list(header)]
        rows = sheet.raw.setdefault(title, [])
        sheet.know(SELF_FORMS, _place(SELF_FORMS, rows[0] if rows else [], title))
        month = month_id(self.today.year, self.today.month)
        found: list[Round] = []
        problems: list[tuple[int, str]] = []
        months: set[str] = set()
        for number, cells in enumerate(rows[1:], start=2):
            values = {key: _at(cells, column) for key, column in
                      sheet.places[SELF_FORMS.key].columns.items()}
            if all(not cell_text(v) for v in values.values()):
                continue
            round_ = self._round(number, values)
            if round_ is None:
                problems.append((number, cell_text(values.get("round"))))
                continue
            found.append(round_)
            months.add(round_.round_id)
        if month not in months:
            row = len(rows) + 1
            opens = self.opening(month)
            sheet.write(sheet.cells(SELF_FORMS, row, {
                "round": month, "opens_at": opens, "closes_at": opens + self.days}))
            found.append(Round(row=row, round_id=month, opens_at=opens, question_count=0,
                               seconds_per_question=0, allowed=self.days))
        return found, problems

    def _round(self, row: int, values: Mapping[str, Cell]) -> Round | None:
        month = cell_text(values.get("round"))
        if parse_month(month) is None:
            return None
        status = _status(cell_text(values.get("status")))
        if status is None:
            return None
        tz = self.rating.settings.tz
        return Round(row=row, round_id=month, opens_at=self.opening(month), question_count=0,
                     seconds_per_question=0, status=status,
                     form_link=cell_text(values.get("form_link")),
                     form_id=cell_text(values.get("form_id")),
                     opened_at=_moment(values.get("opened_at"), tz),
                     closed_at=_moment(values.get("closed_at"), tz),
                     note=cell_text(values.get("note")), allowed=self.days)

    # --- the practice's two steps ----------------------------------------------------

    def prepare(self, round_: Round) -> Prepared:
        rating = self.rating
        bank, settings = rating.bank, rating.settings
        closes = (round_.opens_at + self.days).astimezone(settings.tz)
        title = SELF_TITLE(self.language, month=round_.round_id)
        return Prepared(FormSpec(
            round_id=title,
            owner=rating.owner,
            title=title,
            description=SELF_DESCRIPTION(self.language, month=round_.round_id,
                                         closes=closes.strftime("%d/%m/%Y %H:%M")),
            identity=settings.quiz.identity,
            member_names=tuple(m.name for m in bank.members),
            member_emails=tuple(m.email for m in bank.members if m.email),
            questions=self_assessment_questions(rating.criteria, self.language),
            shuffle_options=False,
            seconds_allowed=int(self.days.total_seconds()),
            language=self.language,
            ask_code=bank.codes_in_use,
            graded=False,
            kind="survey",
            opens_at=round_.opens_at,
            timezone=settings.timezone,
        ))

    def finish(self, round_: Round) -> None:
        """Each member's first valid answers (identity and code rules as for the quiz) land
        in ``Tự đánh giá``; the chi ủy's own marks are never touched."""
        rating = self.rating
        responses = {r.response_id: r for r in rating.forms.responses(round_.form_id)}
        result = rank_round(
            round_id=round_.round_id, questions=(), members=rating.bank.members,
            submissions=[to_submission(r, ()) for r in responses.values()],
            opened_at=round_.opened_at or round_.opens_at,
            deadline=round_.deadline(self.grace), identity=rating.settings.quiz.identity)
        texts = {
            entry.name: self_assessment_text(
                read_self_assessment(responses[entry.submission.response_id].answers),
                rating.criteria, self.language)
            for entry in result.ranked
        }
        titles = rating.sheet.spreadsheet.tab_titles()
        month = round_.round_id
        title = find_month_tabs(titles).get(month)
        if title is None:
            rating.sheet.spreadsheet.add_tabs([month_tab(
                month, members=rating.bank.members, criteria=rating.criteria,
                settings=rating.settings.rating, language=self.language,
                self_assessments=texts)])
            return
        rows = rating.sheet.raw.get(title)
        if rows is None:
            rows = rating.sheet.spreadsheet.read([title]).get(title, [])
        plan = plan_month(month, title, rows, criteria=rating.criteria,
                          members=rating.bank.members, settings=rating.settings.rating,
                          language=self.language, self_assessments=texts)
        if plan.writes:
            rating.sheet.write(plan.writes)


def _at(cells: Sequence[Cell], column: int) -> Cell:
    return cells[column - 1] if column - 1 < len(cells) else None


def _status(text: str) -> Status | None:
    if normalize(text) in (normalize(WRITTEN.vi), normalize(WRITTEN.en)):
        return Status.RANKED
    return Status.parse(text)


def _moment(value: Cell, tz: tzinfo) -> datetime | None:
    try:
        return parse_datetime(value, tz)
    except ValueError:
        return None
