"""A crash at any Google call of a round, then a restart: still one form, every response ranked.

Each round is played by ``automation tick`` processes against the fake Google.
For every Google request of a whole round in turn, the fake holds that
request — before acting on it, or (for requests that change something) after
acting on it but before answering — while the test kills the tick with SIGKILL.
Then the tick is simply run again, as systemd or cron would, and the round is
played to its end. Whatever the crash point: exactly one form for the round,
every response ranked, and consistent statuses.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.googlecell import GoogleCell
from tests.localcell import local, question_rows

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")

OPENS = local("10/03/2023 14:00")
PREPARE_AT = OPENS - timedelta(hours=2)
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
ROOT = Path(__file__).resolve().parents[1]


def is_google_call(method: str, target: str) -> bool:
    return not target.startswith("/_fake") and not target.startswith("/token")


class Hold:
    """Holds the n-th Google request (before or after the fake acts on it) until released."""

    def __init__(self, app: Any, n: int, after: bool) -> None:
        self.app, self.n, self.after = app, n, after
        self.seen = 0
        self.reached = threading.Event()
        self.release = threading.Event()
        self.call = ""
        self._handle: Callable[..., Any] = app.handle
        app.handle = self.handle

    def handle(self, method: str, target: str, headers: Any, raw: bytes) -> Any:
        if is_google_call(method, target):
            self.seen += 1
            if self.seen == self.n:
                self.call = f"{method} {target.split('?')[0]}"
                if not self.after:
                    self.reached.set()
                    self.release.wait(30)
                    return self._handle("GET", "/_fake/nothing", headers, b"")
                reply = self._handle(method, target, headers, raw)
                self.reached.set()
                self.release.wait(30)
                return reply
        return self._handle(method, target, headers, raw)

    def remove(self) -> None:
        self.app.handle = self._handle
        self.release.set()


def tick(cell: GoogleCell, now: datetime) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOMATION_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "automation",
            "--config",
            str(cell.config_file),
            "tick",
            "--now",
            now.isoformat(),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finish(process: subprocess.Popen[bytes]) -> str:
    out, _ = process.communicate(timeout=120)
    return out.decode("utf-8", "replace")


def play(cell: GoogleCell, hold: Hold | None) -> bool:
    """Play the round; the tick that meets the held call is killed and run again.

    Returns whether the held call was reached.
    """
    crashed = False
    for phase, now in (("prepare", PREPARE_AT), ("open", OPENS), ("rank", DEADLINE)):
        if phase == "rank":
            for index, name in enumerate(MEMBERS):
                cell.answer("2023-03", name, wrong=index, at=OPENS + timedelta(seconds=60))
        process = tick(cell, now)
        if hold is not None and not crashed:
            while process.poll() is None and not hold.reached.wait(0.05):
                pass
            if hold.reached.is_set():
                process.send_signal(signal.SIGKILL)
                process.wait(10)
                hold.remove()
                crashed = True
                process = tick(cell, now)  # the restart
        output = finish(process)
        assert process.returncode == 0, output
    return crashed


@pytest.fixture(scope="module")
def arranged(fake_google_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    cell = GoogleCell(fake_google_server, tmp_path_factory.mktemp("crash"))
    cell.init()
    cell.questions(question_rows(8))
    cell.members(MEMBERS)
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5}])
    cell.read_with_gspread = False  # the test's own reads must not count as the tick's calls
    with fake_google_server.app.lock:
        snapshot = copy.deepcopy(fake_google_server.app.state)
    return cell, snapshot


def restore(fake: Any, snapshot: Any) -> None:
    with fake.app.lock:
        fake.app.state = copy.deepcopy(snapshot)
        fake.app.log.clear()
        fake.app.faults.clear()


def check_round(cell: GoogleCell, fake: Any, where: str) -> None:
    forms = [f for f in fake.state.files.values() if f.get("mimeType", "").endswith(".form")]
    live = [f for f in forms if not f.get("trashed")]
    assert len(live) == 1, f"{where}: {len(live)} forms"
    row = cell.rounds()["2023-03"]
    assert row["status"] == "Đã xếp hạng", f"{where}: {row}"
    assert row["form_id"] == live[0]["id"], where
    assert row["opened_at"] and row["closed_at"], where
    ranked = [name for _, name, _ in cell.ranked("2023-03")]
    assert ranked == MEMBERS, f"{where}: {ranked}"


def crash_at_every_call(fake: Any, snapshot: Any, calls: list[dict[str, Any]],
                        play: Callable[[Hold | None], bool],
                        check: Callable[[str], None]) -> list[str]:
    """For every call in turn, a crash before it (and after it, for a write): the state
    restored, the round played with the crash, then checked; the crash points covered."""
    covered: list[str] = []
    for n, call in enumerate(calls, start=1):
        for after in [False] if call["method"] == "GET" else [False, True]:
            restore(fake, snapshot)
            hold = Hold(fake.app, n, after)
            try:
                reached = play(hold)
            finally:
                hold.remove()
            where = f"crash {'after' if after else 'before'} call {n} ({hold.call})"
            assert reached, f"{where}: the call was never made"
            check(where)
            covered.append(where)
    return covered


def test_a_crash_at_every_google_call_of_a_round_is_mended_by_a_restart(
    arranged: Any, fake_google_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cell, snapshot = arranged
    fake = fake_google_server
    restore(fake, snapshot)
    assert play(cell, None) is False
    calls = [r for r in fake.requests() if is_google_call(r["method"], r["path"])]
    check_round(cell, fake, "without a crash")
    assert len(calls) >= 15, calls

    covered = crash_at_every_call(fake, snapshot, calls, lambda hold: play(cell, hold),
                                  lambda where: check_round(cell, fake, where))
    with capsys.disabled():  # the count belongs in every run's output, CI's included
        print(f"\ncrash points covered: {len(covered)} ({len(calls)} Google calls in a round)")
    assert len(covered) >= len(calls)
