"""A month's tab: the new tab, and refreshing an existing one (rules 1 and 2).

Expected points come from the contract's arithmetic: weights met / all weights
× 100, rounded half up to two decimals.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import pytest

from automation.config import RatingSettings
from automation.model import Member
from automation.ports import CellWrite
from automation.rating import Criteria, read_criteria
from automation.ratingmonth import MonthPlan, plan_month
from automation.ratingtabs import SPARE_ROWS, month_tab
from automation.text import Cell
from automation.workbook import LocalWorkbook

SETTINGS = RatingSettings()
M, N = "Đạt", "Chưa đạt"
MONTH = "2024-03"
TITLE = "Đánh giá 2024-03"
HEADER: list[Cell] = ["Họ và tên", "1", "2", "3", "4", "5", "6", "Kỷ luật", "Ghi chú",
                      "Tự đánh giá", "Điểm", "Xếp loại tháng"]
MEMBERS = (Member(2, "Nguyễn Văn An"), Member(3, "Trần Thị Bình"), Member(4, "Lê Văn Cường"))
Rows = list[list[Cell]]


def criteria_rows(member: Sequence[int] = (1,) * 6, cell: Sequence[int] = (1,) * 6) -> Rows:
    """``Tiêu chí`` with the given weights, numbered 1, 2, … on each side."""
    rows: Rows = [["Đối tượng", "Số", "Tiêu chí", "Trọng số"]]
    for side, weights in (("Đảng viên", member), ("Chi bộ", cell)):
        rows += [[side, n, f"{side}: tiêu chí số {n}", w] for n, w in enumerate(weights, 1)]
    return rows


def criteria(member: Sequence[int] = (1,) * 6, cell: Sequence[int] = (1,) * 6) -> Criteria:
    found = read_criteria({"Tiêu chí": criteria_rows(member, cell)})
    assert found.problems == ()
    return found


def tab(*rows: list[Cell], header: list[Cell] | None = None) -> Rows:
    """A month's tab as read: the header, then each row padded to the header's width."""
    head = list(header or HEADER)
    return [head, *[list(r) + [None] * (len(head) - len(r)) for r in rows]]


def plan(rows: Rows, *, members: Sequence[Member] = MEMBERS, crit: Criteria | None = None,
         language: str = "vi", selves: dict[str, str] | None = None,
         settings: RatingSettings = SETTINGS, title: str = TITLE) -> MonthPlan:
    return plan_month(MONTH, title, rows, criteria=crit or criteria(), members=members,
                      settings=settings, language=language, self_assessments=selves)


def apply(rows: Rows, writes: Sequence[CellWrite]) -> Rows:
    """The tab after the writes, as a spreadsheet would hold it."""
    out = copy.deepcopy(rows)
    for w in writes:
        while len(out) < w.row:
            out.append([])
        row = out[w.row - 1]
        row.extend([None] * (w.column - len(row)))
        row[w.column - 1] = w.value
    return out


def written(rows: Rows, result: MonthPlan) -> dict[tuple[str, str], Cell]:
    """The writes by (name of the row, header of the column), read off the tab after them."""
    after = apply(rows, result.writes)
    header_at = next(i for i, r in enumerate(after) if any(str(v) in ("Họ và tên", "Name")
                                                          for v in r))
    header = after[header_at]
    name = next(i for i, v in enumerate(header) if str(v) in ("Họ và tên", "Name"))
    return {
        (str(after[w.row - 1][name]), str(header[w.column - 1])): w.value
        for w in result.writes
        if w.row > header_at + 1
    }


AN = "Nguyễn Văn An"
FULL = [AN, M, M, M, M, M, N]


def test_five_of_six_met_is_83_33_points_and_good() -> None:
    rows = tab(FULL, ["Trần Thị Bình"], ["Lê Văn Cường"], ["Chi bộ"])
    result = plan(rows)
    assert written(rows, result) == {(AN, "Điểm"): 83.33, (AN, "Xếp loại tháng"): "Tốt"}
    assert result.problems == ()
    assert result.added == ()
    rating = result.sheet.row_of(AN)
    assert rating is not None and rating.rated and str(rating.points) == "83.33"


@pytest.mark.parametrize(
    ("weights", "marks", "points", "level"),
    [
        ((1,) * 6, [M] * 6, 100.0, "Đạt 6 tốt"),
        ((1,) * 6, [M] * 5 + [N], 83.33, "Tốt"),  # 83.333…
        ((1,) * 6, [M] * 3 + [N] * 3, 50.0, "Đạt"),  # exactly the threshold
        ((1,) * 6, [M] * 2 + [N] * 4, 33.33, "Chưa đạt"),
        ((1,) * 6, [N] * 6, 0.0, "Chưa đạt"),
        ((2, 1, 1, 1, 1, 1), [N] + [M] * 5, 71.43, "Đạt"),  # 5/7 = 71.428…
        ((4, 1), [M, N], 80.0, "Tốt"),  # exactly 80
        ((1, 31), [M, N], 3.13, "Chưa đạt"),  # 3.125: half up, not to even
        ((1, 1, 1), [M, M, N], 66.67, "Đạt"),  # 66.666…
        ((1,) * 8, [M] * 7 + [N], 87.5, "Tốt"),
        ((199, 1), [M, N], 99.5, "Tốt"),  # only every criterion met is 100
        ((3, 7, 7, 1, 1, 1), [M, N, M, M, M, M], 65.0, "Đạt"),  # 13/20
    ],
)
def test_points_and_level_follow_the_contracts_arithmetic(
    weights: tuple[int, ...], marks: list[str], points: float, level: str
) -> None:
    header = ["Họ và tên", *(str(n) for n in range(1, len(weights) + 1)), "Kỷ luật", "Điểm",
              "Xếp loại tháng"]
    rows = tab([AN, *marks], ["Trần Thị Bình"], ["Lê Văn Cường"], ["Chi bộ"], header=header)
    result = plan(rows, crit=criteria(weights, (1,)))
    assert written(rows, result) == {(AN, "Điểm"): points, (AN, "Xếp loại tháng"): level}


def test_a_half_rated_row_names_the_blank_criteria_and_has_no_points() -> None:
    # It had a score before two marks were cleared: the score goes, never a wrong one stays.
    rows = tab([AN, M, M, None, M, None, N, None, None, None, 83.33, "Tốt"], ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1])
    assert written(rows, result) == {(AN, "Điểm"): None, (AN, "Xếp loại tháng"): "Chưa đủ: 3, 5"}
    rating = result.sheet.row_of(AN)
    assert rating is not None and not rating.rated and rating.blank == (3, 5)


def test_a_row_not_rated_at_all_stays_blank() -> None:
    rows = tab([AN], ["Trần Thị Bình", None, None, None, None, None, None, None, "ốm"],
               ["Chi bộ"])
    assert written(rows, plan(rows, members=MEMBERS[:2])) == {}


def test_an_unreadable_mark_is_named_and_the_row_not_scored() -> None:
    rows = tab([AN, M, M, "x", M, M, M], ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1])
    assert written(rows, result) == {(AN, "Xếp loại tháng"): "Xem lại: 3"}
    [problem] = result.problems
    assert (problem.tab, problem.row, problem.column) == (TITLE, 2, "3")
    assert '"x"' in problem.message and "Đạt" in problem.message and "Chưa đạt" in problem.message


def test_a_formula_error_in_a_mark_says_so() -> None:
    rows = tab([AN, M, "#N/A", M, M, M, M], ["Chi bộ"])
    [problem] = plan(rows, members=MEMBERS[:1]).problems
    assert (problem.row, problem.column) == (2, "2")
    assert "#N/A" in problem.message


def test_marks_are_read_in_either_language_whatever_their_case() -> None:
    rows = tab([AN, "đạt", " ĐẠT ", "Met", "not  met", "Không đạt", "Chưa Đạt"], ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1])
    assert result.problems == ()
    assert written(rows, result) == {(AN, "Điểm"): 50.0, (AN, "Xếp loại tháng"): "Đạt"}


@pytest.mark.parametrize(
    ("value", "disciplined"),
    [(None, False), ("Có", True), ("có", True), ("Yes", True), ("Khiển trách", True),
     ("Không", False), ("no", False), ("  ", False)],
)
def test_discipline_is_any_word_but_no(value: Cell, disciplined: bool) -> None:
    rows = tab([AN, M, M, M, M, M, M, value], ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1])
    rating = result.sheet.row_of(AN)
    assert rating is not None and rating.disciplined is disciplined
    assert result.problems == ()


def test_a_name_written_twice_counts_once_and_the_second_row_says_so() -> None:
    rows = tab(FULL, ["nguyễn  văn an", M, M, M, M, M, M], ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1])
    after = apply(rows, result.writes)
    assert after[1][10:12] == [83.33, "Tốt"]
    assert after[2][10:12] == [None, "Trùng dòng 2"]
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "Họ và tên")
    assert "dòng 2" in problem.message


def test_a_row_for_someone_not_in_the_members_tab_is_scored_and_reported() -> None:
    rows = tab(FULL, ["Người Đã Chuyển", M, M, M, M, M, M], ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1])
    assert written(rows, result)[("Người Đã Chuyển", "Xếp loại tháng")] == "Đạt 6 tốt"
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "Họ và tên")
    assert "Đảng viên" in problem.message and "xếp loại năm" in problem.message


def test_members_added_later_get_rows_below_everything_and_nothing_else_moves() -> None:
    rows = tab(FULL, ["Chi bộ", M, M, M, M, M, M])
    result = plan(rows, selves={"Lê Văn Cường": "6/6"})
    assert result.added == ("Trần Thị Bình", "Lê Văn Cường")
    new = [w for w in result.writes if w.row > 3]
    assert new == [
        CellWrite(TITLE, 4, 1, "Trần Thị Bình"),
        CellWrite(TITLE, 5, 1, "Lê Văn Cường"),
        CellWrite(TITLE, 5, 10, "6/6"),
    ]
    after = apply(rows, result.writes)
    assert after[1][:7] == rows[1][:7] and after[2][:7] == rows[2][:7]


def test_the_cell_row_comes_back_when_it_is_missing() -> None:
    rows = tab(FULL, ["Trần Thị Bình"], ["Lê Văn Cường"], [], ["Ghi chú: họp ngày 5"])
    result = plan(rows)
    # Below the last row holding anything, even a line of the secretary's own.
    assert result.added == ("Chi bộ",)
    assert CellWrite(TITLE, 7, 1, "Chi bộ") in result.writes


def test_missing_service_columns_are_added_at_the_end_of_the_header_row() -> None:
    header = ["Họ và tên", "1", "2", "3", "4", "5", "6", "Kỷ luật", "Ghi chú", None, "Riêng"]
    rows = tab(FULL, ["Chi bộ"], header=header)
    result = plan(rows, members=MEMBERS[:1])
    assert result.writes == (
        CellWrite(TITLE, 1, 12, "Điểm"),
        CellWrite(TITLE, 1, 13, "Xếp loại tháng"),
        CellWrite(TITLE, 2, 12, 83.33),
        CellWrite(TITLE, 2, 13, "Tốt"),
    )
    # With self-assessments to write, that column is added too.
    with_self = plan(rows, members=MEMBERS[:1], selves={AN: "5/6 — chưa đạt: 6"})
    assert with_self.writes[:3] == (
        CellWrite(TITLE, 1, 12, "Tự đánh giá"),
        CellWrite(TITLE, 1, 13, "Điểm"),
        CellWrite(TITLE, 1, 14, "Xếp loại tháng"),
    )


def test_without_the_discipline_column_the_month_is_scored_and_the_column_asked_for() -> None:
    header = ["Họ và tên", "1", "2", "3", "4", "5", "6", "Điểm", "Xếp loại tháng"]
    rows = tab(FULL, ["Chi bộ"], header=header)
    result = plan(rows, members=MEMBERS[:1])
    assert written(rows, result) == {(AN, "Điểm"): 83.33, (AN, "Xếp loại tháng"): "Tốt"}
    [problem] = result.problems
    assert (problem.row, problem.column) == (1, "Kỷ luật")


def test_without_a_name_column_nothing_is_written() -> None:
    rows = [["Tên", "1", "2"], [AN, M, M]]
    result = plan(rows)
    assert result.writes == ()
    [problem] = result.problems
    assert (problem.tab, problem.row, problem.column) == (TITLE, 1, "Họ và tên")


def test_without_criterion_columns_the_tab_asks_for_them() -> None:
    rows = tab([AN], ["Chi bộ"], header=["Họ và tên", "Kỷ luật", "Điểm", "Xếp loại tháng"])
    messages = [p.message for p in plan(rows, members=MEMBERS[:1]).problems]
    assert any("1, 2, 3" in m for m in messages)


def test_a_criterion_added_later_leaves_older_months_scored_on_their_columns() -> None:
    rows = tab(FULL, ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1], crit=criteria((1,) * 7))
    assert written(rows, result) == {(AN, "Điểm"): 83.33, (AN, "Xếp loại tháng"): "Tốt"}
    [problem] = result.problems
    assert problem.row == 1 and "7" in problem.message and "Đảng viên" in problem.message


def test_a_mark_where_a_side_has_no_such_criterion_does_not_count() -> None:
    rows = tab(FULL, ["Chi bộ", M, M, M, M, M, N])
    result = plan(rows, members=MEMBERS[:1], crit=criteria((1,) * 6, (1,) * 5))
    assert written(rows, result)[("Chi bộ", "Xếp loại tháng")] == "Đạt 6 tốt"
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "6")
    assert "Chi bộ" in problem.message and "để trống" in problem.message


def test_nothing_is_scored_while_the_criteria_have_problems() -> None:
    broken = criteria_rows()
    broken[2][3] = "hai"
    crit = read_criteria({"Tiêu chí": broken})
    rows = tab(FULL, ["Chi bộ"])
    result = plan(rows, crit=crit)
    assert result.writes == ()
    [problem] = result.problems
    assert problem.tab == TITLE and "Tiêu chí" in problem.message


@pytest.mark.parametrize("shown", [83.33, "83.33", "83,33", "83.330"])
def test_a_score_already_shown_is_not_written_again(shown: Cell) -> None:
    rows = tab([*FULL, None, None, None, shown, "Tốt"], ["Chi bộ"])
    assert plan(rows, members=MEMBERS[:1]).writes == ()


def test_an_english_tab_is_read_after_the_setting_changed_to_vietnamese() -> None:
    header: list[Cell] = ["Name", 1, 2, 3, 4, 5, 6, "Disciplined", "Note", "Self-assessment",
                          "Points", "Monthly level"]
    rows = tab([AN, "Met", "Met", "Met", "Met", "Met", "Not met", "Yes", None, None, 83.33,
                "Good"], ["Cell", "Met", "Met", "Met", "Met", "Met", "Met"], header=header)
    result = plan(rows, members=MEMBERS[:1], title="Rating 2024-03")
    # Only the level words change language; the Cell row is the cell's (no second one).
    assert written(rows, result) == {
        (AN, "Monthly level"): "Tốt",
        ("Cell", "Points"): 100.0,
        ("Cell", "Monthly level"): "Đạt 6 tốt",
    }
    rating = result.sheet.row_of(AN)
    assert rating is not None and rating.disciplined


def test_a_vietnamese_tab_is_read_in_english() -> None:
    rows = tab(FULL, ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1], language="en")
    assert written(rows, result) == {(AN, "Điểm"): 83.33, (AN, "Xếp loại tháng"): "Good"}


def test_a_title_row_above_the_header_is_allowed() -> None:
    rows = [["Đánh giá chi bộ tháng 3/2024"], *tab(FULL, ["Chi bộ"])]
    result = plan(rows, members=MEMBERS[:1])
    assert CellWrite(TITLE, 3, 11, 83.33) in result.writes


def test_self_assessments_are_written_and_others_left_as_they_are() -> None:
    rows = tab([AN, None, None, None, None, None, None, None, None, "cũ"],
               ["Trần Thị Bình", None, None, None, None, None, None, None, None, "6/6"],
               ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:2], selves={"trần thị  bình": "5/6 — chưa đạt: 2"})
    assert written(rows, result) == {("Trần Thị Bình", "Tự đánh giá"): "5/6 — chưa đạt: 2"}


def test_service_cells_of_a_row_without_a_name_are_emptied() -> None:
    rows = tab(FULL, [None, None, None, None, None, None, None, None, None, None, 50, "Đạt"],
               ["Chi bộ"])
    result = plan(rows, members=MEMBERS[:1])
    assert CellWrite(TITLE, 3, 11, None) in result.writes
    assert CellWrite(TITLE, 3, 12, None) in result.writes


def test_a_name_blank_in_a_marked_row_is_reported() -> None:
    rows = tab(FULL, [None, M, M], ["Chi bộ"])
    problems = plan(rows, members=MEMBERS[:1]).problems
    assert [(p.row, p.column) for p in problems] == [(3, "Họ và tên")]


def test_configured_thresholds_and_names_are_used() -> None:
    settings = RatingSettings(month_thresholds=(90, 75, 60),
                              month_levels=("Xuất sắc", "Khá", "Trung bình", "Yếu"))
    rows = tab(FULL, ["Chi bộ", M, M, M, M, N, N])
    result = plan(rows, members=MEMBERS[:1], settings=settings)
    assert written(rows, result) == {
        (AN, "Điểm"): 83.33, (AN, "Xếp loại tháng"): "Khá",
        ("Chi bộ", "Điểm"): 66.67, ("Chi bộ", "Xếp loại tháng"): "Trung bình",
    }


# --- the new tab -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_new_tab_has_a_row_per_member_then_the_cell(language: str) -> None:
    crit = criteria((1, 2, 1, 1, 1, 1), (1,) * 6)
    new = month_tab(MONTH, members=MEMBERS, criteria=crit, settings=SETTINGS, language=language)
    en = language == "en"
    assert new.title == ("Rating 2024-03" if en else "Đánh giá 2024-03")
    assert new.rows[0] == (
        ["Name", "1", "2", "3", "4", "5", "6", "Disciplined", "Note", "Self-assessment",
         "Points", "Monthly level"] if en else HEADER)
    assert [r[0] for r in new.rows[1:]] == [m.name for m in MEMBERS] + ["Cell" if en else "Chi bộ"]
    assert all(v is None for r in new.rows[1:] for v in r[1:])
    assert new.header_row == 1 and new.bold_rows == frozenset({5})
    assert len(new.column_widths) == len(HEADER)
    assert new.number_formats == {10: "0.00"}
    # Every header explains itself; a criterion's note gives both sides' texts and weights.
    assert sorted(c for r, c in new.notes if r == 1) == list(range(1, 13))
    note = new.notes[(1, 3)]
    assert "Đảng viên: tiêu chí số 2" in note and "Chi bộ: tiêu chí số 2" in note
    assert ("weight 2" if en else "trọng số 2") in note
    # Drop-downs: the marks on every criterion cell and the rows below, Có / Yes for discipline.
    marks = ("Met", "Not met") if en else (M, N)
    drops = {(v.column, v.first_row, v.last_row): v.values for v in new.validations}
    for column in range(1, 7):
        assert drops[(column, 2, 5 + SPARE_ROWS)] == marks
    assert drops[(7, 2, 5 + SPARE_ROWS)] == (("Yes",) if en else ("Có",))


def test_criteria_one_side_lacks_are_no_drop_down_there_and_say_so() -> None:
    crit = criteria((1,) * 6, (1,) * 4)
    new = month_tab(MONTH, members=MEMBERS, criteria=crit, settings=SETTINGS)
    drops = {(v.column, v.first_row, v.last_row) for v in new.validations}
    assert (5, 2, 4) in drops and (5, 6, 5 + SPARE_ROWS) in drops
    assert not any(column == 5 and first <= 5 <= last for column, first, last in drops)
    assert "Chi bộ: không có tiêu chí số 6" in new.notes[(1, 7)]
    assert (5, 6) in new.notes and (5, 7) in new.notes and (5, 5) not in new.notes


@pytest.mark.parametrize("language", ["vi", "en"])
def test_refreshing_a_new_tab_writes_nothing(language: str) -> None:
    crit = criteria()
    new = month_tab(MONTH, members=MEMBERS, criteria=crit, settings=SETTINGS, language=language,
                    self_assessments={AN: "6/6"})
    assert new.rows[1][9] == "6/6"
    for reader in ("vi", "en"):
        result = plan(new.rows, crit=crit, language=reader, title=new.title,
                      selves={AN: "6/6"} if reader == language else None)
        assert (result.writes, result.added, result.problems) == ((), (), ())


def test_a_new_tab_needs_usable_criteria() -> None:
    broken = criteria_rows()
    broken[3][1] = None
    with pytest.raises(ValueError):
        month_tab(MONTH, members=MEMBERS, criteria=read_criteria({"Tiêu chí": broken}),
                  settings=SETTINGS)


def test_a_month_tab_round_trips_through_a_real_workbook(tmp_path: Path) -> None:
    """Made, marked, refreshed and read back in a real .xlsx: the second refresh is empty."""
    crit = criteria()
    book = LocalWorkbook(tmp_path / "quiz.xlsx")
    new = month_tab(MONTH, members=MEMBERS, criteria=crit, settings=SETTINGS)
    assert book.add_tabs([new]) == [TITLE]
    book.update_cells([CellWrite(TITLE, 2, c, mark) for c, mark in enumerate(FULL[1:], 2)])
    first = plan(book.read([TITLE])[TITLE], members=(*MEMBERS, Member(5, "Phạm Thu Hà")))
    assert first.added == ("Phạm Thu Hà",)
    book.update_cells(first.writes)
    rows = book.read([TITLE])[TITLE]
    assert rows[1][10:12] == [83.33, "Tốt"]
    assert rows[5][0] == "Phạm Thu Hà"
    again = plan(rows, members=(*MEMBERS, Member(5, "Phạm Thu Hà")))
    assert (again.writes, again.added, again.problems) == ((), (), ())


def test_a_second_cell_row_in_the_other_language_counts_as_a_repeat() -> None:
    rows = tab(FULL, ["Chi bộ", M, M, M, M, M, M], ["Cell", N, N, N, N, N, N])
    result = plan(rows, members=MEMBERS[:1])
    after = apply(rows, result.writes)
    assert after[2][10:12] == [100.0, "Đạt 6 tốt"]
    assert after[3][10:12] == [None, "Trùng dòng 3"]
    assert [(p.row, p.column) for p in result.problems] == [(4, "Họ và tên")]
