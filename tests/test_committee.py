"""A Party committee's cells and a joint round, driven by ticks alone, on both backends.

Three cells are listed in the registry; one of them is broken (its spreadsheet
cannot be reached: a workbook missing, or a Google Sheet not shared with the
service's account). The other two hold the joint round with the registry's
questions, each with its own form and results, and the registry gets every
member ranked together, the broken cell named.
"""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from automation import config
from automation.registrycells import cell_path
from automation.report import plain_name
from automation.service import run_committee
from tests.committeecell import (
    Committee,
    GoogleCommittee,
    LocalCommittee,
    joint_rounds,
    new_committee,
)
from tests.googlecell import GoogleCell
from tests.localcell import local, question_rows
from tests.test_service import wait_for

OPENS = local("10/03/2023 14:00")
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)  # 5 questions × 30 s + 60 s of grace
ROUND = "2023-03-chung"
A, B, C = "Chi bộ Ấp 1", "Chi bộ Ấp 2", "Chi bộ Trường học"
MEMBERS = {A: ["Nguyễn Văn An", "Trần Thị Bình"], B: ["Lê Văn Cường", "Phạm Thị Dung"],
           C: ["Võ Văn Em"]}


@pytest.fixture(params=["local", "google"])
def committee(request: pytest.FixtureRequest, tmp_path: Path) -> Committee:
    made = new_committee(request, tmp_path)
    assert made.run("init") == 0, made.last_output
    cells = []
    for n, name in enumerate((A, B, C)):
        cell = made.add_cell(name, tmp_path / f"cell{n}")
        cell.members(MEMBERS[name])
        where = cell.spreadsheet_id if isinstance(cell, GoogleCell) else str(cell.workbook)
        cells.append((name, where, ""))
    made.cells_tab(cells)
    made.joint_schedule([{"round": ROUND, "opens_at": "10/03/2023 14:00", "questions": 5}])
    made.joint_questions(question_rows(8, prefix="Câu chung"))
    return made


def break_cell(committee: Committee) -> None:
    """Cell C cannot be reached: its workbook is gone, or its Sheet is not shared."""
    cell = committee.cells[C]
    if isinstance(committee, GoogleCommittee):
        assert isinstance(cell, GoogleCell)
        file = committee.fake.file(cell.spreadsheet_id)
        file["permissions"] = [p for p in file.get("permissions", [])
                               if p.get("role") == "owner"]
        file["owners"] = [{"emailAddress": "someone.else@example.com"}]
        committee.fake.state.files[cell.spreadsheet_id]["permissions"] = []
    else:
        cell.workbook.unlink()  # type: ignore[attr-defined]


def test_a_joint_round_in_every_cell_on_ticks_alone(committee: Committee) -> None:
    break_cell(committee)
    # A cell to fix (its workbook gone, its Sheet not shared) is input to fix: exit 1.
    assert committee.tick(OPENS - timedelta(hours=1)) == 1, committee.last_output
    for name in (A, B):
        row = joint_rounds(committee.cells[name])[ROUND]
        assert row["status"] == "Đã chuẩn bị" and row["form_link"], (name, row)
    statuses = committee.statuses()
    assert statuses[A] == statuses[B] == "OK"
    assert statuses[C] and statuses[C] != "OK"  # in plain words, what is wrong

    assert committee.tick(OPENS) == 1
    committee.answer(A, ROUND, "Nguyễn Văn An", at=OPENS + timedelta(seconds=60))
    committee.answer(A, ROUND, "Trần Thị Bình", wrong=1, at=OPENS + timedelta(seconds=50))
    committee.answer(B, ROUND, "Lê Văn Cường", at=OPENS + timedelta(seconds=70))
    assert committee.tick(DEADLINE) == 1, committee.last_output

    for name in (A, B):
        cell = committee.cells[name]
        assert joint_rounds(cell)[ROUND]["status"] == "Đã xếp hạng"
        assert f"Kết quả {ROUND}" in cell.titles()  # type: ignore[attr-defined]
    assert f"Kết quả chung {ROUND}" in committee.titles()
    joint = committee.registry_grid(f"Kết quả chung {ROUND}")
    text = "\n".join(" | ".join(r) for r in joint)
    header = joint.index(next(r for r in joint if r and r[0] == "Hạng"))
    ranked = [(r[0], r[1], plain_name(r[2])) for r in joint[header + 1:] if r and r[0].isdigit()
              and r[1] in (A, B, C) and r[2] in {plain_name(n) for names in MEMBERS.values()
                                                 for n in names} | {r[2]}][:3]
    # Everyone ranked by the same rules across cells: 10 points at 14:01:00 before
    # 10 points at 14:01:10; 8 points last.
    assert ranked == [("1", A, "Nguyễn Văn An"), ("2", B, "Lê Văn Cường"),
                      ("3", A, "Trần Thị Bình")]
    by_cell = {r[1]: r for r in joint if (len(r) > 6 and r[1] in (A, B, C) and not r[2])
               or (len(r) > 6 and r[1] == C)}
    assert C in by_cell and by_cell[C][6]  # the broken cell is named, with why
    assert "3 / 4" in text  # 3 of the 4 members of the cells that held it took part
    # Idle ticks write nothing more.
    assert committee.tick(DEADLINE + timedelta(minutes=5)) == 1


def test_cells_added_and_switched_off_while_the_service_runs(tmp_path: Path) -> None:
    """The registry is read again within seconds: a new cell is served (its web path
    answers, its status is written), a cell switched off stops being served."""
    committee = LocalCommittee(tmp_path / "committee")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    text = committee.config_file.read_text(encoding="utf-8")
    committee.config_file.write_text(text.replace(
        'public_url = "http://quiz.local"', f'host = "127.0.0.1"\nport = {port}'),
        encoding="utf-8")
    committee.settings = config.load(committee.config_file)
    assert committee.run("init") == 0
    first = committee.add_cell(A, tmp_path / "a")
    second = committee.add_cell(B, tmp_path / "b")
    for cell, name in ((first, A), (second, B)):
        cell.members(MEMBERS[name])
    committee.cells_tab([(A, str(first.workbook), "")])
    committee.joint_schedule([])
    stop = threading.Event()
    service = threading.Thread(target=run_committee, args=(committee.settings,),
                               kwargs={"stop": stop, "reread": 0.5})
    service.start()
    try:
        home = f"http://127.0.0.1:{port}"
        path_a, path_b = cell_path(A), cell_path(B)
        assert wait_for(lambda: committee.statuses().get(A) == "OK", 20), committee.statuses()
        assert wait_for(lambda: status_of(f"{home}/{path_a}/") == 200)
        assert status_of(f"{home}/{path_b}/") == 404

        committee.cells_tab([(A, str(first.workbook), ""), (B, str(second.workbook), "")])
        assert wait_for(lambda: committee.statuses().get(B) == "OK", 20), committee.statuses()
        assert wait_for(lambda: status_of(f"{home}/{path_b}/") == 200)

        committee.cells_tab([(A, str(first.workbook), "Tắt"), (B, str(second.workbook), "")])
        assert wait_for(lambda: status_of(f"{home}/{path_a}/") == 404)
        assert status_of(f"{home}/{path_b}/") == 200
    finally:
        stop.set()
        service.join(20)
    assert not service.is_alive()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
