"""Question statistics and the season table."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from automation.model import Member, Question, RoundResult, RoundScore, SeasonRow, Submission
from automation.ranking import UNKNOWN_OPTION, rank_round
from automation.stats import question_stats, season_table

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPENED = datetime(2023, 3, 15, 8, 0, tzinfo=TZ)

SINGLE = Question(
    row=2,
    text="Nghị quyết 21-NQ/TW về công tác tổ chức cơ sở đảng được ban hành năm nào?",
    options=("2017", "2019", "2021", "2022"),
    answer=frozenset({"C"}),
    source="Nghị quyết 21-NQ/TW",
)
MULTI = Question(
    row=3,
    text="Những việc nào chi bộ phải làm hằng tháng?",
    options=("Sinh hoạt chi bộ", "Quyết toán ngân sách", "Thu đảng phí", "Xét xử"),
    answer=frozenset({"A", "C"}),
    source="Điều lệ Đảng",
)
NOBODY = Question(row=4, text="Câu không ai trả lời", options=("x", "y"), answer=frozenset({"A"}))
QUESTIONS = (SINGLE, MULTI, NOBODY)
MEMBERS = tuple(Member(row=i + 2, name=f"Đảng viên {i}") for i in range(8))


def result(
    answers: list[Mapping[Question, set[str]]], extra: Sequence[Submission] = ()
) -> RoundResult:
    submissions = [
        Submission(
            respondent=MEMBERS[i].name,
            submitted_at=OPENED + timedelta(minutes=1, seconds=i),
            answers={q.key: frozenset(letters) for q, letters in chosen.items() if letters},
        )
        for i, chosen in enumerate(answers)
    ]
    return rank_round(
        round_id="2023-03",
        questions=QUESTIONS,
        members=MEMBERS,
        submissions=[*submissions, *extra],
        opened_at=OPENED,
        deadline=OPENED + timedelta(minutes=6),
    )


def test_counts_answered_correct_and_the_most_chosen_wrong_option() -> None:
    stats = question_stats(
        result(
            [
                {SINGLE: {"C"}, MULTI: {"A", "C"}},
                {SINGLE: {"A"}, MULTI: {"A"}},
                {SINGLE: {"B"}, MULTI: {"A", "B", "C"}},
                {SINGLE: {"B"}, MULTI: {"B", "D"}},
                {SINGLE: {"C"}},
                {},
            ]
        )
    )
    single, multi, nobody = stats
    assert (single.number, single.question, single.source) == (1, SINGLE.text, SINGLE.source)
    assert (single.answered, single.correct) == (5, 2)
    # the wrong option named by its text: members saw the options shuffled
    assert (single.top_wrong, single.top_wrong_count) == ("2019", 2)
    assert single.percent_correct == 40.0
    # wrong answers to a multi-answer question: the options ticked that are not correct
    assert (multi.answered, multi.correct) == (4, 1)
    assert (multi.top_wrong, multi.top_wrong_count) == ("Quyết toán ngân sách", 2)
    assert (nobody.number, nobody.answered, nobody.correct) == (3, 0, 0)
    assert (nobody.top_wrong, nobody.top_wrong_count, nobody.percent_correct) == (None, 0, 0.0)
    assert all(s.round_id == "2023-03" for s in stats)


def test_ties_in_wrong_options_go_to_the_option_first_in_the_bank() -> None:
    stats = question_stats(result([{SINGLE: {"D"}}, {SINGLE: {"B"}}, {SINGLE: {"A"}}]))
    assert (stats[0].top_wrong, stats[0].top_wrong_count) == ("2017", 1)


def test_no_wrong_option_when_wrong_answers_only_miss_options() -> None:
    stats = question_stats(result([{MULTI: {"A"}}, {MULTI: {"C"}}, {MULTI: {UNKNOWN_OPTION}}]))
    assert (stats[1].answered, stats[1].correct) == (3, 0)
    assert (stats[1].top_wrong, stats[1].top_wrong_count) == (None, 0)


def test_only_ranked_entries_count() -> None:
    late = Submission(
        respondent=MEMBERS[7].name,
        submitted_at=OPENED + timedelta(minutes=9),
        answers={SINGLE.key: frozenset({"A"})},
    )
    stranger = Submission(
        respondent="Khách",
        submitted_at=OPENED + timedelta(minutes=2),
        answers={SINGLE.key: frozenset({"A"})},
    )
    stats = question_stats(result([{SINGLE: {"C"}}], [late, stranger]))
    assert (stats[0].answered, stats[0].correct, stats[0].top_wrong) == (1, 1, None)


def test_a_round_without_responses_has_empty_stats() -> None:
    stats = question_stats(result([]))
    assert [(s.number, s.answered, s.correct, s.top_wrong) for s in stats] == [
        (1, 0, 0, None),
        (2, 0, 0, None),
        (3, 0, 0, None),
    ]


# --- the season table ----------------------------------------------------------------


def score(round_id: str, name: str, rank: int, points: float) -> RoundScore:
    return RoundScore(round_id=round_id, name=name, rank=rank, score=points)


def test_season_totals_averages_first_places_and_ranks() -> None:
    rows = season_table(
        [
            score("2023-01", "Nguyễn Văn An", 1, 9.0),
            score("2023-01", "Trần Thị Bình", 2, 8.5),
            score("2023-01", "Lê Quốc Cường", 3, 6.67),
            score("2023-02", "Trần Thị Bình", 1, 10.0),
            score("2023-02", "Lê Quốc Cường", 2, 9.0),
            score("2023-03", "Lê Quốc Cường", 1, 8.0),
            score("2023-03", "Nguyễn Văn An", 2, 7.0),
        ]
    )
    assert rows == [
        SeasonRow(1, "Lê Quốc Cường", 3, 23.67, 7.89, 1),
        SeasonRow(2, "Trần Thị Bình", 2, 18.5, 9.25, 1),
        SeasonRow(3, "Nguyễn Văn An", 2, 16.0, 8.0, 1),
    ]


def test_average_rounds_half_up() -> None:
    rows = season_table([score("1", "A", 2, 8.0), score("2", "A", 2, 8.01)])
    assert (rows[0].total, rows[0].average) == (16.01, 8.01)  # 8.005 → 8.01
    rows = season_table(
        [score("1", "A", 2, 10.0), score("2", "A", 2, 0.0), score("3", "A", 2, 0.0)]
    )
    assert rows[0].average == 3.33


def test_equal_total_is_decided_by_average_then_first_places() -> None:
    rows = season_table(
        [
            score("1", "Nhiều kỳ", 2, 5.0),
            score("2", "Nhiều kỳ", 3, 5.0),
            score("1", "Một kỳ", 3, 10.0),  # same total, higher average
            score("2", "Hai nhất", 1, 5.0),
            score("3", "Hai nhất", 1, 5.0),  # same total and average as Nhiều kỳ, 2 firsts
        ]
    )
    assert [(r.rank, r.name) for r in rows] == [(1, "Một kỳ"), (2, "Hai nhất"), (3, "Nhiều kỳ")]


def test_exact_ties_share_a_rank_and_the_next_is_skipped() -> None:
    rows = season_table(
        [
            score("1", "Bình", 1, 9.0),
            score("1", "an", 1, 9.0),
            score("1", "Cường", 3, 7.0),
        ]
    )
    assert [(r.rank, r.name) for r in rows] == [(1, "an"), (1, "Bình"), (3, "Cường")]


def test_names_are_matched_after_normalisation_and_shown_as_in_the_latest_round() -> None:
    nfd = unicodedata.normalize("NFD", "nguyễn  văn an")
    rows = season_table([score("2023-02", nfd, 1, 8.0), score("2023-01", "Nguyễn Văn An", 2, 6.0)])
    assert rows == [SeasonRow(1, unicodedata.normalize("NFC", "nguyễn văn an"), 2, 14.0, 7.0, 1)]


def test_a_member_listed_twice_in_one_round_counts_once_with_the_better_score() -> None:
    twice = [score("2023-01", "An", 3, 5.0), score("2023-01", "AN", 1, 9.0)]
    for scores in (twice, twice[::-1]):
        rows = season_table(scores)
        assert [(r.rounds_taken, r.total, r.first_places) for r in rows] == [(1, 9.0, 1)]


def test_no_rounds_no_rows() -> None:
    assert season_table([]) == []


NAMES = ("An", "Bình", "Cường", "Dũng")


@st.composite
def seasons(draw: st.DrawFn) -> list[RoundScore]:
    scores = []
    for round_id in ("2023-01", "2023-02", "2023-03", "2023-04"):
        takers = draw(st.lists(st.sampled_from(NAMES), unique=True))
        for name in takers:
            points = draw(st.integers(min_value=0, max_value=1000)) / 100
            scores.append(score(round_id, name, draw(st.integers(1, 3)), points))
    return scores


@given(seasons(), st.randoms(use_true_random=False))
def test_season_properties(scores: list[RoundScore], rnd: random.Random) -> None:
    rows = season_table(scores)
    assert {r.name for r in rows} == {s.name for s in scores}
    for row in rows:
        mine = [s for s in scores if s.name == row.name]
        assert row.rounds_taken == len(mine)
        assert row.total == round(sum(round(s.score * 100) for s in mine) / 100, 2)
        assert row.first_places == sum(s.rank == 1 for s in mine)
        assert 0 <= row.average <= 10
    order = [(-r.total, -r.average, -r.first_places) for r in rows]
    assert order == sorted(order)
    for position, row in enumerate(rows, start=1):
        tied = position > 1 and order[position - 1] == order[position - 2]
        assert row.rank == (rows[position - 2].rank if tied else position)
    shuffled = scores[:]
    rnd.shuffle(shuffled)
    assert season_table(shuffled) == rows
