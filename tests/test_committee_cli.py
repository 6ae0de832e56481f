"""The committee admin's commands (``registry`` set), on both backends.

``init`` makes the registry's tabs and keeps them; ``check`` names every problem
of the registry and of each cell (a missing workbook with what to do);
``status`` shows the cells and the joint rounds, and, for one cell
(``--cell``), its own schedule and its joint rounds, in every state of a
round; a step by hand needs a cell, and a joint round's time is the
registry's.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.committeecell import Committee, GoogleCommittee, LocalCommittee, new_committee
from tests.googlecell import GoogleCell
from tests.localcell import local, question_rows
from tests.test_service import free_port, serve_until_sigterm

OPENS = local("10/03/2023 14:00")
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)
ROUND = "2023-03-chung"
A, GONE = "Chi bộ Ấp 1", "Chi bộ Ấp 9"


@pytest.fixture(params=["local", "google"])
def committee(request: pytest.FixtureRequest, tmp_path: Path) -> Committee:
    return new_committee(request, tmp_path)


def arrange(committee: Committee, tmp_path: Path) -> None:
    assert committee.run("init") == 0, committee.last_output
    cell = committee.add_cell(A, tmp_path / "cell")
    cell.members(["Nguyễn Văn An", "Trần Thị Bình"])
    cell.questions(question_rows(6))  # its own bank, for rounds of its own later
    where = cell.spreadsheet_id if isinstance(cell, GoogleCell) else str(cell.workbook)
    gone = ("1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG" if isinstance(cell, GoogleCell)
            else str(tmp_path / "missing.xlsx"))
    committee.cells_tab([(A, where, ""), (GONE, gone, "")])
    committee.joint_schedule([{"round": ROUND, "opens_at": "10/03/2023 14:00", "questions": 5}])
    committee.joint_questions(question_rows(8, prefix="Câu chung"))


def test_init_makes_the_registry_tabs_once(committee: Committee) -> None:
    assert committee.run("init") == 0, committee.last_output
    assert "Lịch thi chung, Câu hỏi" in committee.last_output.split("\n")[0]  # made
    assert committee.run("init") == 0
    assert "không ghi đè: Chi bộ, Lịch thi chung, Câu hỏi" in committee.last_output
    if isinstance(committee, LocalCommittee):
        assert committee.run("status") == 0, committee.last_output  # the examples read well
    else:  # the Sheet began with a Chi bộ tab of its own, kept as it was: it is named
        assert committee.run("status") == 1
        assert 'Chi bộ, dòng 1, cột Bảng tính: Thiếu cột "Bảng tính"' in committee.last_output


def test_check_names_the_registry_row_and_each_cell(committee: Committee,
                                                    tmp_path: Path) -> None:
    arrange(committee, tmp_path)
    committee.joint_schedule([{"round": ROUND, "opens_at": "10/03/2023 14:00", "questions": 5},
                              {"round": "2023-04-chung", "opens_at": "ngày mai",
                               "questions": 5}])
    assert committee.run("check") == 1
    out = committee.last_output
    assert 'Lịch thi chung, dòng 3, cột Mở lúc: Không đọc được "ngày mai"' in out
    assert f"== {A}" in out and f"== {GONE}" in out
    if isinstance(committee, LocalCommittee):  # what to do, for the registry's admin
        assert f'automation init --cell "{GONE}"' in out
    assert committee.run("check", "--cell", GONE) == 1
    assert committee.run("check", "--cell", A) == 0, committee.last_output


def test_check_names_a_joint_round_the_registrys_questions_cannot_fill(
        committee: Committee, tmp_path: Path) -> None:
    arrange(committee, tmp_path)
    committee.cells_tab([(A, committee.registry_grid("Chi bộ")[1][1], "")])  # A alone
    committee.joint_schedule([{"round": ROUND, "opens_at": "10/03/2023 14:00", "questions": 5},
                              {"round": "2023-04-chung", "opens_at": "10/04/2023 14:00",
                               "questions": 5}])
    assert committee.run("check") == 1, committee.last_output  # 8 questions for 10
    out = committee.last_output
    assert "Kỳ thi 2023-04-chung: cần 5 câu hỏi" in out and "chỉ còn 3" in out, out
    assert "trong trang Lịch thi chung" in out and ROUND in out  # served first, named
    committee.joint_questions(question_rows(10, prefix="Câu chung"))
    assert committee.run("check") == 0, committee.last_output


def test_status_in_every_state_of_a_joint_round(committee: Committee, tmp_path: Path) -> None:
    arrange(committee, tmp_path)
    states = {}
    for label, now in (("before", None), ("prepared", OPENS - timedelta(hours=1)),
                       ("open", OPENS), ("ranked", DEADLINE)):
        if now is not None:
            committee.tick(now)
        assert committee.run("status") in (0, 1), committee.last_output
        whole = committee.last_output
        assert A in whole and GONE in whole and ROUND in whole and "10/03/2023 14:00" in whole
        assert committee.run("status", "--cell", A) == 0, committee.last_output
        states[label] = committee.last_output
    assert "Chờ" in states["before"]
    assert "Đã chuẩn bị" in states["prepared"]
    assert "Đang mở" in states["open"]
    assert "Đã xếp hạng" in states["ranked"]
    assert committee.run("status") == 0, committee.last_output
    statuses = {line.split("  ")[0]: line for line in committee.last_output.splitlines()}
    assert statuses[A].rstrip().endswith("OK")  # the registry's Trạng thái after the ticks
    assert "Lỗi" in statuses[GONE]


def test_a_step_by_hand_needs_a_cell_and_a_joint_round_is_the_registrys(
        committee: Committee, tmp_path: Path) -> None:
    arrange(committee, tmp_path)
    assert committee.run("open", ROUND) == 2
    assert "--cell" in committee.last_output
    assert committee.run("close", "--cell", A, ROUND) == 1
    assert "kỳ thi chung" in committee.last_output and "Lịch thi chung" in committee.last_output
    assert committee.run("status", "--cell", "Chi bộ Không Có") == 1
    assert "Chi bộ Không Có" in committee.last_output and A in committee.last_output


def test_init_of_a_google_cell_listed_without_a_sheet_makes_one_and_links_it(
        fake_google: object, tmp_path: Path) -> None:
    committee = GoogleCommittee(fake_google, tmp_path)
    assert committee.run("init") == 0
    committee.cells_tab([("Chi bộ Ấp 3", "", "")])
    assert committee.run("status") == 1  # no spreadsheet yet: the row says what to do
    assert committee.run("init", "--cell", "chi bộ ấp 3") == 0, committee.last_output
    assert "Đã tạo bảng tính cho Chi bộ Ấp 3" in committee.last_output
    link = committee.registry_grid("Chi bộ")[1][1]
    assert link.startswith("https://docs.google.com/spreadsheets/d/") and link in (
        committee.last_output)
    assert "Đã tạo: Câu hỏi, Đảng viên, Lịch thi, Tiêu chí" in committee.last_output
    assert committee.run("check", "--cell", "Chi bộ Ấp 3") == 0, committee.last_output
    assert committee.run("init", "--cell", "Chi bộ Ấp 3") == 0  # once: never a second sheet
    assert "không ghi đè" in committee.last_output and "Đã tạo bảng tính" not in (
        committee.last_output)


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM is POSIX")
def test_run_serves_the_committee_and_logs_where_it_is_told(tmp_path: Path) -> None:
    """``automation run --log-file`` with a registry: the committee's service starts, says
    so in its log, and stops cleanly on SIGTERM (it once ran with no log at all)."""
    committee = LocalCommittee(tmp_path)
    arrange(committee, tmp_path)
    port = free_port()
    text = committee.config_file.read_text(encoding="utf-8")
    committee.config_file.write_text(
        text.replace("[local]", f'[local]\nhost = "127.0.0.1"\nport = {port}'), encoding="utf-8")
    log_file = tmp_path / "logs" / "service.log"
    code, said = serve_until_sigterm(committee.config_file, port, log_file)
    assert code == 0, said
    assert "committee service started" in said and "committee service stopped" in said, said
    logged = log_file.read_text(encoding="utf-8")
    assert "committee service started" in logged and "committee service stopped" in logged
