"""The year's proposal (rules 3 and 4): the table and the printed tab.

Month tabs are made as the secretary leaves them (rows of marks) and read
with :func:`read_month`; expected averages and levels come from the
contract's arithmetic and thresholds.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.config import RatingSettings
from automation.layout import Side
from automation.model import Member, RoundScore
from automation.rating import Criteria, find_month_tabs, month_id
from automation.ratingmonth import MonthSheet, read_month
from automation.ratingtabs import LINE_WIDTH, year_tab
from automation.ratingyear import YearRow, YearTable, year_table
from automation.text import Cell, normalize
from tests.test_rating_month import SETTINGS, M, N, criteria, tab

AN, BINH, CUONG = "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"
MEMBERS = (Member(2, AN), Member(3, BINH), Member(4, CUONG))
SIX = criteria()
HTXS, HTT, HT, KHT = range(4)
ALL = [M] * 6
FIVE = [M] * 5 + [N]  # 83.33
FOUR = [M] * 4 + [N] * 2  # 66.67


def sheet(month: int, marks: dict[str, Sequence[Cell]], *, disciplined: Sequence[str] = (),
          crit: Criteria = SIX, year: int = 2024) -> MonthSheet:
    """A month's tab with a row per name given (the names' marks), read back."""
    header = ["Họ và tên", *(str(n) for n in crit.numbers), "Kỷ luật", "Điểm", "Xếp loại tháng"]
    width = len(crit.numbers)
    rows = tab(*[[name, *m, *([None] * (width - len(m))), "Có" if name in disciplined else None]
                 for name, m in marks.items()], header=header)
    found = read_month(month_id(year, month), f"Đánh giá {month_id(year, month)}", rows,
                       criteria=crit, settings=SETTINGS)
    assert found.readable
    return found


def year(months: Sequence[MonthSheet], *, members: Sequence[Member] = MEMBERS,
         scores: Sequence[RoundScore] = (), held: int = 0, through: int = 12,
         rating: RatingSettings = SETTINGS, language: str = "vi") -> YearTable:
    return year_table(2024, months, members=members, quiz_scores=scores, rounds_held=held,
                      settings=rating, through=through, language=language)


def row(table: YearTable, name: str) -> YearRow:
    return next(r for r in table.rows if normalize(r.name) == normalize(name))


def same_months(count: int, marks: Sequence[Cell], name: str = AN, **kwargs: object
                ) -> list[MonthSheet]:
    return [sheet(m, {name: marks, "Chi bộ": ALL}, **kwargs) for m in range(1, count + 1)]


def test_a_full_year_of_six_good_months_is_excellent() -> None:
    table = year(same_months(12, ALL))
    an = row(table, AN)
    assert an.months_rated == tuple(month_id(2024, m) for m in range(1, 13))
    assert an.months_missing == ()
    assert an.by_level == (12, 0, 0, 0)
    assert an.average == Decimal("100.00")
    assert (an.by_points, an.proposal) == (HTXS, HTXS)


def test_the_average_is_rounded_half_up_from_the_months_points() -> None:
    # (5 × 100 + 66.67) / 6 = 94.445 → 94.45
    months = [sheet(m, {AN: ALL}) for m in range(1, 6)] + [sheet(6, {AN: FOUR})]
    an = row(year(months, through=6), AN)
    assert an.average == Decimal("94.45")
    assert an.by_level == (5, 0, 1, 0)
    assert an.proposal == HTXS


@pytest.mark.parametrize(
    ("weights", "proposal"),
    [
        ((9, 1), HTXS),  # 90.00: from 90
        ((8999, 1001), HTT),  # 89.99
        ((7, 3), HTT),  # 70.00
        ((6999, 3001), HT),  # 69.99
        ((1, 1), HT),  # 50.00
        ((4999, 5001), KHT),  # 49.99
    ],
)
def test_the_proposal_follows_the_average_and_the_thresholds(
    weights: tuple[int, int], proposal: int
) -> None:
    crit = criteria(weights, (1,))
    months = [sheet(m, {AN: [M, N]}, crit=crit) for m in range(1, 7)]
    an = row(year(months, through=6), AN)
    assert an.proposal == proposal


def test_a_disciplined_month_caps_the_proposal_at_well_completed() -> None:
    months = same_months(12, ALL)
    months[3] = sheet(4, {AN: ALL}, disciplined=[AN])
    an = row(year(months), AN)
    assert an.average == Decimal("100.00")
    assert an.months_disciplined == ("2024-04",)
    assert (an.by_points, an.proposal, an.capped) == (HTXS, HTT, True)


def test_discipline_does_not_raise_a_lower_proposal() -> None:
    months = same_months(12, [M] * 3 + [N] * 3, disciplined=[AN])
    an = row(year(months), AN)
    assert (an.proposal, an.capped) == (HT, False)
    assert len(an.months_disciplined) == 12


def test_a_disciplined_month_counts_even_when_it_was_not_rated() -> None:
    months = [*same_months(12, ALL)[:11], sheet(12, {AN: [M, M]}, disciplined=[AN])]
    an = row(year(months), AN)
    assert an.months_disciplined == ("2024-12",)
    assert an.months_missing == ("2024-12",)
    assert an.proposal == HTT


def test_fewer_rated_months_than_needed_is_not_enough_and_names_the_months() -> None:
    months = [sheet(m, {AN: ALL}) for m in (1, 2, 5, 8, 9)] + [sheet(10, {AN: FIVE[:4]})]
    an = row(year(months), AN)
    assert an.proposal is None and an.by_points is None
    assert an.average == Decimal("100.00")
    assert an.months_missing == tuple(month_id(2024, m) for m in (3, 4, 6, 7, 10, 11, 12))


def test_months_after_through_are_not_missing_yet() -> None:
    months = [sheet(m, {AN: ALL}) for m in range(1, 7)]
    assert row(year(months, through=6), AN).months_missing == ()
    assert row(year(months, through=8), AN).months_missing == ("2024-07", "2024-08")


def test_min_months_is_configurable() -> None:
    months = [sheet(m, {AN: ALL}) for m in range(1, 4)]
    assert row(year(months), AN).proposal is None
    assert row(year(months, rating=RatingSettings(min_months=3)), AN).proposal == HTXS


def test_names_match_across_months_whatever_their_spelling() -> None:
    months = [sheet(m, {"nguyễn  VĂN an": ALL}) for m in range(1, 7)]
    an = row(year(months, through=6), AN)
    assert an.name == AN and len(an.months_rated) == 6


def test_rows_for_strangers_and_second_rows_do_not_count() -> None:
    months = [sheet(m, {AN: FOUR, "Người Lạ": ALL}) for m in range(1, 7)]
    months.append(sheet(7, {AN: FOUR, "nguyễn văn an": ALL}))
    table = year(months, through=7)
    assert [r.name for r in table.rows] == [AN, BINH, CUONG, "Chi bộ"]
    an = row(table, AN)
    assert an.by_level == (0, 0, 7, 0) and an.average == Decimal("66.67")


def test_only_the_years_readable_months_count() -> None:
    months = [sheet(m, {AN: ALL}) for m in range(1, 7)]
    months.append(sheet(7, {AN: [N] * 6}, year=2023))
    unreadable = read_month("2024-08", "Đánh giá 2024-08", [["Tên"], [AN, M]], criteria=SIX,
                            settings=SETTINGS)
    an = row(year([*months, unreadable], through=8), AN)
    assert an.average == Decimal("100.00")
    assert an.months_missing == ("2024-07", "2024-08")


def test_the_cell_is_rated_on_its_own_row() -> None:
    months = [sheet(m, {AN: ALL, "Chi bộ": FIVE}) for m in range(1, 7)]
    months.append(sheet(7, {"Cell": FIVE}))
    cell = row(year(months, through=7), "Chi bộ")
    assert cell.side is Side.CELL
    assert cell.average == Decimal("83.33") and cell.proposal == HTT
    assert len(cell.months_rated) == 7


def test_quiz_rounds_taken_and_the_average_score() -> None:
    scores = [
        RoundScore("2024-01", AN, 1, 8.5),
        RoundScore("2024-02", AN, 2, 9.0),
        RoundScore("2024-02", "nguyễn văn an", 5, 7.0),  # listed twice: the better counts
        RoundScore("2024-01", BINH, 3, 10.0),
        RoundScore("2024-02", BINH, 1, 6.67),
        RoundScore("2024-03", BINH, 1, 3.33),
    ]
    table = year([], scores=scores, held=8)
    an, binh, cuong, cell = table.rows
    assert (an.quiz_taken, an.quiz_held, an.quiz_average) == (2, 8, Decimal("8.75"))
    assert (binh.quiz_taken, binh.quiz_average) == (3, Decimal("6.67"))
    assert (cuong.quiz_taken, cuong.quiz_average) == (0, None)
    # The cell: the rounds with any result, the average of every member's score.
    assert (cell.quiz_taken, cell.quiz_held) == (3, 8)
    assert cell.quiz_average == Decimal("7.50")  # (8.5 + 9 + 10 + 6.67 + 3.33) / 5


def proposals(excellent: int, good: int) -> YearTable:
    rows = [YearRow(f"Đảng viên {i}", Side.MEMBER, (), (), (0, 0, 0, 0), None, (), 0, 0, None,
                    level, level)
            for i, level in enumerate([HTXS] * excellent + [HTT] * good)]
    return YearTable(2024, 12, tuple(rows), 20)


@pytest.mark.parametrize(
    ("excellent", "good", "exceeded", "allowed"),
    [(2, 9, True, 1), (1, 5, False, 1), (1, 4, True, 0), (1, 0, True, 0), (0, 0, False, 0),
     (2, 10, False, 2), (3, 10, True, 2)],
)
def test_the_excellent_cap_is_twenty_percent_of_well_completed(
    excellent: int, good: int, exceeded: bool, allowed: int
) -> None:
    table = proposals(excellent, good)
    assert (table.cap_exceeded, table.cap_allowed) == (exceeded, allowed)
    tab_ = year_tab(table, settings=SETTINGS)
    # A line of its own (on as many rows as it takes), bold and highlighted.
    warning = " ".join(str(r[0]) for i, r in enumerate(tab_.rows, 1) if i in tab_.highlight_rows)
    assert bool(warning) == exceeded
    assert tab_.highlight_rows <= tab_.bold_rows
    if exceeded:
        assert warning.startswith(f"LƯU Ý: {excellent} đảng viên")
        assert f"{good} đảng viên" in warning and f"(tối đa {allowed})" in warning


# --- the printed tab --------------------------------------------------------------------


def realistic() -> YearTable:
    months = []
    for m in range(1, 11):
        marks = {AN: ALL, BINH: FIVE if m % 2 else ALL, "Chi bộ": FIVE}
        if m >= 6:
            marks[CUONG] = FOUR
        months.append(sheet(m, marks, disciplined=[BINH] if m == 4 else []))
    scores = [RoundScore(f"2024-0{r}", AN, 1, 9.5) for r in range(1, 5)]
    return year(months, scores=scores, held=6, through=10)


def data_rows(tab_rows: list[list[Cell]], header_row: int) -> list[list[Cell]]:
    return [r for r in tab_rows[header_row:] if len(r) > 3]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_year_tab_is_a_proposal_for_the_meeting(language: str) -> None:
    table = realistic()
    tab_ = year_tab(table, settings=SETTINGS, language=language, made_on=date(2024, 11, 20))
    en = language == "en"
    assert tab_.title == ("Rating 2024" if en else "Xếp loại 2024")
    text = "\n".join(str(r[0]) for r in tab_.rows[: tab_.header_row - 3] if r)
    assert ("proposal" if en else "đề xuất") in text
    assert ("Made on 20/11/2024" if en else "Lập ngày 20/11/2024") in text
    levels = (("Completed tasks excellently", "Completed tasks well") if en
              else ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ"))
    for level in levels:
        assert level in text
    rows = data_rows(tab_.rows, tab_.header_row)
    assert [r[1] for r in rows] == [AN, BINH, CUONG, "Cell" if en else "Chi bộ"]
    proposal = {r[1]: r[-1] for r in rows}
    assert proposal[AN] == levels[0]
    assert proposal[BINH] == levels[1]  # 95 points, disciplined in April
    assert proposal[CUONG] == ("Not enough months" if en else "Chưa đủ căn cứ")


def test_the_year_tab_groups_members_by_proposal_with_notes_under_them() -> None:
    tab_ = year_tab(realistic(), settings=SETTINGS)
    body = tab_.rows[tab_.header_row:]
    headings = [r[1] for i, r in enumerate(body, tab_.header_row + 1) if i in tab_.bold_rows]
    assert headings == ["Hoàn thành xuất sắc nhiệm vụ: 1", "Hoàn thành tốt nhiệm vụ: 1",
                        "Chưa đủ căn cứ: 1", "Chi bộ (tổ chức đảng)"]
    notes = [str(r[2]) for r in body if len(r) == 3 and r[2]]
    assert notes == [
        "Ghi chú: bị kỷ luật tháng 4: không quá Hoàn thành tốt nhiệm vụ (theo điểm: Hoàn thành "
        "xuất sắc nhiệm vụ).",
        "Ghi chú: mới đánh giá 5/6 tháng cần có; chưa đánh giá tháng 1, 2, 3, 4, 5.",
    ]
    an = next(r for r in body if r[1] == AN)
    # No., name, months rated, per level (4), average, disciplined, quiz taken, quiz avg.
    assert an[:10] == [1, AN, 10, 10, 0, 0, 0, 100.0, 0, 4]
    assert an[10] == 9.5
    assert tab_.rows[tab_.header_row - 2][9] == "Số kỳ thi"
    assert tab_.rows[tab_.header_row - 1][9] == "đã dự (/6)"


def test_the_year_tab_fits_a_landscape_a4_page_and_holds_no_multi_line_cell() -> None:
    tab_ = year_tab(proposals(3, 4), settings=SETTINGS, language="vi")
    assert sum(tab_.column_widths) <= 130
    assert len(tab_.column_widths) == max(len(r) for r in tab_.rows)
    for r in tab_.rows:
        for value in r:
            assert "\n" not in str(value)
            if isinstance(value, str) and r.index(value) == 0:
                assert len(value) <= LINE_WIDTH
    assert tab_.highlight_rows and tab_.highlight_rows <= tab_.bold_rows


def test_configured_year_names_and_thresholds_are_used() -> None:
    rating = RatingSettings(year_thresholds=(95, 80, 60),
                            year_levels=("Xuất sắc", "Tốt", "Hoàn thành", "Không hoàn thành"))
    months = [sheet(m, {AN: FIVE}) for m in range(1, 7)]
    table = year(months, through=6, rating=rating)
    assert row(table, AN).proposal == 1
    rows = data_rows(year_tab(table, settings=rating).rows, 0)
    assert next(r for r in rows if r[1] == AN)[-1] == "Tốt"


def test_month_tabs_are_found_by_title_in_either_language() -> None:
    titles = ["Câu hỏi", "Đánh giá 2024-03", "Rating 2024-01", "rating 2023-12", "Rating 2024",
              "Xếp loại 2024", "đánh giá 2024-13", "Đánh giá 2024-3", "Rating 2024-01"]
    assert find_month_tabs(titles, 2024) == {"2024-01": "Rating 2024-01",
                                             "2024-03": "Đánh giá 2024-03"}
    assert list(find_month_tabs(titles)) == ["2023-12", "2024-01", "2024-03"]


# --- properties ---------------------------------------------------------------------------

NAMES = [AN, BINH, CUONG, "Phạm Thu Hà", "Võ Minh Khoa"]


@st.composite
def years(draw: st.DrawFn) -> tuple[list[Member], list[dict[str, list[Cell]]], list[set[str]]]:
    """A roster, and for each month the rows of its tab (or none) and who was disciplined."""
    roster = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=5))
    months: list[dict[str, list[Cell]]] = []
    disciplined: list[set[str]] = []
    mark = st.sampled_from([M, M, M, N, None])
    for _ in range(12):
        people = draw(st.lists(st.sampled_from([*roster, "Chi bộ"]), unique=True))
        months.append({p: draw(st.lists(mark, min_size=6, max_size=6)) for p in people})
        disciplined.append(set(draw(st.lists(st.sampled_from(people), max_size=1)))
                           if people and draw(st.integers(0, 9)) == 0 else set())
    return [Member(i + 2, n) for i, n in enumerate(roster)], months, disciplined


def table_of(case: tuple[list[Member], list[dict[str, list[Cell]]], list[set[str]]],
             rating: RatingSettings = SETTINGS) -> YearTable:
    roster, months, disciplined = case
    sheets = [sheet(m, marks, disciplined=sorted(d))
              for m, (marks, d) in enumerate(zip(months, disciplined, strict=True), 1) if marks]
    return year(sheets, members=roster, rating=rating)


@settings(deadline=None, max_examples=60)
@given(years(), st.integers(1, 12))
def test_year_rules_hold_for_any_year(case: tuple[list[Member], list[dict[str, list[Cell]]],
                                                  list[set[str]]], minimum: int) -> None:
    rating = RatingSettings(min_months=minimum)
    table = table_of(case, rating)
    roster = case[0]
    # Every member and the cell exactly once, in the table and in the tab.
    assert [r.name for r in table.rows] == [m.name for m in roster] + ["Chi bộ"]
    tab_ = year_tab(table, settings=rating)
    names = Counter(r[1] for r in data_rows(tab_.rows, tab_.header_row))
    assert names == Counter([m.name for m in roster] + ["Chi bộ"])
    for r in table.rows:
        assert len(r.months_rated) + len(r.months_missing) == 12
        if len(r.months_rated) < minimum:
            assert r.proposal is None
        else:
            assert r.proposal is not None
            if r.months_disciplined:
                assert r.proposal >= HTT
    assert bool(tab_.highlight_rows) == (table.count(HTXS) * 100 > 20 * table.count(HTT))


@settings(deadline=None, max_examples=30)
@given(years(), st.randoms(use_true_random=False))
def test_the_order_the_months_come_in_does_not_matter(
    case: tuple[list[Member], list[dict[str, list[Cell]]], list[set[str]]], rng: random.Random
) -> None:
    roster, months, disciplined = case
    sheets = [sheet(m, marks, disciplined=sorted(d))
              for m, (marks, d) in enumerate(zip(months, disciplined, strict=True), 1) if marks]
    shuffled = list(sheets)
    rng.shuffle(shuffled)
    assert year(shuffled, members=roster) == year(sheets, members=roster)


@settings(deadline=None, max_examples=60)
@given(years(), st.data())
def test_one_more_criterion_met_never_lowers_the_proposal(
    case: tuple[list[Member], list[dict[str, list[Cell]]], list[set[str]]], data: st.DataObject
) -> None:
    roster, months, disciplined = case
    spots = [(m, p, i) for m, marks in enumerate(months) for p, row_ in marks.items()
             for i, v in enumerate(row_) if v == N]
    if not spots:
        return
    m, person, i = data.draw(st.sampled_from(spots))
    better = [{p: list(r) for p, r in marks.items()} for marks in months]
    better[m][person][i] = M
    before, after = table_of(case), table_of((roster, better, disciplined))
    for old, new in zip(before.rows, after.rows, strict=True):
        assert old.months_rated == new.months_rated
        if old.proposal is not None:
            assert new.proposal is not None and new.proposal <= old.proposal
            assert new.average is not None and old.average is not None
            assert new.average >= old.average
