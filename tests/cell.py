"""What a cell's people do, whatever the backend: the shared half of the test cells.

:class:`~tests.localcell.LocalCell` and :class:`~tests.googlecell.GoogleCell`
add how the secretary edits her spreadsheet and how members answer.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path

from automation.cli import main
from automation.layout import MEMBERS, QUESTIONS, SCHEDULE, TabSpec


def toml_value(value: object) -> str:
    """A settings value as TOML writes it: ``true``, ``60``, ``"roster"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class CellBase:
    """The admin's commands and the secretary's three tabs."""

    config_file: Path
    last_output = ""

    def run(self, *args: str, now: datetime | None = None) -> int:
        """``automation --config … ARGS [--now NOW]``; the output is kept in ``last_output``."""
        argv = ["--config", str(self.config_file), *args]
        if now is not None:
            argv += ["--now", now.isoformat()]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
        self.last_output = out.getvalue() + err.getvalue()
        return code

    def tick(self, now: datetime) -> int:
        return self.run("tick", now=now)

    # --- the chi ủy's marks in a month's "6 tốt" tab -----------------------------------

    def grid(self, title: str) -> list[list[str]]:
        """A tab's cells as text, as the secretary reads them."""
        raise NotImplementedError

    def set_cells(self, title: str, values: Mapping[tuple[int, int], object]) -> None:
        """Type values into cells (row, column: 1-based), as the secretary would."""
        raise NotImplementedError

    def mark(self, title: str, marks: Mapping[str, Mapping[str, object]]) -> None:
        """Fill a month tab by name and header: ``{"An": {"1": "Đạt", "Kỷ luật": "Có"}}``."""
        rows = self.grid(title)
        header_at = next(i for i, row in enumerate(rows) if "Họ và tên" in row or "Name" in row)
        header = rows[header_at]
        names = {row[header.index(next(h for h in header if h in ("Họ và tên", "Name")))]: n
                 for n, row in enumerate(rows, start=1) if n > header_at + 1 and row}
        cells = {(names[name], header.index(column) + 1): value
                 for name, filled in marks.items() for column, value in filled.items()}
        self.set_cells(title, cells)

    def write_tab(self, spec: TabSpec, rows: Sequence[Mapping[str, object]]) -> None:
        raise NotImplementedError

    def questions(self, rows: Sequence[Mapping[str, object]]) -> None:
        self.write_tab(QUESTIONS, rows)

    def members(self, names: Sequence[str]) -> None:
        self.write_tab(MEMBERS, [{"name": n} for n in names])

    def schedule(self, rows: Sequence[Mapping[str, object]]) -> None:
        self.write_tab(SCHEDULE, rows)
