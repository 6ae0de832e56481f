"""The commands of a committee's installation (``registry`` set in the settings).

``init``, ``check``, ``status``, ``tick`` and ``run`` act on the registry and
every cell it lists; every command also takes ``--cell NAME`` to act on one
cell exactly as a single-cell installation would (``open``, ``close``,
``rank``, ``rate`` and ``doctor`` need it). Each is a few lines of wiring.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from automation.commandline import CREATED, KEPT, UsageError, example_opening, now_utc, parse_now
from automation.committee import WORKBOOK_MISSING, Committee
from automation.config import Settings
from automation.filelock import exclusive, lock_path
from automation.i18n import Text, count
from automation.joint import plan_joint_ledger
from automation.layout import CELLS, JOINT_ROUNDS, JOINT_SCHEDULE, find_tab
from automation.ports import CellWrite, InputError
from automation.registry import Registry, RegistryCell
from automation.registrytemplate import registry_template
from automation.selection import NotEnoughQuestions, shortages
from automation.tables import table
from automation.text import cell_text, normalize

NO_CELL = Text(
    "Không có chi bộ '{cell}' trong trang Chi bộ của bảng tính đăng ký. Các chi bộ đang có: "
    "{known}.",
    "There is no cell '{cell}' in the registry's Cells tab. Cells there: {known}.",
)
NEEDS_CELL = Text(
    "Với bảng tính đăng ký nhiều chi bộ, lệnh {command} cần --cell TÊN CHI BỘ.",
    "With a registry of cells, the {command} command needs --cell NAME.",
)
CELL_HEADING = Text("== {cell}", "== {cell}")
CELL_SHEET_MADE = Text(
    "Đã tạo bảng tính cho {cell}: {url} (đã ghi vào cột Bảng tính của bảng tính đăng ký).",
    "Made {cell}'s spreadsheet: {url} (written into the registry's Spreadsheet column).",
)
JOINT_BY_HAND = Text(
    "{round} là kỳ thi chung: mọi chi bộ mở, đóng và xếp hạng cùng lúc theo trang Lịch thi "
    "chung của bảng tính đăng ký. Muốn đổi giờ, hãy sửa giờ ở trang đó.",
    "{round} is a joint round: every cell opens, closes and ranks it together, as the "
    "registry's Joint schedule tab says. To change its time, edit it there.",
)
REGISTRY_OK = Text("Bảng tính đăng ký không có lỗi: {cells}, {rounds}.",
                   "The registry has no problems: {cells}, {rounds}.")


def find_cell(settings: Settings, name: str, *, must_exist: bool = True
              ) -> tuple[Committee, RegistryCell]:
    """The registry's cell ``name`` (its workbook must exist, unless it is to be made)."""
    committee = Committee(settings, clock=now_utc)
    registry = committee.load()
    for entry in registry.cells:
        if normalize(entry.name) == normalize(name):
            workbook = Path(committee.location(entry))
            if must_exist and settings.backend == "local" and not workbook.exists():
                raise InputError(WORKBOOK_MISSING(settings.language, file=workbook,
                                                  cell=entry.name))
            return committee, entry
    known = ", ".join(e.name for e in registry.cells) or "-"
    raise InputError(NO_CELL(settings.language, cell=name, known=known))


def new_google_cell(settings: Settings, name: str) -> Settings | None:
    """``init --cell NAME`` for a cell listed with no spreadsheet yet (Google): a new Sheet,
    shared with ``share_with``, its link written into the row's ``Bảng tính``; the cell's
    settings, for ``init`` to add the template tabs. None: the cell has a spreadsheet.

    A Sheet this app made is one Drive lets it watch (``drive.file``): the service sees
    its secretary's edits within seconds, at no cost to the read budget.
    """
    from automation.googlebackend import create_spreadsheet

    committee = Committee(settings, clock=now_utc)
    registry = committee.load()
    place = registry.places.get(CELLS.key)
    if place is None or any(normalize(e.name) == normalize(name) for e in registry.cells):
        return None
    rows = committee.registry_sheet.read([place.title]).get(place.title, [])
    name_at, link_at = place.columns["name"], place.columns["spreadsheet"]
    for number, row in enumerate(rows, start=1):
        if number <= place.header_row or len(row) < name_at:
            continue
        listed = cell_text(row[name_at - 1])
        link = cell_text(row[link_at - 1]) if len(row) >= link_at else ""
        if normalize(listed) != normalize(name) or link:
            continue
        spreadsheet_id, url = create_spreadsheet(settings, listed)
        committee.registry_sheet.update_cells([CellWrite(place.title, number, link_at, url)])
        print(CELL_SHEET_MADE(settings.language, cell=listed, url=url))
        return replace(settings, registry="",
                       google=replace(settings.google, spreadsheet_id=spreadsheet_id))
    return None


def dispatch(args: argparse.Namespace, settings: Settings,
             single: Callable[[argparse.Namespace, Settings], int],
             print_tick: Callable[[object, Settings], int], *,
             check: Callable[[argparse.Namespace, Settings], int]) -> int:
    """Run the command for the committee, or for one cell (``--cell``): ``single`` is the
    cell's own command, ``check`` a cell's check (the committee's check runs it per cell)."""
    cell = getattr(args, "cell", None)
    if cell and args.command == "init" and settings.backend == "google":
        made = new_google_cell(settings, cell)
        if made is not None:
            return single(args, made)
    if cell:
        committee, entry = find_cell(settings, cell, must_exist=args.command != "init")
        round_id = getattr(args, "round", None)
        if args.command in ("open", "close", "rank") and round_id and committee.registry and any(
                normalize(r.round_id) == normalize(round_id) for r in committee.registry.rounds):
            raise InputError(JOINT_BY_HAND(settings.language, round=round_id))
        code = single(args, committee.cell_settings(entry))
        if args.command == "status":
            code = max(code, joint_status(committee, entry))
        return code
    command = args.command
    handlers = {"init": init, "status": status}
    if command == "run":  # the cell's own command, which sets up the log, serves them all
        return single(args, settings)
    if command not in (*handlers, "tick", "check"):
        raise UsageError(NEEDS_CELL(settings.language, command=command))
    if command == "tick":
        return tick(args, settings, print_tick)
    if command == "check":
        return check_all(args, settings, check)
    return handlers[command](args, settings)


def init(args: argparse.Namespace, settings: Settings) -> int:
    """The registry's tabs with examples (never overwriting); ``--cell`` inits a cell."""
    from automation.backends import open_spreadsheet

    language = settings.language
    registry = settings.registry
    target = (replace(settings, google=replace(settings.google, spreadsheet_id=registry))
              if settings.backend == "google" else
              replace(settings, local=replace(settings.local, workbook=Path(registry))))
    sheet = open_spreadsheet(target)
    tabs = registry_template(language, backend=settings.backend,
                             opens_at=example_opening(settings))
    created = sheet.add_tabs(tabs)
    kept = [t.title for t in tabs if t.title not in created]
    if created:
        print(CREATED(language, tabs=", ".join(created), where=sheet.location()))
    if kept:
        print(KEPT(language, tabs=", ".join(kept), where=sheet.location()))
    return 0


def check_all(args: argparse.Namespace, settings: Settings,
              cmd_check: Callable[[argparse.Namespace, Settings], int]) -> int:
    """The registry's problems, then every cell's (its name, then tab, row and column)."""
    language = settings.language
    committee = Committee(settings, clock=now_utc)
    registry = committee.load()
    bad = 0
    for problem in registry.problems:
        print(problem.describe(language))
        bad += 1
    for short in joint_shortages(registry):
        print(short.message(language, JOINT_SCHEDULE))
        bad += 1
    for run in committee.cells.values():
        print(CELL_HEADING(language, cell=run.entry.name))
        single = argparse.Namespace(**{**vars(args), "cell": None})
        workbook = Path(committee.location(run.entry))
        try:
            if settings.backend == "local" and not workbook.exists():
                raise InputError(WORKBOOK_MISSING(language, file=workbook, cell=run.entry.name))
            bad += cmd_check(single, run.settings) != 0
        except InputError as problem:  # the cell's spreadsheet itself cannot be read
            print(problem)
            bad += 1
    if bad:
        return 1
    print(REGISTRY_OK(language, cells=count(language, len(committee.cells), "chi bộ", "cell"),
                      rounds=count(language, len(registry.rounds), "kỳ thi chung",
                                   "joint round")))
    return 0


def joint_shortages(registry: Registry) -> list[NotEnoughQuestions]:
    """Every joint round still to be chosen that the registry's questions cannot fill (the
    rounds before it served first); a round whose questions were chosen is done."""
    chosen = {normalize(u) for q in registry.questions for u in q.used_in}
    waiting = [r for r in registry.rounds if normalize(r.round_id) not in chosen]
    return shortages(registry.questions, waiting)


def status(args: argparse.Namespace, settings: Settings) -> int:
    """The cells and their state, as the registry's Chi bộ tab says."""
    language = settings.language
    committee = Committee(settings, clock=now_utc)
    registry = committee.load()
    headers = (["Cell", "On", "Spreadsheet", "Status"] if language == "en"
               else ["Chi bộ", "Bật", "Bảng tính", "Trạng thái"])
    rows = [[e.name, "✓" if e.on else "—", e.spreadsheet, e.status] for e in registry.cells]
    print(committee.registry_sheet.location())
    print(table(headers, rows))
    if registry.rounds:
        print()
        print(table(["Joint round", "Opens at"] if language == "en"
                    else ["Kỳ thi chung", "Mở lúc"],
                    [[r.round_id, r.opens_at.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M")]
                     for r in registry.rounds]))
    for problem in registry.problems:
        print(problem.describe(language), file=sys.stderr)
    return 1 if registry.problems else 0


def tick(args: argparse.Namespace, settings: Settings,
         print_tick: Callable[[object, Settings], int]) -> int:
    """One pass over the registry and every cell switched on."""
    now = parse_now(args.now, settings) if args.now else now_utc()
    committee = Committee(settings, clock=lambda: now)
    with exclusive(lock_path(settings.registry, settings.language), settings.language):
        outcome = committee.tick(now)
    return print_tick(outcome, settings)



def joint_status(committee: Committee, entry: RegistryCell) -> int:
    """The cell's joint rounds (its ``Thi chung``), as a table after its own schedule."""
    from automation.backends import open_spreadsheet

    settings = committee.cell_settings(entry)
    language = settings.language
    registry = committee.registry
    if registry is None or not registry.rounds:
        return 0
    sheet = open_spreadsheet(settings)
    title = find_tab(sheet.tab_titles(), JOINT_ROUNDS)
    rows = sheet.read([title]).get(title) if title else None
    plan = plan_joint_ledger(rows, registry.rounds, language, tz=settings.tz,
                             quiz=settings.quiz, title=title, date_order=sheet.date_order,
                             title_limit=sheet.title_limit)
    keys = ("round", "opens_at", "questions", "status", "form_link", "note")
    print()
    print(table([JOINT_ROUNDS.column(k).header(language) for k in keys], [
        [r.round_id, r.opens_at.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M"),
         r.question_count, r.status.label(language), r.form_link, r.note]
        for r in plan.rounds]))
    for problem in plan.problems:
        print(problem.describe(language), file=sys.stderr)
    return 1 if plan.problems else 0
