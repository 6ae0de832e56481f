"""The crash test of a single cell, run on a committee's joint round.

The committee's ``automation tick`` plays a joint round in its cell; for
every Google request of the whole round in turn, the fake holds it (before
acting, or after acting but before answering) while the test kills the tick
with SIGKILL; then the tick is run again, as cron or systemd would. Whatever
the crash point: exactly one form for the round in the cell, every response
ranked, the cell's ``Thi chung`` consistent, and the registry's joint results
written with every member.
"""

from __future__ import annotations

import copy
import os
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.committeecell import GoogleCommittee, joint_rounds
from tests.fakegoogle import FakeGoogle
from tests.localcell import local, question_rows
from tests.test_crash import (
    Hold,
    crash_at_every_call,
    finish,
    is_google_call,
    restore,
    tick,
)

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")

OPENS = local("10/03/2023 14:00")
ROUND = "2023-03-chung"
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)
CELL = "Chi bộ Ấp 1"
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]


@pytest.fixture(scope="module")
def arranged(fake_google_server: FakeGoogle, tmp_path_factory: pytest.TempPathFactory) -> Any:
    fake = fake_google_server
    folder = Path(tmp_path_factory.mktemp("crash-joint"))
    committee = GoogleCommittee(fake, folder)
    assert committee.run("init") == 0, committee.last_output
    cell = committee.add_cell(CELL, folder / "cell")
    cell.members(MEMBERS)
    committee.cells_tab([(CELL, cell.spreadsheet_id, "")])
    committee.joint_schedule([{"round": ROUND, "opens_at": "10/03/2023 14:00", "questions": 5}])
    committee.joint_questions(question_rows(8, prefix="Câu chung"))
    cell.read_with_gspread = False  # the test's own reads must not count as the tick's
    with fake.app.lock:
        snapshot = copy.deepcopy(fake.app.state)
    return committee, snapshot


def play(committee: GoogleCommittee, hold: Hold | None) -> bool:
    crashed = False
    for phase, now in (("prepare", OPENS - timedelta(hours=2)), ("open", OPENS),
                       ("rank", DEADLINE)):
        if phase == "rank":
            for index, name in enumerate(MEMBERS):
                committee.answer(CELL, ROUND, name, wrong=index,
                                 at=OPENS + timedelta(seconds=60))
        process = tick(committee, now)  # type: ignore[arg-type]  # it has a config_file
        if hold is not None and not crashed:
            while process.poll() is None and not hold.reached.wait(0.05):
                pass
            if hold.reached.is_set():
                process.send_signal(signal.SIGKILL)
                process.wait(10)
                hold.remove()
                crashed = True
                process = tick(committee, now)  # type: ignore[arg-type]
        output = finish(process)
        assert process.returncode == 0, output
    return crashed


def check(committee: GoogleCommittee, fake: FakeGoogle, where: str) -> None:
    forms = [f for f in fake.state.files.values()
             if f.get("mimeType", "").endswith(".form") and not f.get("trashed")]
    assert len(forms) == 1, f"{where}: {len(forms)} forms"
    row = joint_rounds(committee.cells[CELL])[ROUND]
    assert row["status"] == "Đã xếp hạng", f"{where}: {row}"
    assert row["form_id"] == forms[0]["id"] and row["opened_at"] and row["closed_at"], where
    joint = committee.registry_grid(f"Kết quả chung {ROUND}")
    by_cell = [i for i, cells in enumerate(joint) if cells and cells[0] == "Theo chi bộ"]
    ranking = joint[:by_cell[0]] if by_cell else joint
    names = {cells[2].split(" — ")[0] for cells in ranking if cells and cells[0].isdigit()
             and cells[1] == CELL}
    assert names == set(MEMBERS), f"{where}: {joint}"


def test_a_crash_at_every_google_call_of_a_joint_round_is_mended_by_a_restart(
    arranged: Any, fake_google_server: FakeGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    committee, snapshot = arranged
    fake = fake_google_server
    restore(fake, snapshot)
    assert play(committee, None) is False
    calls = [r for r in fake.requests() if is_google_call(r["method"], r["path"])]
    check(committee, fake, "without a crash")
    covered = crash_at_every_call(fake, snapshot, calls, lambda hold: play(committee, hold),
                                  lambda where: check(committee, fake, where))
    with capsys.disabled():  # the count belongs in every run's output, CI's included
        print(f"\njoint round crash points covered: {len(covered)} ({len(calls)} Google calls)")
    assert len(covered) >= len(calls)
