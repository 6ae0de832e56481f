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
from datetime import UTC, datetime
from pathlib import Path

from automation.committee import Committee
from automation.config import Settings
from automation.filelock import exclusive, lock_path
from automation.i18n import Text, count
from automation.ports import InputError
from automation.registrytemplate import registry_template
from automation.tables import table
from automation.text import normalize

NO_CELL = Text(
    "Không có chi bộ '{cell}' trong trang Chi bộ của bảng tính đăng ký. Các chi bộ đang có: "
    "{known}.",
    "There is no cell '{cell}' in the registry's Cells tab. Cells there: {known}.",
)
NEEDS_CELL = Text(
    "Với bảng tính đăng ký nhiều chi bộ, lệnh {command} cần --cell TÊN CHI BỘ.",
    "With a registry of cells, the {command} command needs --cell NAME.",
)
CELL_HEADING = Text("== Chi bộ {cell}", "== Cell {cell}")
REGISTRY_OK = Text("Bảng tính đăng ký không có lỗi: {cells}, {rounds}.",
                   "The registry has no problems: {cells}, {rounds}.")


def now_utc() -> datetime:
    return datetime.now(UTC)


def for_cell(settings: Settings, name: str) -> Settings:
    """The settings of the registry's cell ``name``: as a single-cell installation's."""
    committee = Committee(settings, clock=now_utc)
    registry = committee.load()
    for entry in registry.cells:
        if normalize(entry.name) == normalize(name):
            return committee.cell_settings(entry)
    known = ", ".join(e.name for e in registry.cells) or "-"
    raise InputError(NO_CELL(settings.language, cell=name, known=known))


def dispatch(args: argparse.Namespace, settings: Settings,
             single: Callable[[argparse.Namespace, Settings], int],
             print_tick: Callable[[object, Settings], int]) -> int:
    """Run the command for the committee, or for one cell (``--cell``)."""
    cell = getattr(args, "cell", None)
    if cell:
        return single(args, for_cell(settings, cell))
    command = args.command
    handlers = {"init": init, "check": check, "status": status, "tick": tick}
    if command == "run":
        from automation.service import run_committee

        return run_committee(settings)
    if command not in handlers:
        from automation.cli import UsageError

        raise UsageError(NEEDS_CELL(settings.language, command=command))
    if command == "tick":
        return tick(args, settings, print_tick)
    return handlers[command](args, settings)  # type: ignore[operator]


def init(args: argparse.Namespace, settings: Settings) -> int:
    """The registry's tabs with examples (never overwriting); ``--cell`` inits a cell."""
    from automation.backends import open_spreadsheet
    from automation.cli import CREATED, KEPT, example_opening

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


def check(args: argparse.Namespace, settings: Settings) -> int:
    """The registry's problems, then every cell's (its name, then tab, row and column)."""
    from automation.cli import cmd_check

    language = settings.language
    committee = Committee(settings, clock=now_utc)
    registry = committee.load()
    bad = 0
    for problem in registry.problems:
        print(problem.describe(language))
        bad += 1
    for run in committee.cells.values():
        print(CELL_HEADING(language, cell=run.entry.name))
        single = argparse.Namespace(**{**vars(args), "cell": None})
        try:
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
    from automation.cli import parse_now

    now = parse_now(args.now, settings) if args.now else now_utc()
    committee = Committee(settings, clock=lambda: now)
    with exclusive(lock_path(settings.registry, settings.language), settings.language):
        outcome = committee.tick(now)
    return print_tick(outcome, settings)

