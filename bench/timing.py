"""How late forms open and close while ``automation run`` runs: 20 rounds per backend.

Schedules 20 short rounds (5 questions × 5 s, no grace: 25 s each), opening
3 s apart, in a fresh cell on the local backend and on the google backend
against the fake Google (in-process, real HTTP), then runs the real service
(``automation.service.run``, real clock) until every round is ranked. The
lateness is read from each form's own record of when it started and stopped
accepting (the local forms store; the Google form's Drive marks), to the
millisecond: opening = opened − Mở lúc; closing = closed − (opened + 25 s).
Goal: at most 1 s for both, at every round.

    python bench/timing.py
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automation import config
from automation.backends import forms_db
from automation.localforms import LocalForms
from automation.service import run
from tests.fakegoogle import FakeGoogle
from tests.googlecell import GoogleCell
from tests.localcell import TZ, LocalCell, question_rows

ROUNDS = 20
QUESTIONS = 5
SECONDS = 5
SPACING = timedelta(seconds=3)
LEAD = timedelta(seconds=20)  # time to prepare every round before the first opens
DURATION = timedelta(seconds=QUESTIONS * SECONDS)  # grace is 0
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
QUIZ = {"grace_seconds": 0, "prepare_hours_ahead": 1, "shuffle_options": False}

Cell = LocalCell | GoogleCell
Moments = Callable[[str], tuple[datetime | None, datetime | None]]


def schedule(cell: Cell, start: datetime) -> dict[str, datetime]:
    """Questions, members and 20 rounds opening ``SPACING`` apart from ``start``."""
    opens = {f"R{n:02d}": start + n * SPACING for n in range(ROUNDS)}
    cell.questions(question_rows(ROUNDS * QUESTIONS))
    cell.members(MEMBERS)
    cell.schedule([
        {"round": rid, "opens_at": when.astimezone(TZ).strftime("%d/%m/%Y %H:%M:%S"),
         "questions": QUESTIONS, "seconds": SECONDS}
        for rid, when in opens.items()
    ])
    return opens


def serve_until_ranked(cell: Cell, settings: config.Settings, last: datetime) -> None:
    """The real service, in a thread, until every round is ranked (or a minute too long)."""
    stop = threading.Event()
    service = threading.Thread(target=run, args=(settings,), kwargs={"stop": stop}, daemon=True)
    service.start()
    try:
        give_up = last + DURATION + timedelta(seconds=60)
        while datetime.now(UTC) < give_up:
            time.sleep(1)
            if datetime.now(UTC) > last + DURATION:
                states = [r.get("status") for r in cell.rounds().values()]
                if states.count("Đã xếp hạng") == ROUNDS:
                    return
        raise SystemExit(f"not every round was ranked: {cell.rounds()}")
    finally:
        stop.set()
        service.join(30)


def report(name: str, opens: dict[str, datetime], moments: Moments) -> float:
    opening, closing = [], []
    for rid, planned in opens.items():
        opened, closed = moments(rid)
        assert opened is not None and closed is not None, rid
        opening.append((opened - planned).total_seconds())
        closing.append((closed - (opened + DURATION)).total_seconds())
    print(f"{name}: {len(opens)} rounds, all ranked")
    print(f"  opening late by: max {max(opening):.3f} s, mean {mean(opening):.3f} s")
    print(f"  closing late by: max {max(closing):.3f} s, mean {mean(closing):.3f} s")
    return max(*opening, *closing)


def local_backend(folder: Path) -> float:
    cell = LocalCell(folder, **QUIZ)
    text = cell.config_file.read_text(encoding="utf-8")
    with socket.socket() as probe:  # a free port for the web form
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cell.config_file.write_text(
        text.replace("[local]", f'[local]\nhost = "127.0.0.1"\nport = {port}'), encoding="utf-8")
    cell.settings = config.load(cell.config_file)
    assert cell.run("init") == 0, cell.last_output
    opens = schedule(cell, datetime.now(UTC).replace(microsecond=0) + LEAD)
    serve_until_ranked(cell, cell.settings, max(opens.values()))
    store = LocalForms(forms_db(cell.settings), public_url="", clock=lambda: datetime.now(UTC))
    rows = cell.rounds()

    def moments(rid: str) -> tuple[datetime | None, datetime | None]:
        form = store.form(rows[rid]["form_id"])
        assert form is not None
        return form.opened_at, form.closed_at

    return report("local backend", opens, moments)


def google_backend(folder: Path) -> float:
    fake = FakeGoogle.start()
    try:
        cell = GoogleCell(fake, folder, **QUIZ)
        cell.init()
        cell.read_with_gspread = False
        opens = schedule(cell, datetime.now(UTC).replace(microsecond=0) + LEAD)
        serve_until_ranked(cell, cell.settings, max(opens.values()))
        rows = cell.rounds()

        def moments(rid: str) -> tuple[datetime | None, datetime | None]:
            marks = fake.file(rows[rid]["form_id"]).get("appProperties", {})
            return (datetime.fromisoformat(marks["automationOpenedAt"]),
                    datetime.fromisoformat(marks["automationClosedAt"]))

        return report("google backend (fake Google over HTTP)", opens, moments)
    finally:
        fake.stop()


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        worst = max(local_backend(Path(folder) / "local"), google_backend(Path(folder) / "google"))
    print(f"worst lateness: {worst:.3f} s (goal: at most 1 s)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
