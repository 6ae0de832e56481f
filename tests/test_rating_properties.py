"""Properties of a month's refresh that must hold for any tab (hypothesis)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from automation.layout import MONTH_COLUMNS, Mark
from automation.model import Member
from automation.rating import Criteria, points
from automation.ratingmonth import MonthPlan
from automation.ratingtabs import month_tab
from automation.text import Cell, normalize
from tests.test_rating_month import SETTINGS, Rows, apply, criteria, plan, written

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thu Hà", "Võ Minh Khoa",
         "Huỳnh Thị Mai", "Trần Phú Lâm", "Phan Thanh Duy"]
MARKS: list[Cell] = [None, "Đạt", "Chưa đạt", "đạt", "Met", "Not met", "Không đạt", " ĐẠT "]
DISCIPLINE: list[Cell] = [None, "Có", "Không", "Khiển trách"]
STALE: list[Cell] = [None, 83.33, "12,5", "Tốt", "Chưa đủ: 1", "6/6"]
SERVICE_HEADERS = {normalize(h) for c in MONTH_COLUMNS if c.service for h in (c.vi, c.en)}


@dataclass
class Case:
    crit: Criteria
    members: tuple[Member, ...]
    rows: Rows
    selves: dict[str, str] | None
    weights: dict[str, tuple[int, ...]]  # "member" / "cell" -> weights by number


def permuted(rows: Rows, order: list[int]) -> Rows:
    width = len(order)
    return [[(row + [None] * width)[i] for i in order] for row in rows]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    member_w = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=10)))
    cell_w = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=10)))
    crit = criteria(member_w, cell_w)
    roster = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=6))
    present = draw(st.lists(st.sampled_from(roster), unique=True)) if roster else []
    names = [*present]
    if draw(st.booleans()):
        names.append("Người Đã Chuyển")
    if draw(st.booleans()):
        names.append(draw(st.sampled_from(["Chi bộ", "chi  bộ", "Cell"])))
    names = draw(st.permutations(names))
    header: list[Cell] = ["Họ và tên", *(str(n) for n in crit.numbers), "Kỷ luật", "Ghi chú",
                          "Tự đánh giá", "Điểm", "Xếp loại tháng"]
    rows: Rows = [header]
    for name in names:
        own = len(cell_w) if normalize(name) in ("chi bộ", "cell") else len(member_w)
        marks = [draw(st.sampled_from(MARKS)) if n <= own else None for n in crit.numbers]
        rows.append([name, *marks, draw(st.sampled_from(DISCIPLINE)), None,
                     *(draw(st.sampled_from(STALE)) for _ in range(3))])
    rows = permuted(rows, draw(st.permutations(range(len(header)))))
    selves = None
    if roster and draw(st.booleans()):
        selves = draw(st.dictionaries(st.sampled_from(roster),
                                      st.sampled_from(["6/6", "5/6 — chưa đạt: 2", ""])))
    members = tuple(Member(i + 2, n) for i, n in enumerate(roster))
    return Case(crit, members, rows, selves, {"member": member_w, "cell": cell_w})


def run(case: Case, rows: Rows | None = None) -> MonthPlan:
    return plan(case.rows if rows is None else rows, members=case.members, crit=case.crit,
                selves=case.selves)


def last_row(rows: Rows) -> int:
    return max((i + 1 for i, r in enumerate(rows) if any(v not in (None, "") for v in r)),
               default=1)


def expected_points(weights: tuple[int, ...], met: set[int]) -> Fraction:
    """The contract: weights met / all weights × 100, two decimals, half up."""
    earned = sum(w for n, w in enumerate(weights, 1) if n in met)
    hundredths = math.floor(Fraction(10_000 * earned, sum(weights)) + Fraction(1, 2))
    return Fraction(hundredths, 100)


@given(cases())
def test_refreshing_twice_plans_nothing_the_second_time(case: Case) -> None:
    first = run(case)
    second = run(case, apply(case.rows, first.writes))
    assert (second.writes, second.added) == ((), ())


@given(cases())
def test_a_secretary_cell_is_never_written(case: Case) -> None:
    result = run(case)
    after = apply(case.rows, result.writes)
    width = max(i + 1 for i, v in enumerate(case.rows[0]) if v not in (None, ""))
    bottom = last_row(case.rows)
    name_column = 1 + [normalize(str(v)) for v in case.rows[0]].index("họ và tên")
    for w in result.writes:
        header = normalize(str(after[0][w.column - 1]))
        if w.row == 1:
            assert w.column > width and header in SERVICE_HEADERS
        elif w.row <= bottom:
            assert header in SERVICE_HEADERS
        else:
            assert header in SERVICE_HEADERS or w.column == name_column


@given(cases())
def test_after_a_refresh_every_member_and_the_cell_have_exactly_one_row(case: Case) -> None:
    after = apply(case.rows, run(case).writes)
    name_column = [normalize(str(v)) for v in after[0]].index("họ và tên")
    names = Counter(normalize(str(r[name_column])) for r in after[1:]
                    if len(r) > name_column and r[name_column] not in (None, ""))
    for member in case.members:
        assert names[member.key] == 1
    assert names["chi bộ"] + names["cell"] == 1


@given(cases())
def test_points_stay_within_0_and_100_and_follow_the_arithmetic(case: Case) -> None:
    sheet = run(case).sheet
    for row in sheet.rows:
        weights = case.weights["cell" if row.side.name == "CELL" else "member"]
        filled = set(row.marks) | set(row.unreadable)
        assert row.rated == (filled == set(range(1, len(weights) + 1)))
        if row.points is None:
            continue
        assert 0 <= row.points <= 100
        met = {n for n, mark in row.marks.items() if mark is Mark.MET}
        assert Fraction(row.points) == expected_points(weights, met)
        assert row.level == next(
            (i for i, t in enumerate(SETTINGS.month_thresholds) if row.points >= t), 3)


@given(cases(), st.data())
def test_the_order_of_rows_and_columns_does_not_matter(case: Case, data: st.DataObject) -> None:
    body = data.draw(st.permutations(case.rows[1:]))
    order = data.draw(st.permutations(range(len(case.rows[0]))))
    shuffled = permuted([case.rows[0], *body], order)
    before, after = run(case), run(case, shuffled)
    assert written(case.rows, before) == written(shuffled, after)
    assert sorted(before.added) == sorted(after.added)
    assert Counter((p.column, p.message) for p in before.problems) == Counter(
        (p.column, p.message) for p in after.problems)

    def ratings(result: MonthPlan) -> dict[str, object]:
        return {r.key: (r.points, r.level, r.blank, r.disciplined) for r in result.sheet.rows}

    assert ratings(before) == ratings(after)


@given(st.lists(st.integers(1, 20), min_size=1, max_size=10), st.data())
def test_one_more_criterion_met_never_lowers_the_points(
    weights: list[int], data: st.DataObject
) -> None:
    crit = criteria(tuple(weights), (1,))
    numbers = range(1, len(weights) + 1)
    met = data.draw(st.sets(st.sampled_from(numbers)))
    more = data.draw(st.sampled_from(numbers))
    before = points(crit.member, met)
    after = points(crit.member, met | {more})
    assert 0 <= before <= after <= 100
    assert (after == 100) == (met | {more} == set(numbers))


@given(st.lists(st.sampled_from(NAMES), unique=True, max_size=8), st.sampled_from(["vi", "en"]))
def test_a_new_tab_has_every_member_and_the_cell_exactly_once(
    roster: list[str], language: str
) -> None:
    members = [Member(i + 2, n) for i, n in enumerate(roster)]
    new = month_tab("2024-03", members=members, criteria=criteria(), settings=SETTINGS,
                    language=language)
    assert [r[0] for r in new.rows[1:]] == [*roster, "Cell" if language == "en" else "Chi bộ"]
