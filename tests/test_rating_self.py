"""Self-assessment (rule 5): the form's questions, reading the answers, the summary text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.layout import Mark
from automation.rating import (
    COMMENT_LIMIT,
    SelfAssessment,
    read_self_assessment,
    self_assessment_questions,
    self_assessment_text,
)
from tests.test_rating_month import criteria

SIX = criteria()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_member_criterion_is_a_choice_then_an_optional_comment(language: str) -> None:
    questions = self_assessment_questions(SIX, language)
    assert len(questions) == 7
    choices, comment = questions[:6], questions[6]
    options = ("Met", "Not met") if language == "en" else ("Đạt", "Chưa đạt")
    for number, question in enumerate(choices, 1):
        assert question.title == f"{number}. Đảng viên: tiêu chí số {number}"
        assert (question.kind, question.options, question.multi) == ("choice", options, False)
        assert question.required and question.correct == () and question.points == 0
    assert (comment.kind, comment.required, comment.options) == ("text", False, ())
    assert comment.title == ("Your comment (optional)" if language == "en"
                             else "Ý kiến của đồng chí (không bắt buộc)")


def answers_for(language: str, not_met: set[int], comment: str = "") -> dict[str, tuple[str, ...]]:
    questions = self_assessment_questions(SIX, language)
    answers = {
        q.title: (q.options[1] if number in not_met else q.options[0],)
        for number, q in enumerate(questions[:6], 1)
    }
    if comment:
        answers[questions[6].title] = (comment,)
    return answers


@pytest.mark.parametrize("built", ["vi", "en"])
def test_answers_map_back_to_criterion_numbers_whatever_the_forms_language(built: str) -> None:
    assessment = read_self_assessment(answers_for(built, {3}, "Cần cố gắng hơn"))
    assert assessment == SelfAssessment(
        {1: Mark.MET, 2: Mark.MET, 3: Mark.NOT_MET, 4: Mark.MET, 5: Mark.MET, 6: Mark.MET},
        "Cần cố gắng hơn",
    )


def test_the_summary_reads_like_the_contracts_example() -> None:
    assessment = read_self_assessment(answers_for("vi", {3}))
    assert self_assessment_text(assessment, SIX, "vi") == "5/6 — chưa đạt: 3"
    assert self_assessment_text(assessment, SIX, "en") == "5/6 — not met: 3"
    full = read_self_assessment(answers_for("vi", set()))
    assert self_assessment_text(full, SIX, "vi") == "6/6"


def test_the_summary_names_unanswered_criteria_and_shortens_the_comment() -> None:
    long = "Tôi xin nhận khuyết điểm  và\nhứa khắc phục. " * 20
    answers = answers_for("vi", {2, 5}, long)
    del answers["4. Đảng viên: tiêu chí số 4"]
    text = self_assessment_text(read_self_assessment(answers), SIX, "vi")
    head = "3/6 — chưa đạt: 2, 5 — chưa trả lời: 4 — ý kiến: Tôi xin nhận khuyết điểm và hứa"
    assert text.startswith(head)
    assert text.endswith("…") and "\n" not in text
    assert len(text) == len("3/6 — chưa đạt: 2, 5 — chưa trả lời: 4 — ý kiến: ") + COMMENT_LIMIT


def test_unknown_titles_and_words_are_ignored() -> None:
    assessment = read_self_assessment({"Họ và tên": ("Nguyễn Văn An",), "2. x": ("Có lẽ",),
                                       "1. Đảng viên: tiêu chí số 1": ("Đạt",)})
    assert assessment == SelfAssessment({1: Mark.MET}, "")


@given(st.sets(st.integers(1, 6)), st.sampled_from(["vi", "en"]))
def test_the_summary_counts_what_the_member_answered(not_met: set[int], language: str) -> None:
    text = self_assessment_text(read_self_assessment(answers_for(language, not_met)), SIX, "vi")
    assert text.startswith(f"{6 - len(not_met)}/6")
    listed = ", ".join(str(n) for n in sorted(not_met))
    assert (f"chưa đạt: {listed}" in text) == bool(not_met)
