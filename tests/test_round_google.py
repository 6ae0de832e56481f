"""A whole round on the google backend, through the CLI alone, against the fake Google."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from automation import googlebackend
from automation.tick import Quiz
from tests.fakegoogle import ApiError
from tests.googlecell import GoogleCell
from tests.localcell import local, question_rows

OPENS = local("10/03/2023 14:00")
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)
HOSTILE = '=HYPERLINK("http://evil.example","Bấm vào đây")'
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", HOSTILE]


@pytest.fixture
def cell(fake_google: Any, tmp_path: Path) -> GoogleCell:
    cell = GoogleCell(fake_google, tmp_path)
    cell.init()
    cell.questions(question_rows(12))
    cell.members(MEMBERS)
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5}])
    return cell


def test_a_whole_round_through_the_cli(cell: GoogleCell, fake_google: Any) -> None:
    assert cell.tick(OPENS - timedelta(hours=2)) == 0, cell.last_output
    prepared = cell.rounds()["2023-03"]
    assert prepared["status"] == "Đã chuẩn bị"
    form = fake_google.form(prepared["form_id"])
    assert prepared["form_link"] == form["responderUri"]
    assert form["publishSettings"]["publishState"].get("isAcceptingResponses") in (False, None)
    assert "grading" not in str(form) and not form["settings"].get("quizSettings", {}).get(
        "isQuiz"
    )  # rule 8: no answer key on the form
    permissions = fake_google.file(prepared["form_id"]).get("permissions", [])
    assert not any(p["type"] == "anyone" for p in permissions)  # responders once published

    assert cell.tick(OPENS) == 0, cell.last_output
    assert cell.rounds()["2023-03"]["status"] == "Đang mở"
    permissions = fake_google.file(prepared["form_id"]).get("permissions", [])
    assert any(p["type"] == "anyone" and p.get("view") == "published" for p in permissions)

    cell.answer("2023-03", "Trần Thị Bình", at=OPENS + timedelta(seconds=100))
    cell.answer("2023-03", "Nguyễn Văn An", wrong=1, at=OPENS + timedelta(seconds=90))
    cell.answer("2023-03", "Lê Văn Cường", wrong=1, at=OPENS + timedelta(seconds=90))
    cell.answer("2023-03", "Lê Văn Cường", at=OPENS + timedelta(seconds=95))  # repeated
    cell.answer("2023-03", HOSTILE, wrong=2, at=OPENS + timedelta(seconds=120))

    assert cell.tick(DEADLINE) == 0, cell.last_output
    done = cell.rounds()["2023-03"]
    assert done["status"] == "Đã xếp hạng", done
    form = fake_google.form(done["form_id"])
    assert form["publishSettings"]["publishState"]["isPublished"] is True
    assert form["publishSettings"]["publishState"]["isAcceptingResponses"] is False
    with pytest.raises(ApiError, match=r"PERMISSION_DENIED|FAILED_PRECONDITION|403"):
        cell.answer("2023-03", "Phạm Thị Dung", at=DEADLINE + timedelta(seconds=5))

    assert cell.ranked("2023-03") == [
        (1, "Trần Thị Bình", 10.0),
        (2, "Lê Văn Cường", 8.0),
        (2, "Nguyễn Văn An", 8.0),
        (4, HOSTILE, 6.0),
    ]
    results = cell.values("Kết quả 2023-03")
    flat = [c for row in results for c in row]
    assert "Nộp lại" in flat and "Phạm Thị Dung" in flat  # repeated listed; absentee listed
    # The hostile name is stored as text, never as a formula.
    formulas = fake_google.spreadsheet_values(cell.spreadsheet_id, "Kết quả 2023-03", "FORMULA")
    assert HOSTILE in [c for row in formulas for c in row]
    responses = cell.values("Bài làm 2023-03")
    assert sum(1 for row in responses if "Lê Văn Cường" in row) == 2
    stats = cell.values("Thống kê câu hỏi")
    assert sum(1 for row in stats if row and row[0] == "2023-03") == 5
    season = cell.values("Tổng kết 2023")
    assert any("Trần Thị Bình" in row for row in season)

    # Nothing due: a tick process writes nothing (it signs in and finds the tabs, then reads).
    before = len(fake_google.requests())
    assert cell.tick(DEADLINE + timedelta(days=1)) == 0
    idle = [r for r in fake_google.requests()[before:] if r["path"] != "/token"]
    assert [r["method"] for r in idle] == ["GET", "GET"], idle

    # The service keeps its connection: each idle tick after the first is one Sheets read.
    sheet, forms = googlebackend.connect(cell.settings)
    quiz = Quiz(sheet, forms, cell.settings, owner=cell.spreadsheet_id)
    quiz.tick(DEADLINE + timedelta(days=2))
    before = len(fake_google.requests())
    for day in range(3, 6):
        assert quiz.tick(DEADLINE + timedelta(days=day)).changes == []
    assert len(fake_google.requests()) - before == 3


def test_a_spreadsheet_not_shared_with_the_account_names_it(
    fake_google: Any, tmp_path: Path
) -> None:
    other = fake_google.create_spreadsheet("someone@example.com", "Không chia sẻ")
    cell = GoogleCell(fake_google, tmp_path)
    cell.spreadsheet_id = other
    cell._write_config()
    assert cell.run("status") == 1  # the admin must share it: retrying cannot help
    assert "admin@example.com" in cell.last_output


def test_service_columns_are_added_to_a_schedule_tab_with_no_spare_column(
    fake_google: Any, tmp_path: Path
) -> None:
    cell = GoogleCell(fake_google, tmp_path)
    cell.init()
    cell.questions(question_rows(12))
    cell.members(MEMBERS[:2])
    schedule = cell.book().worksheet("Lịch thi")
    schedule.clear()
    schedule.resize(rows=2, cols=2)  # her own tab: just the two columns she needs
    schedule.update([["Kỳ thi", "Mở lúc"], ["2023-03", "10/03/2023 14:00"]], "A1")
    assert cell.tick(OPENS - timedelta(hours=1)) == 0, cell.last_output
    rows = cell.values("Lịch thi")
    assert rows[0][:3] == ["Kỳ thi", "Mở lúc", "Trạng thái"]
    prepared = cell.rounds()["2023-03"]
    assert prepared["status"] == "Đã chuẩn bị" and prepared["form_id"]


def test_init_on_a_new_spreadsheet_leaves_only_the_template_tabs(
    fake_google: Any, tmp_path: Path
) -> None:
    cell = GoogleCell(fake_google, tmp_path)
    cell.init()
    assert cell.titles() == ["Câu hỏi", "Đảng viên", "Lịch thi", "Tiêu chí"]  # no stray Sheet1


def test_a_response_edited_after_the_deadline_is_listed_not_ranked(
    cell: GoogleCell, fake_google: Any
) -> None:
    """Google keeps the first submission's time (createTime); an edit after the deadline
    (the form was left open: the service was down) changed answers given in time."""
    assert cell.tick(OPENS - timedelta(hours=2)) == 0, cell.last_output
    assert cell.tick(OPENS) == 0, cell.last_output
    cell.answer("2023-03", "Trần Thị Bình", wrong=1, at=OPENS + timedelta(seconds=60))
    form_id = cell.rounds()["2023-03"]["form_id"]
    (first,) = fake_google.responses(form_id)
    fake_google.edit_response(form_id, first["responseId"], {
        qid: [a["value"] for a in answer["textAnswers"]["answers"]]
        for qid, answer in first["answers"].items()
    }, submit_time=DEADLINE + timedelta(minutes=5))
    assert cell.tick(DEADLINE + timedelta(minutes=10)) == 0, cell.last_output
    assert cell.ranked("2023-03") == []
    listed = cell.text("Kết quả 2023-03")
    assert "Trần Thị Bình" in listed and "Sửa bài sau hạn" in listed
    assert "10/03/2023 14:01:00" in listed  # the first submission's time, not the edit's


def test_show_score_after_submit_in_the_settings_gives_a_graded_quiz_still_ranked_by_the_service(
        fake_google: Any, tmp_path: Path) -> None:
    cell = GoogleCell(fake_google, tmp_path, show_score_after_submit=True)
    cell.init()
    cell.questions(question_rows(12))
    cell.members(MEMBERS[:3])
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5}])
    assert cell.tick(OPENS - timedelta(hours=2)) == 0, cell.last_output
    form = fake_google.form(cell.rounds()["2023-03"]["form_id"])
    assert form["settings"]["quizSettings"]["isQuiz"] is True  # what the setting costs
    graded = [item for item in form["items"]
              if item["questionItem"]["question"].get("grading")]
    assert len(graded) == 5 and all(
        item["questionItem"]["question"]["grading"]["correctAnswers"]["answers"]
        for item in graded)
    assert cell.tick(OPENS) == 0, cell.last_output
    cell.answer("2023-03", "Trần Thị Bình", at=OPENS + timedelta(seconds=100))
    cell.answer("2023-03", "Nguyễn Văn An", wrong=1, at=OPENS + timedelta(seconds=90))
    assert cell.tick(DEADLINE) == 0, cell.last_output
    assert cell.ranked("2023-03") == [(1, "Trần Thị Bình", 10.0), (2, "Nguyễn Văn An", 8.0)]


def test_a_form_opened_late_states_the_deadline_it_really_has(cell: GoogleCell,
                                                              fake_google: Any) -> None:
    """The service was not running at Mở lúc: the form opens 40 s late, its deadline moves
    with its opening (rule 3), and the form's rules say that deadline, as the results do."""
    assert cell.tick(OPENS - timedelta(hours=2)) == 0, cell.last_output
    form_id = cell.rounds()["2023-03"]["form_id"]
    assert "14:03:30" in fake_google.form(form_id)["info"]["description"]  # as planned
    assert cell.tick(OPENS + timedelta(seconds=40)) == 0, cell.last_output
    description = fake_google.form(form_id)["info"]["description"]
    assert "Hạn nộp bài: 10/03/2023 14:04:10" in description, description
    cell.answer("2023-03", "Trần Thị Bình", at=OPENS + timedelta(seconds=230))  # in time now
    assert cell.tick(DEADLINE + timedelta(seconds=40)) == 0, cell.last_output
    assert cell.ranked("2023-03") == [(1, "Trần Thị Bình", 10.0)]
    assert "14:04:10" in cell.text("Kết quả 2023-03")
