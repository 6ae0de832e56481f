"""``Kết quả chung <round>``: every cell's members ranked as one, a line per cell, the tab.

Expected ranks, percentages and averages are worked out by hand from the contract's
rules; a cell's results are also read back from its own ``Kết quả`` tab as the
ranking wrote it, through a real workbook, in both languages.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from automation import report
from automation.jointresults import (
    CellLine,
    CellResult,
    JointEntry,
    cell_outcome,
    joint_results_tab,
    rank_joint,
    read_cell_results,
)
from automation.layout import JOINT_CELL_COLUMNS, JOINT_RESULT_COLUMNS, Status
from automation.model import Member, Round, RoundResult
from automation.ranking import rank_round, to_submission
from automation.workbook import LocalWorkbook
from tests.test_bank import TZ
from tests.test_report import DEADLINE, MEMBERS, OPENED, QUESTIONS, RESPONSES

OPENS = datetime(2027, 2, 16, 19, 30, tzinfo=TZ)
A1, ARMY, HAMLET, BROKEN = ("Chi bộ Trường Tiểu học Long Trị A1", "Chi bộ Quân sự xã",
                            "Chi bộ Ấp 1", "Chi bộ Ấp 2")


def entry(name: str, score: float, seconds: int, correct: int | None = None) -> JointEntry:
    """A member who submitted ``seconds`` after the joint opening."""
    moment = OPENS + timedelta(seconds=seconds)
    return JointEntry(name, score, correct if correct is not None else int(score),
                      timedelta(seconds=seconds), moment)


CELL_RESULTS = (
    CellResult(A1, 12, 10, (entry("Lê Quang Qui", 10.0, 185),
                            entry("Trần Thị Thùy Trang", 9.0, 201),
                            entry("Trần Minh Sang", 7.5, 240, 7))),
    CellResult(ARMY, 9, 9, (entry("Trần Phú Lâm", 10.0, 185),
                            entry("Phan Thanh Duy", 9.0, 190))),
    CellResult(HAMLET, 20, 11, (entry("Huỳnh Thị Mai", 9.0, 201),)),
    CellResult(BROKEN, 15, failure="Lỗi: Trang Đảng viên chưa có ai."),
)


def ranking() -> list[tuple[int, str, str]]:
    result = rank_joint("2027-02-chung", CELL_RESULTS)
    return [(r.rank, r.cell, r.entry.name) for r in result.rows]


# --- the ranking ------------------------------------------------------------------------


def test_everyone_is_ranked_by_score_then_time_then_name_across_cells() -> None:
    assert ranking() == [
        (1, A1, "Lê Quang Qui"),  # 10 at 3:05, the same instant as Lâm: both first
        (1, ARMY, "Trần Phú Lâm"),
        (3, ARMY, "Phan Thanh Duy"),  # 9 at 3:10
        (4, HAMLET, "Huỳnh Thị Mai"),  # 9 at 3:21, the same instant as Trang: by name
        (4, A1, "Trần Thị Thùy Trang"),
        (6, A1, "Trần Minh Sang"),  # 7.5
    ]


def test_the_winners_are_the_first_ranked_of_any_cell() -> None:
    result = rank_joint("2027-02-chung", CELL_RESULTS)
    assert [(w.cell, w.entry.name) for w in result.winners] == [
        (A1, "Lê Quang Qui"), (ARMY, "Trần Phú Lâm")]


def test_a_failed_cell_is_named_with_why_and_the_others_are_ranked() -> None:
    with_entries = CellResult(BROKEN, 15, 3, (entry("Người Lạ", 10.0, 1),), failure="Lỗi: x")
    result = rank_joint("r", (*CELL_RESULTS[:3], with_entries))
    assert "Người Lạ" not in {r.entry.name for r in result.rows}
    assert result.cells[-1] == CellLine(BROKEN, 15, None, None, None, "Lỗi: x")
    assert len(result.rows) == 6


def test_each_cell_has_its_members_participants_percentage_and_average() -> None:
    result = rank_joint("2027-02-chung", CELL_RESULTS)
    assert result.cells == (
        CellLine(ARMY, 9, 9, 100.0, 9.5),  # 9 / 9; (10 + 9) / 2
        CellLine(A1, 12, 10, 83.3, 8.83),  # 10 / 12 = 83.33…; (10 + 9 + 7.5) / 3 = 8.833…
        CellLine(HAMLET, 20, 11, 55.0, 9.0),
        CellLine(BROKEN, 15, None, None, None, "Lỗi: Trang Đảng viên chưa có ai."),
    )
    # the cells with results together: 30 of 41 members; (10+9+7.5+10+9+9) / 6 = 9.0833…
    assert result.total == CellLine("", 41, 30, 73.2, 9.08)


def test_percentages_and_averages_round_half_up() -> None:
    halves = CellResult("x", 8, 1, (entry("a", 8.25, 1), entry("b", 8.0, 2)))  # 8.125 → 8.13
    eighth = CellResult("y", 16, 1, ())  # 1 / 16 = 6.25 % → 6.3
    result = rank_joint("r", (halves, eighth))
    assert [(c.percent, c.average) for c in result.cells] == [(12.5, 8.13), (6.3, None)]


def test_a_cell_with_no_members_counted_has_no_percentage() -> None:
    result = rank_joint("r", (CellResult("x", 0, 0, ()),))
    assert (result.cells[0].percent, result.total.percent) == (None, None)


def test_a_cells_ranked_round_becomes_its_part_as_ranked() -> None:
    result = rank_round(round_id="2023-03", questions=QUESTIONS, members=MEMBERS,
                        submissions=[to_submission(r, QUESTIONS) for r in RESPONSES],
                        opened_at=OPENED, deadline=DEADLINE, closed_at=DEADLINE)
    part = CellResult.of(A1, result)
    assert (part.members, part.participants) == (5, 4)  # An, Bình, Cường, Hà (late) of 5
    assert [(e.name, e.score, e.correct) for e in part.entries] == [
        ("Nguyễn Văn An", 10.0, 2), ("Trần Thị Bình", 10.0, 2), ("Lê Văn Cường", 5.0, 1)]


# --- the tab ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_tab_shows_the_ranking_with_each_cells_name_then_the_cells(language: str) -> None:
    tab = joint_results_tab(rank_joint("2027-02-chung", CELL_RESULTS, opens_at=OPENS),
                            language=language, tz=TZ)
    assert tab.title == ("Joint results 2027-02-chung" if language == "en"
                         else "Kết quả chung 2027-02-chung")
    header = tab.header_row
    assert header is not None
    assert tab.rows[header - 1] == [c.header(language) for c in JOINT_RESULT_COLUMNS]
    first = tab.rows[header]
    winner = "First place" if language == "en" else "Về nhất"
    assert first == [1, A1, f"Lê Quang Qui — {winner}", 10.0, 10, "3:05",
                     OPENS + timedelta(seconds=185)]
    assert tab.rows[header + 2] == [3, ARMY, "Phan Thanh Duy", 9.0, 9, "3:10",
                                    OPENS + timedelta(seconds=190)]
    assert tab.highlight_rows == {header + 1, header + 2}
    cells_header = tab.rows.index([c.header(language) for c in JOINT_CELL_COLUMNS])
    assert tab.rows[cells_header + 1] == [1, ARMY, 9, 9, 100.0, 9.5, None]
    assert tab.rows[cells_header + 4] == [4, BROKEN, 15, None, None, None,
                                          "Lỗi: Trang Đảng viên chưa có ai."]
    assert tab.rows[cells_header + 5][2:6] == [41, 30, 73.2, 9.08]


def test_the_header_block_says_the_round_its_opening_and_the_totals() -> None:
    tab = joint_results_tab(rank_joint("2027-02-chung", CELL_RESULTS, opens_at=OPENS),
                            language="vi", tz=TZ)
    assert tab.rows[1][1:3] == ["Kỳ thi", "2027-02-chung"]
    assert tab.rows[1][4:] == ["Mở lúc", None, OPENS]
    assert tab.rows[2][1:3] == ["Chi bộ có kết quả / số chi bộ", "3 / 4"]
    assert tab.rows[3][1:3] == ["Tham gia / số đảng viên", "30 / 41"]


def test_the_chart_shows_the_participation_of_the_cells_with_results() -> None:
    tab = joint_results_tab(rank_joint("r", CELL_RESULTS), language="vi", tz=TZ)
    chart = tab.chart
    assert chart is not None
    rows = tab.rows[chart.first_row - 1:chart.last_row]
    assert [(r[chart.label_column], r[chart.value_column]) for r in rows] == [
        (ARMY, 100.0), (A1, 83.3), (HAMLET, 55.0)]
    assert (chart.value_step, chart.value_max) == (20, 100)
    assert chart.anchor_row is not None and chart.anchor_row > len(tab.rows)
    many = [CellResult(f"Chi bộ {n}", 10, 5) for n in range(200)]
    big = joint_results_tab(rank_joint("r", many), language="vi", tz=TZ).chart
    assert big is not None and (big.width_cm, big.height_cm) == (22, 7)  # still one page across


def test_the_tab_prints_landscape_one_page_across_with_the_header_repeated() -> None:
    tab = joint_results_tab(rank_joint("r", CELL_RESULTS), language="en", tz=TZ)
    assert tab.page is not None and tab.page.landscape and tab.page.fit_width
    assert tab.page.repeat_rows == (tab.header_row, tab.header_row)
    assert "Joint results r" in tab.page.footer
    assert len(tab.column_widths) == 7 and sum(tab.column_widths) <= 131  # as wide as Kết quả


def test_a_round_nobody_was_ranked_in_says_so_and_has_no_chart() -> None:
    failed = (CellResult(A1, 12, failure="Lỡ lịch"),)
    tab = joint_results_tab(rank_joint("r", failed), language="vi", tz=TZ)
    assert tab.chart is None
    assert tab.highlight_rows == frozenset()
    said = [c for row in tab.rows for c in row if c == "Chưa có đảng viên nào được xếp hạng."]
    assert len(said) == 1


def test_untrusted_names_are_values_not_formulas() -> None:
    hostile = (CellResult("=HYPERLINK(\"x\")", 3, 1, (entry("=1+1", 5.0, 9),)),)
    tab = joint_results_tab(rank_joint("r", hostile), language="vi", tz=TZ)
    assert tab.rows[tab.header_row or 0][1:3] == ["=HYPERLINK(\"x\")", "=1+1 — Về nhất"]


def test_the_tab_round_trips_through_a_real_workbook(tmp_path: Path) -> None:
    book = LocalWorkbook(tmp_path / "registry.xlsx")
    tab = joint_results_tab(rank_joint("2027-02-chung", CELL_RESULTS, opens_at=OPENS),
                            language="vi", tz=TZ)
    book.write_tabs([tab])
    rows = book.read([tab.title])[tab.title]
    header = tab.header_row or 0
    assert rows[header][:3] == [1, A1, "Lê Quang Qui — Về nhất"]
    assert rows[header][6] == datetime(2027, 2, 16, 19, 33, 5)  # wall time in the zone


# --- a cell's own results, read back -------------------------------------------------------


def cell_round() -> RoundResult:
    return rank_round(round_id="2023-03", questions=QUESTIONS, members=MEMBERS,
                      submissions=[to_submission(r, QUESTIONS) for r in RESPONSES],
                      opened_at=OPENED, deadline=DEADLINE, closed_at=DEADLINE)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_cells_results_tab_reads_back_as_its_part(language: str, tmp_path: Path) -> None:
    result = cell_round()
    book = LocalWorkbook(tmp_path / "chi-bo.xlsx")
    tab = report.results_tab(result, language=language, tz=TZ)
    book.write_tabs([tab])
    rows = book.read([tab.title])[tab.title]
    part = read_cell_results(A1, "2023-03", rows, language="vi", tz=TZ)
    assert part == CellResult.of(A1, result)
    assert part.failure == ""


def test_a_results_tab_shown_as_text_reads_with_a_decimal_comma_and_text_times() -> None:
    rows = [
        ["Kết quả thi trắc nghiệm"],
        ["", "Kỳ thi", "2023-03"],
        ["", "Tham gia / số đảng viên", "3 / 7"],
        [],
        ["Hạng", "Họ và tên", "Điểm (/10)", "Số câu đúng", "Thời gian làm bài", "Nộp lúc"],
        ["1", "Lê Quang Qui — Về nhất", "8,50", "7", "1:05", "14/03/2023 19:31:05"],
        ["2", "Trần Thị Bình", "8,00", "6", "0:01:10", datetime(2023, 3, 14, 19, 31, 10)],
        [],
        ["", "Có bài làm nhưng không xếp hạng"],
        ["", "Người Lạ", "10,00", "8", "0:40", "14/03/2023 19:30:40"],
    ]
    part = read_cell_results(ARMY, "2023-03", rows, language="vi", tz=TZ)
    assert part == CellResult(ARMY, 7, 3, (
        JointEntry("Lê Quang Qui", 8.5, 7, timedelta(seconds=65),
                   datetime(2023, 3, 14, 19, 31, 5, tzinfo=TZ)),
        JointEntry("Trần Thị Bình", 8.0, 6, timedelta(seconds=70),
                   datetime(2023, 3, 14, 19, 31, 10, tzinfo=TZ)),
    ))


def test_a_results_tab_without_its_table_or_count_is_the_cells_failure() -> None:
    part = read_cell_results(ARMY, "2023-03", [["Kết quả thi trắc nghiệm"]], language="vi",
                             tz=TZ)
    assert (part.members, part.entries) == (None, ())
    assert 'Trang "Kết quả 2023-03" của chi bộ không có bảng xếp hạng' in part.failure
    no_count = [["Hạng", "Họ và tên", "Điểm (/10)"], [1, "A", 9]]
    part = read_cell_results(ARMY, "2023-03", no_count, language="en", tz=TZ)
    assert 'has no "Participants / members" line' in part.failure


def test_a_broken_cell_of_a_results_tab_is_named_by_row_and_column() -> None:
    rows = [["", "Tham gia / số đảng viên", "1 / 2"],
            ["Hạng", "Họ và tên", "Điểm (/10)", "Số câu đúng", "Thời gian làm bài", "Nộp lúc"],
            [1, "A", 9.0, 9, "lâu lắm", datetime(2023, 3, 14, 19, 31)]]
    part = read_cell_results(ARMY, "2023-03", rows, language="vi", tz=TZ)
    assert part.members == 2
    assert 'dòng 3, cột Thời gian làm bài: không đọc được "lâu lắm"' in part.failure
    assert "Xếp hạng lại" in part.failure and "Thi chung" in part.failure


def ledger_round(status: Status, note: str = "") -> Round:
    return Round(row=2, round_id="2023-03", opens_at=OPENED, question_count=2,
                 seconds_per_question=30, status=status, note=note)


def test_a_ranked_round_reads_its_results_tab() -> None:
    rows = report.results_tab(cell_round(), language="vi", tz=TZ).rows
    part = cell_outcome(A1, ledger_round(Status.RANKED), rows, language="vi", tz=TZ)
    assert [e.name for e in part.entries] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]


@pytest.mark.parametrize(("status", "note", "says"), [
    (Status.ERROR, "Trang Đảng viên chưa có ai.", "Lỗi: Trang Đảng viên chưa có ai."),
    (Status.MISSED, "Biểu mẫu không được mở đúng giờ.", "Lỡ lịch: Biểu mẫu không được mở"),
    (Status.OPEN, "", "Chưa xếp hạng (trạng thái: Đang mở)."),
    (Status.PENDING, "", "Chưa xếp hạng (trạng thái: Chờ)."),
    (Status.ERROR, "", "Chưa xếp hạng (trạng thái: Lỗi)."),
])
def test_a_round_not_ranked_is_the_cells_failure_with_why(status: Status, note: str,
                                                          says: str) -> None:
    part = cell_outcome(A1, ledger_round(status, note), None, language="vi", tz=TZ, members=12)
    assert (part.members, part.entries) == (12, ())
    assert part.failure.startswith(says)


def test_a_cell_without_the_round_or_its_tab_says_which() -> None:
    assert "trang Thi chung của chi bộ" in cell_outcome(A1, None, None, language="vi",
                                                        tz=TZ).failure
    missing = cell_outcome(A1, ledger_round(Status.RANKED), None, language="en", tz=TZ)
    assert missing.failure == 'The cell\'s spreadsheet has no "Results 2023-03" tab.'


def test_members_of_the_cells_with_failures_are_known_when_given() -> None:
    members = (Member(2, "A"), Member(3, "B"))
    part = cell_outcome(A1, None, None, language="vi", tz=TZ, members=len(members))
    assert rank_joint("r", (part,)).cells[0].members == 2
