"""Which questions a round gets: tagged first, pool next, never reused, reproducible."""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.model import Question, Round
from automation.selection import NotEnoughQuestions, select_questions

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def question(row: int, tag: str | None = None, used_in: tuple[str, ...] = ()) -> Question:
    return Question(
        row=row,
        text=f"Câu hỏi số {row} về Nghị quyết Trung ương 4?",
        options=("Đúng", "Sai"),
        answer=frozenset({"A"}),
        round_id=tag,
        used_in=used_in,
    )


def round_(round_id: str = "2023-03", count: int = 5) -> Round:
    return Round(
        row=2,
        round_id=round_id,
        opens_at=datetime(2023, 3, 15, 8, 0, tzinfo=TZ),
        question_count=count,
        seconds_per_question=30,
    )


def rows(chosen: tuple[Question, ...]) -> list[int]:
    return [q.row for q in chosen]


def test_tagged_questions_come_first_and_the_pool_fills_the_rest() -> None:
    bank = [question(r) for r in range(2, 22)] + [question(r, "2023-03") for r in (30, 31, 32)]
    chosen = select_questions(bank, round_(count=5))
    assert len(chosen) == 5
    assert {30, 31, 32} <= set(rows(chosen))
    assert all(q.round_id is None for q in chosen if q.row not in (30, 31, 32))


def test_only_tagged_questions_when_there_are_enough() -> None:
    bank = [question(r) for r in range(2, 12)] + [question(r, "2023-03") for r in range(20, 26)]
    chosen = select_questions(bank, round_(count=5))
    assert all(q.round_id == "2023-03" for q in chosen)
    assert len(set(rows(chosen))) == 5


def test_the_result_is_in_sheet_order() -> None:
    bank = [question(r) for r in range(40, 1, -1)]
    chosen = rows(select_questions(bank, round_(count=10)))
    assert chosen == sorted(chosen)


def test_questions_of_other_rounds_are_never_taken() -> None:
    bank = [question(r, "2023-04") for r in range(2, 30)] + [question(r) for r in range(30, 35)]
    chosen = select_questions(bank, round_(count=5))
    assert rows(chosen) == [30, 31, 32, 33, 34]


def test_a_question_used_by_another_round_is_never_reused() -> None:
    used = [question(r, used_in=("2023-01",)) for r in range(2, 30)]
    used_tagged = [question(r, "2023-03", used_in=("2023-02",)) for r in range(30, 33)]
    fresh = [question(r) for r in range(40, 45)]
    chosen = select_questions([*used, *used_tagged, *fresh], round_(count=5))
    assert rows(chosen) == [40, 41, 42, 43, 44]


def test_questions_already_used_by_this_round_are_kept_after_a_crash() -> None:
    bank = [question(r) for r in range(2, 40)]
    first = select_questions(bank, round_(count=6))
    # the service wrote Đã dùng, then crashed; the secretary added questions meanwhile
    marked = [question(q.row, used_in=("2023-03",)) if q in first else q for q in bank] + [
        question(r) for r in range(100, 140)
    ]
    again = select_questions(marked, round_(count=6))
    assert rows(again) == rows(first)


def test_round_ids_are_compared_after_normalisation() -> None:
    bank = [question(r) for r in range(2, 30)]
    bank += [question(50, " 2023-03 "), question(51, "Kỳ-A")]
    bank += [question(60, used_in=("2023-03 ",)), question(61, used_in=("kỳ-a",))]
    chosen = select_questions(bank, round_("2023-03", count=3))
    assert {50, 60} <= set(rows(chosen))
    assert not {51, 61} & set(rows(chosen))
    nfd = unicodedata.normalize("NFD", "KỲ-A")
    assert {51, 61} <= set(rows(select_questions(bank, round_(nfd, count=3))))


def test_the_same_round_and_bank_always_give_the_same_questions() -> None:
    bank = [question(r) for r in range(2, 60)]
    expected = select_questions(bank, round_(count=10))
    shuffled = bank[:]
    random.Random(7).shuffle(shuffled)
    assert select_questions(shuffled, round_(count=10)) == expected
    assert select_questions(list(bank), round_(count=10)) == expected


def test_different_rounds_draw_differently() -> None:
    bank = [question(r) for r in range(2, 60)]
    draws = {
        rows(select_questions(bank, round_(f"2023-{m:02d}", count=5))).__repr__()
        for m in range(1, 9)
    }
    assert len(draws) > 1


def test_unrelated_rows_do_not_change_the_draw() -> None:
    bank = [question(r) for r in range(2, 60)]
    expected = select_questions(bank, round_(count=10))
    unrelated = [question(r, "2023-05") for r in range(60, 80)]
    unrelated += [question(r, used_in=("2023-01",)) for r in range(80, 100)]
    assert select_questions([*unrelated, *bank], round_(count=10)) == expected


def test_not_enough_questions_says_how_many_are_missing() -> None:
    bank = [question(r) for r in range(2, 5)] + [question(9, "2023-03")]
    bank += [question(r, used_in=("2023-01",)) for r in range(10, 20)]
    with pytest.raises(NotEnoughQuestions) as raised:
        select_questions(bank, round_(count=7))
    error = raised.value
    assert (error.round_id, error.needed, error.available, error.missing) == ("2023-03", 7, 4, 3)
    assert "thiếu 3" in str(error) and "Câu hỏi" in str(error)
    english = error.message("en")
    assert "3 missing" in english and "Questions" in english and "2023-03" in english


def test_a_bank_that_just_fills_the_round_is_enough() -> None:
    bank = [question(r) for r in range(2, 7)]
    assert rows(select_questions(bank, round_(count=5))) == [2, 3, 4, 5, 6]


# --- properties ----------------------------------------------------------------------

ROUNDS = ("2023-01", "2023-02", "2023-03")


@st.composite
def banks(draw: st.DrawFn) -> list[Question]:
    size = draw(st.integers(min_value=0, max_value=40))
    bank = []
    for row in range(2, size + 2):
        tag = draw(st.sampled_from((None, None, *ROUNDS)))
        used = draw(st.lists(st.sampled_from(ROUNDS), max_size=2, unique=True))
        bank.append(question(row, tag, tuple(used)))
    return bank


def eligible(q: Question, this: str) -> bool:
    return q.round_id in (None, this) and all(used == this for used in q.used_in)


@given(banks(), st.integers(min_value=1, max_value=10), st.randoms(use_true_random=False))
def test_selection_properties(bank: list[Question], count: int, rnd: random.Random) -> None:
    this = round_("2023-03", count)
    usable = [q for q in bank if eligible(q, "2023-03")]
    if len(usable) < count:
        with pytest.raises(NotEnoughQuestions) as raised:
            select_questions(bank, this)
        assert raised.value.missing == count - len(usable)
        return
    chosen = select_questions(bank, this)
    assert len(chosen) == count
    assert all(eligible(q, "2023-03") for q in chosen)
    assert rows(chosen) == sorted(set(rows(chosen)))
    tagged = [q for q in usable if q.round_id == "2023-03"]
    assert sum(q.round_id == "2023-03" for q in chosen) == min(count, len(tagged))
    shuffled = bank[:]
    rnd.shuffle(shuffled)
    assert select_questions(shuffled, this) == chosen


@given(banks(), st.integers(min_value=1, max_value=8))
def test_adding_one_pool_question_changes_at_most_one_choice(
    bank: list[Question], count: int
) -> None:
    this = round_("2023-03", count)
    try:
        before = set(select_questions(bank, this))
    except NotEnoughQuestions:
        return
    after = set(select_questions([*bank, question(999)], this))
    assert len(before - after) <= 1
