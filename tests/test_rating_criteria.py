"""Reading ``Tiêu chí``: criteria from clean rows, a problem for every defect, the template.

Each defect kind has its own case (the ``DEFECTS`` table) checking the tab,
row and column named and that the message, in Vietnamese and in English,
says what to do.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.layout import CRITERIA, Side
from automation.rating import Criterion, read_criteria
from automation.ratingtabs import criteria_template
from automation.text import Cell

Tabs = dict[str, list[list[Cell]]]
HEADER = ["Đối tượng", "Số", "Tiêu chí", "Trọng số"]


def clean_tabs() -> Tabs:
    """Three member criteria and two for the cell; weights blank, typed, as text, as float."""
    return {
        "Tiêu chí": [
            list(HEADER),
            ["Đảng viên", 1, "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", None],
            ["Đảng viên", 2, "Rèn luyện, tu dưỡng đạo đức, lối sống", 2],
            ["đảng  viên", "3", "Chấp hành tốt kỷ luật của đơn vị", "1"],
            ["Chi bộ", 1.0, "Lãnh đạo tốt công tác giáo dục chính trị, tư tưởng", 1.0],
            ["CHI BỘ", 2, "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị được giao", None],
        ],
        "Đảng viên": [["Họ và tên"], ["Nguyễn Văn An"]],
    }


EXPECTED_MEMBER = (
    Criterion(Side.MEMBER, 1, "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
              1, 2),
    Criterion(Side.MEMBER, 2, "Rèn luyện, tu dưỡng đạo đức, lối sống", 2, 3),
    Criterion(Side.MEMBER, 3, "Chấp hành tốt kỷ luật của đơn vị", 1, 4),
)
EXPECTED_CELL = (
    Criterion(Side.CELL, 1, "Lãnh đạo tốt công tác giáo dục chính trị, tư tưởng", 1, 5),
    Criterion(Side.CELL, 2, "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị được giao", 1, 6),
)


def test_clean_rows_become_criteria_of_each_side() -> None:
    criteria = read_criteria(clean_tabs())
    assert criteria.problems == ()
    assert criteria.found and criteria.usable
    assert criteria.member == EXPECTED_MEMBER
    assert criteria.cell == EXPECTED_CELL
    assert criteria.numbers == (1, 2, 3)
    assert criteria.title == "Tiêu chí"


def test_no_criteria_tab_means_the_rating_is_off() -> None:
    tabs = clean_tabs()
    del tabs["Tiêu chí"]
    criteria = read_criteria(tabs)
    assert not criteria.found and not criteria.usable
    assert criteria.problems == ()


def test_an_english_tab_is_read_with_either_language() -> None:
    english: Tabs = {
        "Criteria": [
            ["Applies to", "No.", "Criterion", "Weight"],
            ["Member", 1, "Studies and follows Ho Chi Minh's thought", 3],
            ["Cell", 1, "Leads political education well", None],
        ]
    }
    for language in ("vi", "en"):
        criteria = read_criteria(english, language=language)
        assert criteria.problems == ()
        assert criteria.member == (
            Criterion(Side.MEMBER, 1, "Studies and follows Ho Chi Minh's thought", 3, 2),)
        assert criteria.cell == (Criterion(Side.CELL, 1, "Leads political education well", 1, 3),)


@given(st.permutations(range(4)), st.lists(st.integers(0, 5), max_size=3))
def test_column_order_and_blank_rows_do_not_matter(order: list[int], blanks: list[int]) -> None:
    tabs = clean_tabs()
    rows = tabs["Tiêu chí"]
    for at in sorted(blanks, reverse=True):
        rows.insert(at + 1, [None, "  ", None, None])
    tabs["Tiêu chí"] = [[(r + [None] * 4)[i] for i in order] for r in rows]
    criteria = read_criteria(tabs)
    assert criteria.problems == ()
    assert [(c.number, c.text, c.weight) for c in criteria.member] == [
        (c.number, c.text, c.weight) for c in EXPECTED_MEMBER]
    assert [(c.number, c.text, c.weight) for c in criteria.cell] == [
        (c.number, c.text, c.weight) for c in EXPECTED_CELL]


VARIANTS: list[Callable[[str], str]] = [
    str.upper, str.lower, lambda t: unicodedata.normalize("NFD", t), lambda t: f"  {t} ",
]


@given(st.lists(st.sampled_from(VARIANTS), min_size=5, max_size=5))
def test_headers_and_title_match_whatever_their_case_spacing_or_unicode_form(
    variants: list[Callable[[str], str]],
) -> None:
    tabs = clean_tabs()
    rows = tabs.pop("Tiêu chí")
    rows[0] = [variant(h) for variant, h in zip(variants, HEADER, strict=False)]
    tabs[variants[4]("Tiêu chí")] = rows
    criteria = read_criteria(tabs)
    assert criteria.problems == ()
    assert (criteria.member, criteria.cell) == (EXPECTED_MEMBER, EXPECTED_CELL)


# --- defects ---------------------------------------------------------------------------


@dataclass
class Defect:
    name: str
    make: Callable[[Tabs], None]
    row: int | None
    column: str | None
    says: tuple[str, ...]  # phrases the Vietnamese message must hold
    says_en: tuple[str, ...]
    tab: str = "Tiêu chí"


def put(row: int, column: int, value: Cell) -> Callable[[Tabs], None]:
    def make(tabs: Tabs) -> None:
        tabs["Tiêu chí"][row - 1][column] = value
    return make


def append(*rows: list[Cell]) -> Callable[[Tabs], None]:
    def make(tabs: Tabs) -> None:
        tabs["Tiêu chí"].extend(copy.deepcopy(list(rows)))
    return make


def eleven_members(tabs: Tabs) -> None:
    tabs["Tiêu chí"].extend(["Đảng viên", n, f"Tiêu chí thêm số {n}", None] for n in range(4, 12))


def drop_column(index: int) -> Callable[[Tabs], None]:
    def make(tabs: Tabs) -> None:
        tabs["Tiêu chí"] = [r[:index] + r[index + 1:] for r in tabs["Tiêu chí"]]
    return make


def only_members(tabs: Tabs) -> None:
    tabs["Tiêu chí"] = tabs["Tiêu chí"][:4]


def both_titles(tabs: Tabs) -> None:
    tabs["Criteria"] = [["Applies to", "No.", "Criterion"]]


DEFECTS = [
    Defect("side blank", put(3, 0, None), 3, "Đối tượng", ("Đảng viên", "Chi bộ"),
           ("Member", "Cell")),
    Defect("side unknown", put(3, 0, "Đoàn viên"), 3, "Đối tượng", ('"Đoàn viên"', "Chi bộ"),
           ('"Đoàn viên"', "Cell")),
    Defect("number blank", put(4, 1, None), 4, "Số", ("1, 2, 3",), ("1, 2, 3",)),
    Defect("number not whole", put(4, 1, 2.5), 4, "Số", ('"2.5"', "số nguyên dương"),
           ('"2.5"', "positive whole number")),
    Defect("number as a word", put(4, 1, "ba"), 4, "Số", ('"ba"',), ('"ba"',)),
    Defect("number zero", put(4, 1, 0), 4, "Số", ('"0"',), ('"0"',)),
    Defect("number twice on one side", put(4, 1, 2), 4, "Số", ("dòng 3", "số 2", "Đảng viên"),
           ("row 3", "criterion 2", "Member")),
    Defect("more than ten on one side", eleven_members, 14, "Số", ("10",), ("10",)),
    Defect("text blank", put(5, 2, "  "), 5, "Tiêu chí", ("ghi tiêu chí", "xóa cả dòng"),
           ("Write it", "delete the whole row")),
    Defect("text twice on one side", put(4, 2, "rèn luyện, tu dưỡng  đạo đức, lối sống"), 4,
           "Tiêu chí", ("dòng 3",), ("row 3",)),
    Defect("weight zero", put(3, 3, 0), 3, "Trọng số", ('"0"', "mặc định là 1"),
           ('"0"', "1 by default")),
    Defect("weight negative", put(3, 3, -2), 3, "Trọng số", ('"-2"',), ('"-2"',)),
    Defect("weight not whole", put(3, 3, 1.5), 3, "Trọng số", ('"1.5"',), ('"1.5"',)),
    Defect("weight as a word", put(3, 3, "hai"), 3, "Trọng số", ('"hai"',), ('"hai"',)),
    Defect("formula error", put(2, 2, "#REF!"), 2, "Tiêu chí", ("#REF!",), ("#REF!",)),
    Defect("a required column missing", drop_column(1), 1, "Số", ('"Số"',), ('"No."',)),
    Defect("a header twice", lambda t: [r.append(r[2]) for r in t["Tiêu chí"]], 1, "Tiêu chí",
           ('"Tiêu chí"',), ('"Tiêu chí"',)),
    Defect("no criterion for the cell", only_members, None, None, ("Chi bộ", "ít nhất một"),
           ("Cell", "at least one")),
    Defect("the tab twice", both_titles, None, None, ('"Tiêu chí"', '"Criteria"'),
           ('"Tiêu chí"', '"Criteria"'), tab="Criteria"),
]


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_defect_is_named_by_tab_row_and_column(defect: Defect, language: str) -> None:
    tabs = clean_tabs()
    defect.make(tabs)
    criteria = read_criteria(tabs, language=language)
    column = defect.column
    if language == "en" and defect.name == "a required column missing":
        column = "No."
    assert [(p.tab, p.row, p.column) for p in criteria.problems] == [
        (defect.tab, defect.row, column)]
    message = criteria.problems[0].message
    for phrase in defect.says if language == "vi" else defect.says_en:
        assert phrase in message
    assert not criteria.usable


def test_a_defective_row_is_left_out_and_the_others_kept() -> None:
    tabs = clean_tabs()
    put(3, 3, "hai")(tabs)
    criteria = read_criteria(tabs)
    assert [c.number for c in criteria.member] == [1, 3]
    assert criteria.cell == EXPECTED_CELL


def test_the_same_text_for_members_and_for_the_cell_is_no_problem() -> None:
    tabs = clean_tabs()
    put(5, 2, EXPECTED_MEMBER[0].text)(tabs)
    assert read_criteria(tabs).problems == ()


def test_an_empty_tab_asks_for_criteria_on_both_sides() -> None:
    criteria = read_criteria({"Tiêu chí": [list(HEADER)]})
    assert [(p.row, p.column) for p in criteria.problems] == [(None, None), (None, None)]
    assert "Đảng viên" in criteria.problems[0].message
    assert "Chi bộ" in criteria.problems[1].message


# --- the template ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_reads_back_as_the_articles_six_and_six(language: str) -> None:
    tab = criteria_template(language)
    assert tab.title == CRITERIA.title(language)
    assert tab.header_row == 1
    for other in ("vi", "en"):
        criteria = read_criteria({tab.title: tab.rows}, language=other)
        assert criteria.problems == ()
        assert [c.number for c in criteria.member] == [1, 2, 3, 4, 5, 6]
        assert [c.number for c in criteria.cell] == [1, 2, 3, 4, 5, 6]
        assert {c.weight for c in (*criteria.member, *criteria.cell)} == {1}
    # Every header says what goes in it; the side column is a drop-down of the two sides.
    assert sorted(tab.notes) == [(1, c) for c in range(1, 5)]
    assert [v.values for v in tab.validations] == [
        (Side.MEMBER.label(language), Side.CELL.label(language))]


def test_the_template_words_the_articles_criteria() -> None:
    criteria = read_criteria({"Tiêu chí": criteria_template("vi").rows})
    member = [c.text for c in criteria.member]
    cell = [c.text for c in criteria.cell]
    # "Đảng viên 6 tốt" in the article's order.
    assert "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh" in member[0]
    assert "tự diễn biến" in member[1] and "tự chuyển hóa" in member[1]
    assert "bí mật, an toàn tuyệt đối" in member[2]
    assert "gắn bó mật thiết với Nhân dân" in member[3]
    assert "tiên phong, gương mẫu" in member[4]
    assert "bản cam kết" in member[5]
    # "Chi bộ 6 tốt".
    assert "giáo dục chính trị, tư tưởng" in cell[0]
    assert "chủ trương, nghị quyết, chỉ thị của Đảng" in cell[1]
    assert "tập trung dân chủ" in cell[2]
    assert "nhiệm vụ chính trị được giao" in cell[3]
    assert "kiểm tra, giám sát, kỷ luật đảng" in cell[4]
    assert "khắc phục hạn chế, khuyết điểm" in cell[5]
    # Short enough for a column note and a form question.
    assert max(len(t) for t in member + cell) <= 200
