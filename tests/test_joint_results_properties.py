"""Properties of the joint ranking that must hold for any cells and entries (hypothesis)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from automation.jointresults import CellResult, JointEntry, JointResult, rank_joint
from tests.test_joint_results import OPENS

# Few distinct scores and times, so ties across cells are common.
entries = st.builds(
    JointEntry,
    name=st.sampled_from(["An", "Bình", "bình", "Cường", "Hà", "Lâm"]),
    score=st.sampled_from([10.0, 9.5, 9.0, 7.25, 0.0]),
    correct=st.integers(0, 10),
    duration=st.integers(0, 300).map(lambda s: timedelta(seconds=s)),
    submitted_at=st.sampled_from([0, 1, 2, 3]).map(lambda s: OPENS + timedelta(seconds=s)),
)
cells = st.lists(
    st.builds(
        CellResult,
        cell=st.sampled_from(["Chi bộ Ấp 1", "chi bộ ấp 1", "Chi bộ A1", "Chi bộ Quân sự"]),
        members=st.one_of(st.none(), st.sampled_from([0, 2, 4, 10, 20])),
        participants=st.sampled_from([0, 1, 2, 5]),
        entries=st.lists(entries, max_size=6).map(tuple),
        failure=st.sampled_from(["", "", "Lỗi: x"]),
    ),
    max_size=5,
)


def shown(result: JointResult) -> object:
    return (result.rows, result.cells, result.total)


@given(cells, st.randoms())
def test_the_ranking_does_not_depend_on_the_order_of_cells_or_entries(
        results: list[CellResult], rng: object) -> None:
    shuffled = []
    for result in results:
        mixed = list(result.entries)
        rng.shuffle(mixed)  # type: ignore[attr-defined]
        shuffled.append(CellResult(result.cell, result.members, result.participants,
                                   tuple(mixed), result.failure))
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert shown(rank_joint("r", shuffled)) == shown(rank_joint("r", results))


@given(cells)
def test_every_entry_of_a_cell_with_results_appears_exactly_once(
        results: list[CellResult]) -> None:
    ranked = Counter((row.cell, row.entry) for row in rank_joint("r", results).rows)
    given_ = Counter((r.cell, e) for r in results if not r.failure for e in r.entries)
    assert ranked == given_


@given(cells)
def test_a_rank_is_one_more_than_those_strictly_ahead(results: list[CellResult]) -> None:
    rows = rank_joint("r", results).rows
    for row in rows:
        ahead = [other for other in rows
                 if other.entry.score > row.entry.score
                 or (other.entry.score == row.entry.score
                     and other.entry.submitted_at < row.entry.submitted_at)]
        assert row.rank == 1 + len(ahead)
    for before, after in pairwise(rows):  # listed best first
        key = (-before.entry.score, before.entry.submitted_at)
        assert key <= (-after.entry.score, after.entry.submitted_at)
        if key == (-after.entry.score, after.entry.submitted_at):
            assert before.rank == after.rank  # equal score and time share a rank


@given(cells)
def test_every_cell_has_one_line_and_the_failed_ones_come_last(
        results: list[CellResult]) -> None:
    lines = rank_joint("r", results).cells
    assert Counter((c.cell, c.failure) for c in lines) == Counter(
        (r.cell, r.failure) for r in results)
    failed = [bool(c.failure) for c in lines]
    assert failed == sorted(failed)
