"""Every command in every state a round can be in, on both backends.

A round is brought to each state the way it really gets there (ticks with a
controlled clock; a bank one question short for ``Lỗi``; a crash between
closing and ranking for ``Đã đóng``), the state is kept, and each command is
run on a fresh copy of it through ``automation``'s entry point. Each must
exit with its documented code (0 done, 1 input to fix, 3 outside failure)
and print no traceback. The last release passed every other test and still
crashed on ``automation status`` the first time a round had a link.
"""

from __future__ import annotations

import copy
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.backends import open_backend
from automation.layout import SCHEDULE
from tests.fakegoogle import FakeGoogle
from tests.googlecell import GoogleCell
from tests.localcell import LocalCell, local, question_rows

OPENS = local("10/03/2023 14:00")
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)  # 5 questions × 30 s + 60 s of grace
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
STATES = ("Chờ", "Đã chuẩn bị", "Đang mở", "Đã đóng", "Đã xếp hạng", "Lỡ lịch", "Lỗi")
COMMANDS = ("check", "status", "tick", "open", "close", "rank", "doctor")

# What each command answers in each state (documented exit codes). Errors come from a
# bank one question short, which check names (1) and which a tick or open hits again (1).
EXPECTED: dict[str, dict[str, int]] = {
    "check":  {"Chờ": 0, "Đã chuẩn bị": 0, "Đang mở": 0, "Đã đóng": 0, "Đã xếp hạng": 0,
               "Lỡ lịch": 0, "Lỗi": 1},
    "status": dict.fromkeys(STATES, 0),
    "tick":   {"Chờ": 0, "Đã chuẩn bị": 0, "Đang mở": 0, "Đã đóng": 0, "Đã xếp hạng": 0,
               "Lỡ lịch": 0, "Lỗi": 1},
    "open":   {"Chờ": 0, "Đã chuẩn bị": 0, "Đang mở": 1, "Đã đóng": 1, "Đã xếp hạng": 1,
               "Lỡ lịch": 0, "Lỗi": 1},
    "close":  {"Chờ": 1, "Đã chuẩn bị": 1, "Đang mở": 0, "Đã đóng": 1, "Đã xếp hạng": 1,
               "Lỡ lịch": 1, "Lỗi": 1},
    "rank":   {"Chờ": 1, "Đã chuẩn bị": 1, "Đang mở": 1, "Đã đóng": 0, "Đã xếp hạng": 0,
               "Lỡ lịch": 1, "Lỗi": 1},
    "doctor": dict.fromkeys(STATES, 0),
}
# When `tick` runs in each state: a moment at which nothing new falls due.
TICK_AT = {"Chờ": OPENS - timedelta(hours=30), "Đã chuẩn bị": OPENS - timedelta(minutes=30),
           "Đang mở": OPENS + timedelta(seconds=30), "Đã đóng": DEADLINE + timedelta(minutes=1),
           "Đã xếp hạng": DEADLINE + timedelta(days=1), "Lỡ lịch": DEADLINE + timedelta(days=1),
           "Lỗi": OPENS - timedelta(hours=1)}
# What else the round shows after the command (the status it is left in).
AFTER: dict[tuple[str, str], str] = {
    ("tick", "Đã đóng"): "Đã xếp hạng",
    ("open", "Chờ"): "Đang mở", ("open", "Đã chuẩn bị"): "Đang mở",
    ("open", "Lỡ lịch"): "Đang mở",
    ("close", "Đang mở"): "Đã xếp hạng",
    ("rank", "Đã đóng"): "Đã xếp hạng",
}

Cell = LocalCell | GoogleCell


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def arrange(cell: Cell, state: str) -> None:
    """Bring the cell's one round to ``state``, as it would get there for real."""
    cell.questions(question_rows(4 if state == "Lỗi" else 8))
    cell.members(MEMBERS)
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5}])
    steps = {
        "Chờ": [],
        "Đã chuẩn bị": [OPENS - timedelta(hours=1)],
        "Đang mở": [OPENS - timedelta(hours=1), OPENS],
        "Đã đóng": [OPENS - timedelta(hours=1), OPENS],
        "Đã xếp hạng": [OPENS - timedelta(hours=1), OPENS, DEADLINE],
        "Lỡ lịch": [OPENS - timedelta(hours=1), DEADLINE],
        "Lỗi": [OPENS - timedelta(hours=1)],
    }[state]
    for moment in steps:
        cell.tick(moment)
    if state == "Đang mở" or state == "Đã đóng":
        cell.answer("2023-03", MEMBERS[0], started=OPENS, submitted=OPENS + timedelta(seconds=50))
    if state == "Đã đóng":
        # A crash after the tick closed the form and wrote so, before it ranked the round.
        backend = open_backend(cell.settings, clock=lambda: DEADLINE)
        backend.forms.close(cell.rounds()["2023-03"]["form_id"])
        cell.edit(SCHEDULE, 2, "status", "Đã đóng")
        cell.edit(SCHEDULE, 2, "closed_at", DEADLINE.replace(tzinfo=None))
    assert status(cell) == state, (state, cell.rounds(), cell.last_output)


def status(cell: Cell) -> str:
    """The round's status as the secretary reads it (blank is Chờ)."""
    return cell.rounds()["2023-03"]["status"] or "Chờ"


@dataclass
class Kept:
    """A state kept for copying: a cell's folder, and (google) the fake's state."""

    folder: Path
    fake_state: Any = None
    spreadsheet_id: str = ""


@pytest.fixture(scope="module")
def kept_local(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Kept]:
    kept = {}
    for state in STATES:
        folder = tmp_path_factory.mktemp(f"local-{len(kept)}")
        cell = LocalCell(folder)
        assert cell.run("init") == 0
        arrange(cell, state)
        kept[state] = Kept(folder)
    return kept


@pytest.fixture(scope="module")
def kept_google(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Kept]:
    kept = {}
    for state in STATES:
        fake = FakeGoogle.start()  # each state arranged on a Google of its own
        try:
            folder = tmp_path_factory.mktemp(f"google-{len(kept)}")
            cell = GoogleCell(fake, folder)
            cell.init()
            arrange(cell, state)
            with fake.app.lock:
                snapshot = copy.deepcopy(fake.app.state)
        finally:
            fake.stop()
        kept[state] = Kept(folder, snapshot, cell.spreadsheet_id)
    return kept


@pytest.fixture(params=["local", "google"])
def copy_of(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A function giving a fresh copy of the cell in a given state."""
    backend = request.param

    def make(state: str) -> Cell:
        if backend == "local":
            source = request.getfixturevalue("kept_local")[state]
            shutil.copytree(source.folder, tmp_path / "cell")
            cell = LocalCell(tmp_path / "cell")
            # doctor checks that the web form's port is free: use one that is.
            text = cell.config_file.read_text(encoding="utf-8")
            cell.config_file.write_text(
                text.replace("[local]", f'[local]\nhost = "127.0.0.1"\nport = {free_port()}'),
                encoding="utf-8")
            return cell
        fake = request.getfixturevalue("fake_google")  # this case's own fake Google
        source = request.getfixturevalue("kept_google")[state]
        with fake.app.lock:
            fake.app.state = copy.deepcopy(source.fake_state)
        shutil.copytree(source.folder, tmp_path / "cell")
        cell = GoogleCell.__new__(GoogleCell)
        cell.fake, cell.folder, cell.quiz = fake, tmp_path / "cell", {}
        cell.spreadsheet_id, cell.last_output, cell.read_with_gspread = (
            source.spreadsheet_id, "", True)
        cell.config_file = cell.folder / "config" / "settings.toml"
        cell._write_config()
        return cell

    yield make


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_in_every_state(copy_of: Any, command: str, state: str) -> None:
    cell = copy_of(state)
    if command == "tick":
        code = cell.tick(TICK_AT[state])
    elif command in ("open", "close", "rank"):
        code = cell.run(command, "2023-03")
    else:
        code = cell.run(command)
    output = cell.last_output
    assert "Traceback" not in output and "Error:" not in output.split("\n")[0], output
    assert code == EXPECTED[command][state], f"{command} in {state!r} -> {code}:\n{output}"
    assert status(cell) == AFTER.get((command, state), state), output
    if command == "status":
        assert "2023-03" in output and state in output
    else:  # each message once (a status change was once printed twice)
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == len(set(lines)), output
    if code == 1:  # input to fix: the message says what, in the cell's language
        assert output.strip()
