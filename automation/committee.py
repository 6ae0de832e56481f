"""A Party committee's service: every cell of its registry, each as a cell alone.

The committee keeps a registry spreadsheet (``registry = …`` in the
settings): its ``Chi bộ`` tab lists the cells and their spreadsheets, its
``Lịch thi chung`` the joint rounds every cell holds at the same time, with
the questions of its own ``Câu hỏi``. :class:`Committee` runs them:

* each cell switched on lives exactly as a single-cell installation (its own
  rounds, its rating), plus the joint rounds, kept in its ``Thi chung`` tab;
* a joint round's questions are chosen once, for every cell, and marked used
  in the registry; each cell builds its own form with its own roster;
* ``Kết quả chung <round>`` ranks every member of every cell when the cells
  are done, naming a cell whose round failed;
* one cell's problem never stops another: it shows in that cell's
  ``Trạng thái`` in the registry, in plain words.

:meth:`Committee.tick` is one pass over everything (``automation tick``);
:class:`CommitteeLoop` is the service (``automation run``): it wakes for every
cell's due moments and, on Google, keeps every cell within one request budget
(:mod:`automation.throttle`), reading a cell again only when Drive says it
changed (or now and then when Drive cannot see it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from automation.backends import Backend, open_backend
from automation.config import Settings
from automation.engine import TickReport
from automation.i18n import Text
from automation.jointresults import CellResult, cell_outcome, joint_results_tab, rank_joint
from automation.layout import (
    JOINT_RESULTS,
    JOINT_SCHEDULE,
    QUESTIONS,
    REGISTRY_TABS,
    RESULTS,
    Status,
    find_tab,
)
from automation.localforms import LocalForms
from automation.model import Question, Round
from automation.ports import BackendError, CellWrite, InputError, Spreadsheet
from automation.quiz import NOT_CHOSEN as NOT_CHOSEN_YET
from automation.registry import Registry, read_registry, status_writes
from automation.registrycells import RegistryCell, google_id
from automation.selection import NotEnoughQuestions, select_questions
from automation.text import Cell, normalize
from automation.throttle import Deferred, Throttle
from automation.tick import JointPlan, Quiz

log = logging.getLogger("automation")

OK = Text("OK", "OK")
WORKBOOK_MISSING = Text(
    "Không có tệp bảng tính {file}. Sửa cột Bảng tính của chi bộ này, hoặc chạy "
    "automation init --cell \"{cell}\" để tạo tệp mẫu.",
    "The workbook {file} does not exist. Fix this cell's Spreadsheet column, or run "
    "automation init --cell \"{cell}\" to create it.",
)
CELL_FAILED = Text("Lỗi: {error}", "Problem: {error}")
CELL_PROBLEMS = Text("Cần sửa trong bảng tính của chi bộ: {first}{more}",
                     "To fix in the cell's spreadsheet: {first}{more}")
#: A cell's problem that is the registry's to fix (a joint round's questions).
REGISTRY_PROBLEMS = Text("Cần sửa trong bảng tính đăng ký: {first}{more}",
                         "To fix in the registry: {first}{more}")
MORE = Text(" (và {count} lỗi khác)", " (and {count} more)")
NOT_CHOSEN = Text(
    "Kỳ thi chung {round}: {problem}",
    "Joint round {round}: {problem}",
)
#: How often the registry and each cell are read again at the least (seconds).
REGISTRY_EVERY = 30.0
#: A joint round's results are written by then even if a cell is still not done.
LAST_CALL = timedelta(hours=1)
NOT_TAKEN = Text("chi bộ chưa chạy kỳ thi này", "the cell has not held this round")
#: How often "Kiểm tra lúc" is stamped again when nothing else changed.
STAMP_EVERY = timedelta(minutes=30)


@dataclass
class CellRun:
    """One cell as the service keeps it between passes."""

    entry: RegistryCell
    settings: Settings
    backend: Backend | None = None
    next_moment: datetime | None = None
    read_at: datetime | None = None
    version: str | None = None  # Drive's version, or the workbook's modification time
    dirty: bool = True  # changed since it was last read (or never read)
    edited: bool = False  # changed by someone else than the service since it was last read
    verdict: str = ""  # for the registry's Trạng thái
    results: dict[str, CellResult] = field(default_factory=dict)  # joint rounds ranked here
    joint: dict[str, Round] = field(default_factory=dict)  # each joint round's state here
    ranked_now: set[str] = field(default_factory=set)  # joint rounds ranked in the last pass
    raw: dict[str, list[list[Cell]]] | None = None  # what its last tick read (and wrote)
    deferred: bool = False  # a step of its last tick waits for the write budget


class Committee:
    """The registry and its cells, over one backend (and, on Google, one account)."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime],
                 throttle: Throttle | None = None) -> None:
        if not settings.registry:
            raise ValueError("no registry in the settings")
        self.settings = settings
        self.clock = clock
        self.language = settings.language
        self.throttle = throttle
        self.account = None
        if settings.backend == "google":
            from automation.googlebackend import Account

            self.account = Account(settings, clock=clock, throttle=throttle)
        self.registry_sheet = self._open_registry()
        self.cells: dict[str, CellRun] = {}  # by the cell's location key
        self.registry: Registry | None = None
        self._stamped: datetime | None = None
        self._filled: set[str] = set()  # joint results tabs seen holding their results
        self._lock = threading.Lock()
        self.on_forms: Callable[[], None] | None = None  # told when a cell's forms open

    # --- the registry ----------------------------------------------------------------

    def _open_registry(self) -> Spreadsheet:
        registry = self.settings.registry
        if self.account is not None:
            return self.account.sheet(google_id(registry, self.language), self.settings)
        from automation.workbook import LocalWorkbook

        return LocalWorkbook(Path(registry), language=self.language, lock_timeout=2.0)

    def load(self) -> Registry:
        """Read the registry (one read) and take up the cells added or switched on."""
        sheet = self.registry_sheet
        titles = sheet.tab_titles()
        wanted = [t for spec in REGISTRY_TABS if (t := find_tab(titles, spec))]
        raw = sheet.read(wanted)
        registry = read_registry(raw, quiz=self.settings.quiz, tz=self.settings.tz,
                                 language=self.language, date_order=sheet.date_order,
                                 title_limit=sheet.title_limit, backend=self.settings.backend,
                                 itself=self._itself())
        self.registry = registry
        self._sync(registry)
        return registry

    def _itself(self) -> str:
        if self.settings.backend == "google":
            return google_id(self.settings.registry, self.language)
        return Path(self.settings.registry).name

    def _sync(self, registry: Registry) -> None:
        """Cells switched on are run; cells switched off or removed are let go."""
        wanted = {self.location(e): e for e in registry.cells if e.on and e.location}
        with self._lock:
            for key in [k for k in self.cells if k not in wanted]:
                log.info("cell %r is no longer served", self.cells[key].entry.name)
                del self.cells[key]
            for key, entry in wanted.items():
                run = self.cells.get(key)
                if run is None:
                    self.cells[key] = CellRun(entry, self.cell_settings(entry))
                    log.info("cell %r is served", entry.name)
                elif run.entry != entry:
                    run.entry = entry

    def location(self, entry: RegistryCell) -> str:
        """Where a cell's spreadsheet is: the Google id, or the workbook's absolute path."""
        if self.settings.backend == "google":
            return entry.location
        path = Path(entry.location)
        if not path.is_absolute():
            path = Path(self.settings.registry).parent / path
        return str(path.resolve())

    def cell_settings(self, entry: RegistryCell) -> Settings:
        """The settings a cell runs with: the committee's, with the cell's own spreadsheet."""
        if self.settings.backend == "google":
            return replace(self.settings, registry="",
                           google=replace(self.settings.google, spreadsheet_id=entry.location))
        local = replace(self.settings.local, workbook=Path(self.location(entry)))
        return replace(self.settings, registry="", local=local)

    # --- one pass ------------------------------------------------------------------

    def tick(self, now: datetime) -> TickReport:
        """The registry read, then every cell's tick, the joint results, the statuses."""
        outcome = TickReport()
        registry = self.load()
        chosen = self.choose(registry, now, outcome)
        for run in list(self.cells.values()):
            outcome.merge(self.tick_cell(run, now, chosen))
        self.write_joint_results(registry, now, outcome)
        self.write_statuses(registry, now)
        outcome.problems += [p.describe(self.language) for p in registry.problems]
        return outcome

    def tick_cell(self, run: CellRun, now: datetime,
                  chosen: Mapping[str, tuple[Question, ...]], *,
                  cached: dict[str, list[list[Cell]]] | None = None) -> TickReport:
        """One cell's tick, as a cell alone plus the joint rounds; never raises.

        ``cached``: act from what the cell last read (no read now: the budget).
        """
        name = run.entry.name
        registry = self.registry
        assert registry is not None
        try:
            backend = run.backend or self.open_cell(run)
            run.backend = backend
            quiz = Quiz(backend.sheet, backend.forms, run.settings, owner=backend.owner,
                        on_link=backend.announce,
                        joint=JointPlan(registry.rounds, lambda r: chosen.get(normalize(
                            r.round_id))))
            outcome = quiz.tick(now, cached=cached)
        except Deferred:
            run.dirty = True
            return TickReport()
        except (InputError, BackendError) as failure:
            run.verdict = CELL_FAILED(self.language, error=failure)[:300]
            run.backend = None  # opened again next time (a sharing fixed, a file restored)
            if isinstance(failure, InputError):  # to fix by a person (exit 1), not an outage
                return TickReport(problems=[f"{name}: {failure}"])
            return TickReport(failures=[f"{name}: {failure}"])
        except Exception as bug:  # one cell's bug never stops the others
            log.exception("cell %r: tick failed", name)
            run.verdict = CELL_FAILED(self.language, error=f"{type(bug).__name__}: {bug}")[:300]
            return TickReport(failures=[f"{name}: {type(bug).__name__}: {bug}"])
        if cached is None:
            run.read_at, run.dirty, run.edited = now, False, False
        run.deferred = bool(outcome.deferred)
        run.raw, run.next_moment = quiz.raw, outcome.next_moment
        run.joint = dict(quiz.joint_rounds)
        run.ranked_now = {key for key in quiz.results_keys() if key in run.joint}
        for round_id, result in quiz.results.items():
            if normalize(round_id) in run.joint:
                run.results[normalize(round_id)] = CellResult.of(name, result)
        problems = [*outcome.problems, *outcome.failures]
        if problems:
            more = MORE(self.language, count=len(problems) - 1) if len(problems) > 1 else ""
            registrys = {NOT_CHOSEN_YET(self.language, round=r.round_id) for r in registry.rounds}
            whose = (REGISTRY_PROBLEMS if any(words in problems[0] for words in registrys)
                     else CELL_PROBLEMS)
            run.verdict = whose(self.language, first=problems[0], more=more)[:300]
        else:
            run.verdict = OK(self.language)
        return TickReport(
            changes=[replace(c, round_id=f"{name} · {c.round_id}") for c in outcome.changes],
            problems=[f"{name}: {p}" for p in outcome.problems],
            failures=[f"{name}: {f}" for f in outcome.failures],
            deferred=[f"{name}: {d}" for d in outcome.deferred],
            next_moment=outcome.next_moment,
        )

    def open_cell(self, run: CellRun) -> Backend:
        """A cell's spreadsheet and forms (Google: through the committee's one account)."""
        settings = run.settings
        if self.account is not None:
            sheet = self.account.sheet(settings.google.spreadsheet_id, settings)
            return Backend(sheet, self.account.forms(settings),
                           owner=settings.google.spreadsheet_id)
        workbook = settings.local.workbook
        if not workbook.exists():
            raise InputError(WORKBOOK_MISSING(self.language, file=workbook,
                                              cell=run.entry.name))
        backend = open_backend(settings, clock=self.clock, cell_path=run.entry.path)
        if self.on_forms is not None:
            self.on_forms()
        return backend

    # --- the joint rounds ----------------------------------------------------------

    def choose(self, registry: Registry, now: datetime, outcome: TickReport
               ) -> dict[str, tuple[Question, ...]]:
        """Each joint round's questions, chosen once for every cell (marked used in the
        registry's Câu hỏi) when its preparation is due; by round key."""
        chosen: dict[str, tuple[Question, ...]] = {}
        writes: list[CellWrite] = []
        place = registry.places.get(QUESTIONS.key)
        questions = list(registry.questions)
        ahead = self.settings.quiz.prepare_ahead
        for round_ in sorted(registry.rounds, key=lambda r: r.opens_at):
            key = normalize(round_.round_id)
            used = tuple(q for q in questions if key in {normalize(u) for u in q.used_in})
            if used:
                chosen[key] = used
                continue
            if now < round_.opens_at - ahead or place is None:
                continue
            try:
                picked = select_questions(questions, round_)
            except NotEnoughQuestions as short:
                outcome.problems.append(NOT_CHOSEN(self.language, round=round_.round_id,
                                                   problem=short.message(self.language,
                                                                         JOINT_SCHEDULE)))
                continue
            column = place.columns.get("used_in")
            for question in picked:
                marked = (*question.used_in, round_.round_id)
                if column is not None:
                    writes.append(CellWrite(place.title, question.row, column, ", ".join(marked)))
                questions[questions.index(question)] = replace(question, used_in=marked)
            chosen[key] = tuple(q for q in questions if q.row in {p.row for p in picked})
        if writes:
            self.registry_sheet.update_cells(writes)
        return chosen

    def write_joint_results(self, registry: Registry, now: datetime, outcome: TickReport
                            ) -> None:
        """``Kết quả chung <round>`` once every cell is done with the round (ranked, missed or
        failed; or an hour past its deadline, naming the cells still not ranked), and again
        whenever a cell ranks it anew (``Xếp hạng lại``)."""
        titles = self.registry_sheet.tab_titles()
        grace = self.settings.quiz.grace
        runs = list(self.cells.values())
        for round_ in registry.rounds:
            key = normalize(round_.round_id)
            deadline = round_.deadline(grace)
            if now < deadline or not runs:
                continue
            states = [run.joint.get(key) for run in runs]
            done = all((run.verdict and state is None) or (state is not None and state.status in (
                Status.RANKED, Status.MISSED, Status.ERROR)) for run, state in zip(
                    runs, states, strict=True))
            existing = JOINT_RESULTS.find(titles, round_.round_id)
            if existing is not None and not self._holds_results(existing):
                existing = None  # left empty by a crash between making it and filling it
            anew = any(key in run.ranked_now for run in runs)
            if not (anew or (existing is None and (done or now >= deadline + LAST_CALL))):
                continue
            parts = [self._cell_part(run, state, round_) for run, state in
                     zip(runs, states, strict=True)]
            tab = joint_results_tab(rank_joint(round_.round_id, parts, opens_at=round_.opens_at),
                                    language=self.language, tz=self.settings.tz)
            tab.title = JOINT_RESULTS.find(titles, round_.round_id) or tab.title
            try:
                self.registry_sheet.write_tabs([tab])
            except Deferred:
                outcome.deferred.append(tab.title)
            except (InputError, BackendError) as failure:
                outcome.failures.append(f"{tab.title}: {failure}")
            else:
                self._filled.add(tab.title)

    def _holds_results(self, title: str) -> bool:
        """Whether a joint results tab holds anything: read once a run, then remembered."""
        if title not in self._filled:
            try:
                rows = self.registry_sheet.read([title]).get(title) or []
            except (InputError, BackendError):
                return True  # unreadable now: leave it be, and look again next pass
            if not any(map(any, rows)):
                return False
            self._filled.add(title)
        return True

    def _cell_part(self, run: CellRun, state: Round | None, round_: Round) -> CellResult:
        """A cell's part in a joint round: as ranked this pass, or read back from its tab."""
        key = normalize(round_.round_id)
        if key in run.results:
            return run.results[key]
        name = run.entry.name
        if state is None or run.backend is None:
            return CellResult(name, None, failure=run.verdict or NOT_TAKEN(self.language))
        rows = None
        if state.status is Status.RANKED:
            sheet = run.backend.sheet
            title = RESULTS.find(sheet.tab_titles(), round_.round_id)
            try:
                rows = sheet.read([title]).get(title) if title else None
            except (InputError, BackendError) as failure:
                return CellResult(name, None, failure=str(failure)[:300])
        return cell_outcome(name, state, rows, language=self.language, tz=self.settings.tz,
                            date_order=run.backend.sheet.date_order)

    def write_statuses(self, registry: Registry, now: datetime) -> None:
        """Each cell's ``Trạng thái`` (and, now and then, ``Kiểm tra lúc``), only what changed."""
        verdicts = {run.entry.name: run.verdict for run in self.cells.values() if run.verdict}
        stamp = self._stamped is None or now - self._stamped >= STAMP_EVERY
        writes = status_writes(registry, verdicts, checked_at=now if stamp else None,
                               tz=self.settings.tz, language=self.language)
        if not writes:
            return
        try:
            self.registry_sheet.update_cells(writes)
        except Deferred:
            return  # written at a later pass
        except (InputError, BackendError) as failure:
            log.warning("the registry's statuses cannot be written: %s", failure)
            return
        if stamp:
            self._stamped = now


#: The writes a cell's step may take (a result tab, the ledger, a rating tab): a cell
#: whose writes wait is taken up again when the budget has room for them.
WRITES_PER_STEP = 3
#: How soon the registry is read again after the service's own write to it.
REGISTRY_AFTER_OWN_WRITE = timedelta(minutes=1)


class CommitteeLoop:
    """``automation run`` for a committee: every cell's due moments, within one budget.

    Each pass (at most a second apart, or at the next due moment):

    * the registry is read again every 30 seconds (cells added or switched off are
      taken up at once);
    * a cell is ticked at each of its due moments, on Google from what it last read
      (acting never waits for the budget: a form opens on time, and what it writes
      follows as the budget allows);
    * a cell is read again when it changed: its workbook's modification time, or
      on Google its Drive version (one Drive request for every cell at once), the
      cells someone else edited first;
      a spreadsheet Drive cannot see (``drive.file`` sees only what this app made or
      opened) is read every minute, or, when there are many, in turn within two thirds
      of the read budget;
    * due cells are ticked side by side (threads), so a hundred forms of a joint
      round open within the same second.
    """

    def __init__(self, committee: Committee, clock: Callable[[], datetime], *,
                 reread: float = REGISTRY_EVERY, poll: float = 10.0,
                 unseen_every: float = 60.0, workers: int = 100,
                 max_nap: float = 1.0) -> None:
        self.committee = committee
        self.clock = clock
        self.reread = timedelta(seconds=reread)
        self.poll = timedelta(seconds=poll)
        self.unseen_every = timedelta(seconds=unseen_every)
        self.workers = workers
        self.max_nap = max_nap  # a clock set forward is noticed this soon
        self.after_pass: Callable[[], None] | None = None  # e.g. the web form follows the cells
        self._registry_at: datetime | None = None
        self._polled_at: datetime | None = None
        self._chosen: dict[str, tuple[Question, ...]] = {}
        self._seen: set[str] = set()  # cells whose changes Drive reports
        self._unseen: set[str] = set()  # cells Drive cannot see: read in turn, see _unseen_every
        self.safety = timedelta(minutes=10)  # a cell Drive reports is read at least this often
        self._waiting = False  # some cell's writes wait for the budget

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.once()
            stop.wait(self.nap())

    def forms(self) -> dict[str, tuple[str, LocalForms]]:
        """Each local cell's forms store by its web path: (name, store)."""
        return {run.entry.path: (run.entry.name, run.backend.forms)
                for run in self.committee.cells.values()
                if run.backend is not None and isinstance(run.backend.forms, LocalForms)}

    def once(self) -> TickReport:
        """One pass: the registry if due, changes polled, every cell that is due or changed."""
        committee = self.committee
        now = self.clock()
        outcome = TickReport()
        if self._registry_at is None or now - self._registry_at >= self._registry_every():
            try:
                registry = committee.load()
                self._chosen = committee.choose(registry, now, outcome)
                self._registry_at = now
            except Deferred:
                pass  # tried again at the next pass
            except (InputError, BackendError) as failure:
                log.warning("the registry cannot be read: %s", failure)
                self._registry_at = now  # tried again at the next re-read
                if committee.registry is None:
                    return outcome
        self._poll(now)
        due = self._due(now)
        if due:
            with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(due)))) as pool:
                for report in pool.map(lambda job: self._tick(job[0], now, job[1]), due):
                    outcome.merge(report)
        if committee.registry is not None:
            committee.write_joint_results(committee.registry, now, outcome)
            committee.write_statuses(committee.registry, now)
        if self.after_pass is not None:
            self.after_pass()
        self._log(outcome)
        return outcome

    def _due(self, now: datetime) -> list[tuple[CellRun, bool]]:
        """The cells to tick this pass, each with whether it reads its sheet first.

        Every cell at a due moment ticks, and, with room in the write budget for a
        step's writes, the cells whose writes wait; on Google they act from what they
        last read (kept in step with their own writes), so acting never waits for a
        read. The reads the budget has room for go first to the cells that may hold a
        secretary's edit (someone else edited it, never read, or a Sheet Drive cannot
        see whose turn came), then to those changed only by the service's own writes
        or not read for a while; longest unread first within each: a burst is read in
        turn, never starving a cell, and the service's own writes never delay reading
        a secretary's edit.
        """
        acting, waiting, stale = [], [], []
        for run in self.committee.cells.values():
            if run.next_moment is not None and now >= run.next_moment:
                acting.append(run)
            elif run.deferred:
                waiting.append(run)
            if self._stale(run, now):
                stale.append(run)
        throttle = self.committee.throttle
        if throttle is None:  # a workbook costs no quota: read whatever ticks
            ticking = acting + waiting
            return [(run, True) for run in ticking + [r for r in stale if r not in ticking]]
        # A cell whose writes wait takes up a step again only with room for the step's
        # writes (a few): a hundred cells each spending the one write left on a step they
        # cannot finish would never move on.
        waiting.sort(key=_longest_unread)
        ticking = acting + waiting[:throttle.spare("sheets.write") // WRITES_PER_STEP]
        fresh = {run.entry.location for run in ticking if run.raw is None}
        reads = throttle.spare("sheets.read") - len(fresh)
        stale.sort(key=lambda run: (not self._may_hold_an_edit(run), _longest_unread(run)))
        for run in stale:
            if reads <= 0:
                break
            if run.entry.location not in fresh:
                fresh.add(run.entry.location)
                reads -= 1
        reading = [run for run in stale if run.entry.location in fresh and run not in ticking]
        return [(run, run.entry.location in fresh) for run in ticking + reading]

    def _may_hold_an_edit(self, run: CellRun) -> bool:
        """Someone else edited it, or, on a Sheet Drive cannot see, its turn came: these
        are read before the cells that changed only by the service's own writes."""
        if run.edited or run.read_at is None:
            return True
        return self.committee.account is not None and not self._sees(run)

    def _stale(self, run: CellRun, now: datetime) -> bool:
        """Changed (or never read); or, with no word of its changes (a workbook, or a
        Sheet Drive cannot see), not read for a while."""
        if run.read_at is None or run.dirty:
            return True
        if self.committee.account is None:
            every = self.reread  # a workbook costs no quota
        elif self._sees(run):
            every = self.safety  # Drive says when it changes
        else:
            every = self._unseen_every()
        return now - run.read_at >= every

    def _unseen_every(self) -> timedelta:
        """How often a Sheet Drive cannot see is read: every ``unseen_every`` (a minute),
        or, with many such Sheets, as often as two thirds of the read budget allow them
        all in turn (the rest is kept for due moments and changed cells)."""
        throttle = self.committee.throttle
        rate = throttle.rate("sheets.read") if throttle is not None else None
        if not rate:
            return self.unseen_every
        share = rate * 2 / 3  # reads a minute
        return max(self.unseen_every, timedelta(minutes=len(self._unseen) / share))

    def _sees(self, run: CellRun) -> bool:
        """Whether Drive can tell when the cell's Sheet changes (asked once per cell)."""
        location = run.entry.location
        if location not in self._seen and location not in self._unseen:
            account = self.committee.account
            assert account is not None
            try:
                version = account.version(location)
            except BackendError:
                return False  # asked again next time
            (self._seen if version is not None else self._unseen).add(location)
        return location in self._seen

    def _registry_every(self) -> timedelta:
        """The registry is read again every 30 s; on Google, when Drive reports its
        changes, at least every 10 minutes (a change read at once by :meth:`_poll`)."""
        account = self.committee.account
        if account is None or not self._polled_at:
            return self.reread
        location = google_id(self.committee.settings.registry, self.committee.language)
        if location not in self._seen and location not in self._unseen:
            (self._seen if account.version(location) is not None else self._unseen).add(location)
        return self.safety if location in self._seen else self.reread

    def _tick(self, run: CellRun, now: datetime, fresh: bool) -> TickReport:
        """A cell's tick: after reading its sheet, or from what it last read."""
        cached = None if fresh or run.raw is None else run.raw
        return self.committee.tick_cell(run, now, self._chosen, cached=cached)

    def _poll(self, now: datetime) -> None:
        """Which cells changed since the last look: workbooks' times, or Drive's versions."""
        committee = self.committee
        if committee.account is None:
            for run in committee.cells.values():
                stamp = _mtime(run.settings.local.workbook)
                if stamp != run.version:
                    run.version, run.dirty, run.edited = stamp, True, True
            return
        if self._polled_at is not None and now - self._polled_at < self.poll:
            return
        since = (self._polled_at or now) - timedelta(seconds=5)
        try:
            changed = committee.account.changed_since(since)
        except (InputError, BackendError) as failure:
            log.warning("Drive cannot say what changed: %s", failure)
            return
        self._polled_at = now
        for run in committee.cells.values():
            edit = changed.get(run.entry.location)
            if edit is not None and edit.version != run.version:
                run.version, run.dirty = edit.version, True
                # Someone else's edit is read first; the service's own writes are
                # already in what it keeps (an edit just before one of them, in the
                # same poll, is read in turn).
                run.edited = run.edited or not edit.by_me
        edit = changed.get(google_id(committee.settings.registry, committee.language))
        if edit is not None and self._registry_at is not None:
            # The admin's edit is read at once; the service's own (statuses) within a
            # minute, in case an edit of the admin's came just before it.
            soon = now - self._registry_every() + (
                timedelta() if not edit.by_me else REGISTRY_AFTER_OWN_WRITE)
            self._registry_at = min(self._registry_at, soon)

    def nap(self) -> float:
        """Seconds until the next due moment of any cell (or the next poll), at most
        ``max_nap``."""
        now = self.clock()
        moments = [run.next_moment for run in self.committee.cells.values()
                   if run.next_moment is not None]
        if self._polled_at is not None:
            moments.append(self._polled_at + self.poll)
        wait = min([self.max_nap, *((m - now).total_seconds() for m in moments)])
        return max(0.0, wait)

    def _log(self, outcome: TickReport) -> None:
        for change in outcome.changes:
            log.info("%s: %s -> %s", change.round_id,
                     change.before.label(self.committee.language),
                     change.after.label(self.committee.language))
        for line in outcome.failures:
            log.warning("%s", line)
        waiting = sum(run.deferred for run in self.committee.cells.values())
        if bool(waiting) != self._waiting:  # said once when it starts, once when it ends
            if waiting:
                log.info("Sheets writes wait for the requests budget (%d cells); they follow "
                         "as it allows, forms open and close on time", waiting)
            else:
                log.info("every cell's writes have caught up")
            self._waiting = bool(waiting)


def _longest_unread(run: CellRun) -> datetime:
    return run.read_at or datetime.min.replace(tzinfo=UTC)


def _mtime(path: Path) -> str | None:
    try:
        return str(path.stat().st_mtime_ns)
    except OSError:
        return None
