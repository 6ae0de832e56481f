"""The commands an admin types, on the local backend, through ``automation.cli.main``."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from automation.cli import main
from automation.report import plain_name
from tests.localcell import LocalCell, question_rows

ROWS = question_rows(10)
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em"]


@pytest.fixture
def cell(tmp_path: Path) -> LocalCell:
    cell = LocalCell(tmp_path)
    assert cell.run("init") == 0, cell.last_output
    cell.questions(ROWS)
    cell.members(MEMBERS)
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5}])
    return cell


def test_init_creates_a_workbook_that_checks_clean_and_never_overwrites_it(tmp_path: Path) -> None:
    cell = LocalCell(tmp_path)
    assert cell.run("init") == 0
    assert "Câu hỏi" in cell.last_output and cell.workbook.exists()
    assert cell.run("check") == 0, cell.last_output
    cell.members(["Chỉ một người"])
    assert cell.run("init") == 0
    assert "không ghi đè" in cell.last_output
    assert cell.tab("Đảng viên")[1][0] == "Chỉ một người"


def test_check_names_every_defective_row_and_no_clean_one(cell: LocalCell) -> None:
    rows = [dict(r) for r in ROWS]
    rows[1]["answer"] = "G"  # sheet row 3
    rows[3]["B"] = None  # row 5: C without B
    rows[6]["points"] = -2  # row 8
    cell.questions(rows)
    cell.members([*MEMBERS, " nguyễn  văn an "])  # row 7 of Đảng viên: a duplicate
    cell.schedule(
        [
            {"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5},
            {"round": "2023-04", "opens_at": "31/04/2023 14:00"},  # row 3: no 31 April
        ]
    )
    assert cell.run("check") == 1
    named = set(re.findall(r"^(\S[^,\n]*), dòng (\d+)", cell.last_output, re.MULTILINE))
    assert named == {
        ("Câu hỏi", "3"),
        ("Câu hỏi", "5"),
        ("Câu hỏi", "8"),
        ("Đảng viên", "7"),
        ("Lịch thi", "3"),
    }, cell.last_output


def test_check_a_round_says_how_many_questions_are_missing(cell: LocalCell) -> None:
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 10}])
    cell.questions(question_rows(7))
    assert cell.run("check", "2023-03") == 1
    assert "thiếu 3" in cell.last_output
    assert cell.run("check", "2099-01") == 1
    assert "2023-03" in cell.last_output  # names the rounds that exist


def test_status_prints_the_schedule_as_a_table(cell: LocalCell) -> None:
    assert cell.run("status") == 0
    lines = cell.last_output.splitlines()
    assert any(line.startswith("Kỳ thi") and "Trạng thái" in line for line in lines)
    assert any(line.startswith("2023-03") and "10/03/2023 14:00" in line for line in lines)


def export(rows: list[list[str]]) -> str:
    """A Google Forms response export in the Vietnamese locale."""
    titles = [str(r["question"]) for r in ROWS[:5]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Dấu thời gian", "Điểm", "Họ và tên", *titles])
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()


def answers(wrong: int = 0) -> list[str]:
    return [str(r["A"] if i < wrong else r["B"]) for i, r in enumerate(ROWS[:5])]


def test_rank_a_vietnamese_export_writes_the_results_tab(cell: LocalCell, tmp_path: Path) -> None:
    csv_file = tmp_path / "Thi tháng 3 (Câu trả lời).csv"
    csv_file.write_text(
        export(
            [
                ["10/03/2023 14:02:10", "8 / 10", "Nguyễn Văn An", *answers(1)],
                ["10/03/2023 14:01:30", "10 / 10", "Trần Thị Bình", *answers()],
                ["10/03/2023 14:02:10", "8 / 10", "Lê Văn Cường", *answers(1)],
                ["10/03/2023 14:03:00", "10 / 10", "Lê Văn Cường", *answers()],
                ["10/03/2023 14:03:10", "10 / 10", "Người Lạ", *answers()],
                ["10/03/2023 14:09:00", "10 / 10", "Phạm Thị Dung", *answers()],
            ]
        ),
        encoding="utf-8",
    )
    code = cell.run("rank", "2023-03", "--responses-csv", str(csv_file))
    assert code == 0, cell.last_output
    assert cell.ranked("2023-03") == [
        (1, "Trần Thị Bình", 10),
        (2, "Lê Văn Cường", 8),
        (2, "Nguyễn Văn An", 8),
    ]
    results = cell.tab("Kết quả 2023-03")
    header = next(r for r in results if r and r[0] == "Hạng")
    assert list(header[:7]) == [
        "Hạng",
        "Họ và tên",
        "Điểm (/10)",
        "Số câu đúng",
        "Thời gian làm bài",
        "Nộp lúc",
        "Ghi chú",
    ]
    text = "\n".join(" | ".join(str(c) for c in r if c is not None) for r in results)
    assert re.search(r"Lê Văn Cường.*Nộp lại", text)
    assert re.search(r"Người Lạ.*Không có trong danh sách", text)
    assert re.search(r"Phạm Thị Dung.*Nộp muộn", text)
    absent = text[text.index("Chưa tham gia") :]
    assert "Võ Văn Em" in absent and "Trần Thị Bình" not in absent
    assert cell.rounds()["2023-03"]["status"] == "Đã xếp hạng"
    # The output for people: the same ranking, aligned.
    assert re.search(r"^1\s+Trần Thị Bình\s+10\.00", cell.last_output, re.MULTILINE)


def test_an_unreadable_timestamp_names_its_line(cell: LocalCell, tmp_path: Path) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(
        export(
            [
                ["10/03/2023 14:02:10", "8 / 10", "Nguyễn Văn An", *answers(1)],
                ["hôm qua", "10 / 10", "Trần Thị Bình", *answers()],
            ]
        ),
        encoding="utf-8",
    )
    assert cell.run("rank", "2023-03", "--responses-csv", str(csv_file)) == 1
    assert "export.csv" in cell.last_output
    assert "dòng 3, cột Dấu thời gian" in cell.last_output and "“hôm qua”" in cell.last_output
    assert "Kết quả 2023-03" not in cell.titles()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["no-such-command"])
    assert stop.value.code == 2


def test_a_bad_config_file_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "settings.toml"
    bad.write_text('backend = "cloud"\n', encoding="utf-8")
    out = io.StringIO()
    from contextlib import redirect_stderr

    with redirect_stderr(out):
        assert main(["--config", str(bad), "status"]) == 1
    assert "backend" in out.getvalue() and "cloud" in out.getvalue()


def test_a_deleted_schedule_tab_is_named_and_init_restores_it(cell: LocalCell) -> None:
    book = openpyxl.load_workbook(cell.workbook)
    del book["Lịch thi"]
    book.save(cell.workbook)
    assert cell.run("tick") == 1
    assert "Lịch thi" in cell.last_output and "automation init" in cell.last_output
    assert cell.run("init") == 0
    assert "Lịch thi" in cell.titles()
    assert cell.tab("Câu hỏi")[1][1] == ROWS[0]["question"]  # the other tabs are untouched


def test_rank_an_export_whose_dates_are_month_first(cell: LocalCell, tmp_path: Path) -> None:
    """A sheet in the US locale exports 3/10/2023: --date-format says how to read it."""
    csv_file = tmp_path / "us.csv"
    csv_file.write_text(
        export([["3/10/2023 14:02:10", "10 / 10", "Trần Thị Bình", *answers()],
                ["3/10/2023 14:01:00", "8 / 10", "Nguyễn Văn An", *answers(1)]]),
        encoding="utf-8",
    )
    assert cell.run("rank", "2023-03", "--responses-csv", str(csv_file),
                    "--date-format", "mdy") == 0, cell.last_output
    assert cell.ranked("2023-03") == [(1, "Trần Thị Bình", 10), (2, "Nguyễn Văn An", 8)]
    results = cell.tab("Kết quả 2023-03")
    submitted = {plain_name(str(r[1])): r[5] for r in results if r and isinstance(r[0], int)}
    assert submitted["Trần Thị Bình"] == datetime(2023, 3, 10, 14, 2, 10)

    # Read day first (the Vietnamese default), the same file is from October: all late.
    assert cell.run("rank", "2023-03", "--responses-csv", str(csv_file)) == 0
    assert cell.ranked("2023-03") == []
    assert cell.run("rank", "2023-03", "--responses-csv", str(csv_file),
                    "--date-format", "tháng trước") == 1
    assert "“tháng trước”" in cell.last_output and "mdy" in cell.last_output


def test_with_no_settings_file_a_command_says_which_settings_and_workbook_it_uses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # the admin types init in the wrong folder
    monkeypatch.delenv("AUTOMATION_CONFIG", raising=False)
    assert main(["init"]) == 0
    said = capsys.readouterr().err
    assert "config/settings.toml" in said.replace("\\", "/") and "local" in said
    assert "quiz.xlsx" in said and "--config" in said


def test_config_is_read_before_or_after_the_command(cell: LocalCell,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--config", str(cell.config_file), "status"]) == 0
    before = capsys.readouterr()
    assert main(["status", "--config", str(cell.config_file)]) == 0
    after = capsys.readouterr()
    assert "2023-03" in before.out and before.out == after.out
    assert "No settings file" not in after.err and "Chưa có tệp cấu hình" not in after.err
