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

    def write_tab(self, spec: TabSpec, rows: Sequence[Mapping[str, object]]) -> None:
        raise NotImplementedError

    def questions(self, rows: Sequence[Mapping[str, object]]) -> None:
        self.write_tab(QUESTIONS, rows)

    def members(self, names: Sequence[str]) -> None:
        self.write_tab(MEMBERS, [{"name": n} for n in names])

    def schedule(self, rows: Sequence[Mapping[str, object]]) -> None:
        self.write_tab(SCHEDULE, rows)
