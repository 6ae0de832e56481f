"""Choosing the adapters: the local workbook and web form, or Google.

The shell asks for a :class:`Backend` and never needs to know which one it
got; tests pick the backend through the settings, exactly as an admin does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from automation.config import Settings
from automation.ports import Forms, Spreadsheet
from automation.tick import Quiz


@dataclass
class Backend:
    """The spreadsheet, the forms service, and what forms are marked with."""

    sheet: Spreadsheet
    forms: Forms
    owner: str

    qr_folder: Path | None = None  # local: a QR code PNG per round is kept here
    cell_path: str = ""  # local, many cells on one server: the cell's path (its QR files)

    def quiz(self, settings: Settings) -> Quiz:
        return Quiz(self.sheet, self.forms, settings, owner=self.owner, on_link=self.announce)

    def announce(self, round_id: str, url: str) -> None:
        """A round's link was written: keep its QR code beside the workbook (local)."""
        if self.qr_folder is not None:
            from automation import qr

            qr.save_png(url, self.qr_folder / qr.qr_filename(round_id, self.cell_path))


def forms_db(settings: Settings) -> Path:
    """The local forms' SQLite file, beside the workbook."""
    workbook = settings.local.workbook
    return workbook.with_name(workbook.stem + ".forms.sqlite")


def public_url(settings: Settings, cell_path: str = "") -> str:
    """The address members' phones use for the local web form (a cell's, under its path,
    when many cells share the server)."""
    from automation.httpserver import cell_url, public_base_url

    base = public_base_url(settings.local.public_url, settings.local.host, settings.local.port)
    return cell_url(base, cell_path) if cell_path else base


def open_spreadsheet(settings: Settings) -> Spreadsheet:
    """The secretary's spreadsheet alone (init, check, status)."""
    if settings.backend == "google":
        from automation.googlebackend import connect

        return connect(settings)[0]
    from automation.workbook import LocalWorkbook

    return LocalWorkbook(settings.local.workbook, language=settings.language)


#: Seconds a tick waits for a workbook open in Excel or LibreOffice before it gives up
#: until the next tick: a tick must not hold back the rounds due after it.
TICK_LOCK_WAIT = 2.0


def open_backend(
    settings: Settings, *, clock: Callable[[], datetime], lock_wait: float = TICK_LOCK_WAIT,
    cell_path: str = "",
) -> Backend:
    """The spreadsheet and the forms service of the configured backend.

    ``cell_path`` (local): the cell is served among many under ``/<cell-path>``
    (``webcells``): its links and QR file names carry the path.
    """
    if settings.backend == "google":
        from automation.googlebackend import connect

        sheet, forms = connect(settings, clock=clock)
        return Backend(sheet, forms, owner=settings.google.spreadsheet_id)
    from automation.localforms import LocalForms
    from automation.workbook import LocalWorkbook

    workbook = settings.local.workbook
    return Backend(
        LocalWorkbook(workbook, language=settings.language, lock_timeout=lock_wait),
        LocalForms(forms_db(settings), public_url=public_url(settings, cell_path), clock=clock,
                   language=settings.language),
        owner=str(workbook.resolve()),
        qr_folder=workbook.parent,
        cell_path=cell_path,
    )
