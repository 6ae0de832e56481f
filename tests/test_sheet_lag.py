"""A schedule that cannot be written at the meeting: the round follows its own form.

The secretary left the workbook open in LibreOffice (its lock file sits beside
the workbook, so the service may not save) when the round opened. The form
opened anyway and members were told their answers were received. The round
must close on time by the form's own state, never be marked missed, and be
ranked with every acknowledged submission as soon as the file is closed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from automation.backends import forms_db
from automation.layout import SCHEDULE
from automation.localforms import FormState, LocalForms
from tests.localcell import LocalCell, local, question_rows

OPENS = local("10/03/2023 14:00")
# The contract's arithmetic: 5 questions × 30 s + 60 s of grace.
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em",
           "Đặng Thị Giang"]


@pytest.fixture
def cell(tmp_path: Path) -> LocalCell:
    cell = LocalCell(tmp_path)
    assert cell.run("init") == 0
    cell.questions(question_rows(8))
    cell.members(MEMBERS)
    cell.schedule([{"round": "2023-03", "opens_at": OPENS.replace(tzinfo=None), "questions": 5}])
    assert cell.tick(OPENS - timedelta(hours=1)) == 0
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"
    return cell


def lock(cell: LocalCell) -> Path:
    """What LibreOffice leaves beside a file it has open."""
    lock_file = cell.workbook.with_name(f".~lock.{cell.workbook.name}#")
    lock_file.write_text("secretary,pc,28.02.2023 13:55", encoding="utf-8")
    return lock_file


def form_state(cell: LocalCell, form_id: str) -> FormState:
    forms = LocalForms(forms_db(cell.settings), public_url="", clock=lambda: DEADLINE)
    try:
        form = forms.form(form_id)
        assert form is not None
        return form.state
    finally:
        forms.close_db()


def test_a_workbook_locked_at_the_opening_still_gets_every_answer_ranked(cell: LocalCell) -> None:
    form_id = cell.rounds()["2023-03"]["form_id"]
    held = lock(cell)
    assert cell.tick(OPENS) == 3  # the form opened; the schedule could not be written
    assert "LibreOffice" in cell.last_output
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"

    for index, name in enumerate(MEMBERS[:5]):
        receipt = cell.answer("2023-03", name, wrong=index % 3, started=OPENS,
                              submitted=OPENS + timedelta(seconds=60 + index))
        assert receipt.outcome.value == "accepted"

    # At the deadline the file is still open: the form is closed on time all the same.
    assert cell.tick(DEADLINE) == 3
    assert form_state(cell, form_id) is FormState.CLOSED
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"  # still unwritten

    held.unlink()  # the secretary closes the file
    assert cell.tick(DEADLINE + timedelta(minutes=5)) == 0
    row = cell.rounds()["2023-03"]
    assert row["status"] == "Đã xếp hạng", row
    assert row["opened_at"] and row["closed_at"]
    assert "không ghi được vào bảng tính" in row["note"]
    ranked = [name for _, name, _ in cell.ranked("2023-03")]
    assert sorted(ranked) == sorted(MEMBERS[:5])
    assert "Lỡ lịch" not in cell.text("Lịch thi")


def test_a_form_that_never_opened_is_still_missed(cell: LocalCell) -> None:
    """The service was down at the meeting: asking the form changes nothing."""
    assert cell.tick(DEADLINE) == 0
    row = cell.rounds()["2023-03"]
    assert row["status"] == "Lỡ lịch" and row["opened_at"] == ""


def test_times_the_service_writes_are_date_time_cells_in_the_cells_zone(cell: LocalCell) -> None:
    assert cell.tick(OPENS + timedelta(seconds=2)) == 0
    assert cell.tick(DEADLINE + timedelta(seconds=2)) == 0
    rows = cell.tab(next(t for t in cell.titles() if SCHEDULE.matches(t)))
    header = [str(h) for h in rows[0]]
    opened = rows[1][header.index("Mở thực tế")]
    closed = rows[1][header.index("Đóng lúc")]
    # Wall time in Asia/Ho_Chi_Minh, as the secretary typed Mở lúc, not UTC.
    assert opened == (OPENS + timedelta(seconds=2)).replace(tzinfo=None)
    assert closed == (DEADLINE + timedelta(seconds=2)).replace(tzinfo=None)
