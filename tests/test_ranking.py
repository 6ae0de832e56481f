"""The seven ranking rules of PRODUCT.md, rule by rule, then as properties."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.model import Entry, Member, Question, Reason, RoundResult, Submission
from automation.ports import FormResponse
from automation.ranking import UNKNOWN_OPTION, grade, rank_round, to_submission

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPENED = datetime(2023, 3, 15, 8, 0, tzinfo=TZ)
DEADLINE = OPENED + timedelta(minutes=6)  # 10 questions × 30 s + 60 s grace

Q1 = Question(
    row=2,
    text="Chỉ thị 05-CT/TW về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh "
    "được ban hành năm nào?",
    options=("2014", "2016", "2018", "2020"),
    answer=frozenset({"B"}),
)
Q2 = Question(
    row=3,
    text="Đảng bộ tỉnh có bao nhiêu tổ chức cơ sở đảng?",
    options=("980", "1120", "1250"),
    answer=frozenset({"B"}),
    points=2,
)
Q3 = Question(
    row=4,
    text="Những nội dung nào thuộc nhiệm vụ của chi bộ?",
    options=("Giáo dục đảng viên", "Quản lý ngân sách tỉnh", "Kết nạp đảng viên", "Xét xử"),
    answer=frozenset({"A", "C"}),
)
QUESTIONS = (Q1, Q2, Q3)  # 4 points in all
ALL_RIGHT = {Q1.key: frozenset({"B"}), Q2.key: frozenset({"B"}), Q3.key: frozenset({"A", "C"})}

AN = Member(row=2, name="Nguyễn Văn An", email="an.nguyen@example.vn")
BINH = Member(row=3, name="Trần Thị Bình", email="binh@example.vn")
CUONG = Member(row=4, name="Lê Quốc Cường")
DUNG = Member(row=5, name="Phạm Đức Dũng", email="dung@example.vn")
MEMBERS = (AN, BINH, CUONG, DUNG)


def at(minutes: float) -> datetime:
    return OPENED + timedelta(minutes=minutes)


def sub(
    respondent: str,
    minutes: float,
    answers: Mapping[str, frozenset[str]] | None = None,
    **fields: object,
) -> Submission:
    return Submission(
        respondent=respondent,
        submitted_at=at(minutes),
        answers=dict(ALL_RIGHT if answers is None else answers),
        **fields,  # type: ignore[arg-type]
    )


def rank(
    submissions: Sequence[Submission],
    members: Sequence[Member] = MEMBERS,
    **options: object,
) -> RoundResult:
    return rank_round(
        round_id="2023-03",
        questions=QUESTIONS,
        members=members,
        submissions=submissions,
        opened_at=OPENED,
        deadline=DEADLINE,
        **options,  # type: ignore[arg-type]
    )


def table(entries: Sequence[Entry]) -> list[tuple[int | None, str, float]]:
    return [(e.rank, e.name, e.score) for e in entries]


# --- rule 1: the score ---------------------------------------------------------------


def test_all_correct_is_ten() -> None:
    assert grade(QUESTIONS, ALL_RIGHT) == (10.0, 3)


def test_points_weigh_the_score() -> None:
    only_q2 = {Q2.key: frozenset({"B"}), Q1.key: frozenset({"A"})}
    assert grade(QUESTIONS, only_q2) == (5.0, 1)  # 2 of 4 points
    only_q1 = {Q1.key: frozenset({"B"})}
    assert grade(QUESTIONS, only_q1) == (2.5, 1)


def test_nothing_answered_is_zero() -> None:
    assert grade(QUESTIONS, {}) == (0.0, 0)
    assert grade((), {}) == (0.0, 0)


def test_multi_answer_needs_exactly_the_correct_options() -> None:
    assert grade(QUESTIONS, {Q3.key: frozenset({"A", "C"})}) == (2.5, 1)
    assert grade(QUESTIONS, {Q3.key: frozenset({"A"})}) == (0.0, 0)
    assert grade(QUESTIONS, {Q3.key: frozenset({"A", "B", "C"})}) == (0.0, 0)
    assert grade(QUESTIONS, {Q3.key: frozenset({"A", "C", UNKNOWN_OPTION})}) == (0.0, 0)


def test_scores_round_half_up_to_two_decimals() -> None:
    thirds = tuple(
        Question(row=r, text=f"q{r}", options=("x", "y"), answer=frozenset({"A"})) for r in range(3)
    )
    two = {thirds[0].key: frozenset({"A"}), thirds[1].key: frozenset({"A"})}
    assert grade(thirds, two) == (6.67, 2)
    sixteenths = (
        Question(row=1, text="one", options=("x", "y"), answer=frozenset({"A"})),
        Question(row=2, text="fifteen", options=("x", "y"), answer=frozenset({"A"}), points=15),
    )
    # 1/16 × 10 = 0.625 exactly: half up gives 0.63 (binary rounding would give 0.62)
    assert grade(sixteenths, {"one": frozenset({"A"})}) == (0.63, 1)


def test_answers_to_questions_not_in_the_round_are_ignored() -> None:
    answers = {**ALL_RIGHT, "một câu khác": frozenset({"A"})}
    assert grade(QUESTIONS, answers) == (10.0, 3)


# --- mapping a form response ---------------------------------------------------------


def response(answers: Mapping[str, Sequence[str]], **fields: object) -> FormResponse:
    defaults: dict[str, object] = {
        "response_id": "r1",
        "respondent": AN.name,
        "submitted_at": at(2),
    }
    defaults.update(fields)
    return FormResponse(answers=answers, **defaults)  # type: ignore[arg-type]


def test_a_response_maps_titles_and_option_texts_to_keys_and_letters() -> None:
    started = at(0.5)
    got = to_submission(
        response(
            {
                Q1.text: ("2016",),
                Q2.text: ("1120",),
                Q3.text: ("Kết nạp đảng viên", "Giáo dục đảng viên"),
            },
            started_at=started,
        ),
        QUESTIONS,
    )
    assert got == Submission(
        respondent=AN.name,
        submitted_at=at(2),
        answers=ALL_RIGHT,
        started_at=started,
        response_id="r1",
    )


def test_titles_and_options_match_after_normalisation() -> None:
    title = "  " + unicodedata.normalize("NFD", Q3.text.upper()).replace(" ", "   ") + " "
    option = unicodedata.normalize("NFD", "GIÁO  DỤC đảng viên ")
    got = to_submission(response({title: [option, "kết nạp đảng viên"]}), QUESTIONS)
    assert got.answers == {Q3.key: frozenset({"A", "C"})}


def test_unknown_titles_are_ignored_and_blank_answers_left_out() -> None:
    got = to_submission(
        response({"Họ và tên": ("Nguyễn Văn An",), Q1.text: (), Q2.text: ("", " ")}),
        QUESTIONS,
    )
    assert got.answers == {}


def test_an_unknown_option_text_makes_the_answer_wrong() -> None:
    got = to_submission(
        response(
            {Q1.text: ("2017",), Q3.text: ("Giáo dục đảng viên", "Kết nạp đảng viên", "Khác")}
        ),
        QUESTIONS,
    )
    assert got.answers == {
        Q1.key: frozenset({UNKNOWN_OPTION}),
        Q3.key: frozenset({"A", "C", UNKNOWN_OPTION}),
    }
    assert grade(QUESTIONS, got.answers) == (0.0, 0)


def test_the_answer_key_follows_the_questions_given() -> None:
    fixed = Question(row=2, text=Q1.text, options=Q1.options, answer=frozenset({"A"}))
    answers = to_submission(response({Q1.text: ("2014",)}), QUESTIONS).answers
    assert grade(QUESTIONS, answers) == (0.0, 0)
    assert grade((fixed, Q2, Q3), answers) == (2.5, 1)  # rule 2: a fixed key re-grades
    assert grade(QUESTIONS, answers) == (0.0, 0)


# --- rules 3 to 7 --------------------------------------------------------------------


def test_a_plain_round() -> None:
    result = rank(
        [
            sub(BINH.name, 3, {Q1.key: frozenset({"B"})}),
            sub(AN.name, 4),
            sub(DUNG.name, 2, {Q2.key: frozenset({"B"}), Q3.key: frozenset({"C", "A"})}),
        ]
    )
    assert table(result.ranked) == [
        (1, AN.name, 10.0),
        (2, DUNG.name, 7.5),
        (3, BINH.name, 2.5),
    ]
    assert [e.correct for e in result.ranked] == [3, 2, 1]
    assert result.unranked == ()
    assert result.absent == (CUONG,)
    assert result.member_count == 4
    assert result.participants == 3
    assert [e.name for e in result.winners] == [AN.name]
    assert result.questions == QUESTIONS
    assert (result.round_id, result.opened_at, result.deadline) == ("2023-03", OPENED, DEADLINE)
    assert result.closed_at is None
    assert all(e.reason is None and e.member is not None for e in result.ranked)


def test_closed_at_is_carried() -> None:
    assert rank([], closed_at=at(7)).closed_at == at(7)


def test_late_submissions_are_listed_not_ranked() -> None:
    result = rank([sub(AN.name, 6.01), sub(BINH.name, 6), sub(CUONG.name, 5, {})])
    # at the deadline exactly is still in time
    assert table(result.ranked) == [(1, BINH.name, 10.0), (2, CUONG.name, 0.0)]
    assert [(e.name, e.reason, e.rank) for e in result.unranked] == [(AN.name, Reason.LATE, None)]
    assert result.unranked[0].score == 10.0  # graded, so the secretary sees it
    assert AN not in result.absent


def test_the_first_submission_counts_and_later_ones_are_repeated() -> None:
    first = sub(AN.name, 2, {Q1.key: frozenset({"A"})}, response_id="a")
    better = sub(AN.name, 3, response_id="b")
    result = rank([better, first])
    assert [(e.name, e.score, e.submission) for e in result.ranked] == [(AN.name, 0.0, first)]
    assert [(e.reason, e.submission) for e in result.unranked] == [(Reason.REPEATED, better)]
    assert result.participants == 1


def test_a_late_first_submission_makes_the_member_late_and_the_rest_repeated() -> None:
    result = rank([sub(AN.name, 8, response_id="b"), sub(AN.name, 7, response_id="a")])
    assert result.ranked == ()
    assert [(e.submission.response_id, e.reason) for e in result.unranked] == [
        ("a", Reason.LATE),
        ("b", Reason.REPEATED),
    ]
    assert result.absent == (BINH, CUONG, DUNG)


def test_sending_again_after_the_deadline_is_repeated_and_the_first_stays_ranked() -> None:
    result = rank([sub(AN.name, 1, {}), sub(AN.name, 9)])
    assert table(result.ranked) == [(1, AN.name, 0.0)]
    assert [e.reason for e in result.unranked] == [Reason.REPEATED]


def test_of_simultaneous_submissions_the_better_one_counts() -> None:
    worse = sub(AN.name, 2, {}, response_id="a")
    better = sub(AN.name.upper(), 2, {Q1.key: frozenset({"B"})}, response_id="b")
    for order in ([worse, better], [better, worse]):
        result = rank(order)
        assert [e.submission for e in result.ranked] == [better]
        assert [(e.submission, e.reason) for e in result.unranked] == [(worse, Reason.REPEATED)]


def test_respondents_who_are_not_members_are_listed_not_ranked() -> None:
    result = rank([sub("  Khách   mời ", 1), sub(AN.name, 2), sub("Khách mời", 9)])
    assert table(result.ranked) == [(1, AN.name, 10.0)]
    assert [(e.name, e.reason, e.member) for e in result.unranked] == [
        ("Khách mời", Reason.NOT_MEMBER, None),
        ("Khách mời", Reason.NOT_MEMBER, None),
    ]
    assert result.participants == 1


def test_names_match_across_unicode_forms_case_and_spaces() -> None:
    nfd = unicodedata.normalize("NFD", "  NGUYỄN   văn  AN ")
    tab = "Trần\tThị\u00a0Bình"
    result = rank([sub(nfd, 2), sub(tab, 3), sub("le quoc cuong", 4)])
    assert [(e.name, e.member) for e in result.ranked] == [(AN.name, AN), (BINH.name, BINH)]
    assert [e.reason for e in result.unranked] == [Reason.NOT_MEMBER]  # accents matter
    nfd_roster = Member(row=9, name=unicodedata.normalize("NFD", "Lê Quốc Cường"))
    assert [e.member for e in rank([sub("LÊ QUỐC CƯỜNG", 1)], [nfd_roster]).ranked] == [nfd_roster]


def test_email_identity_matches_the_member_email() -> None:
    result = rank(
        [
            sub(" An.Nguyen@Example.VN", 2),
            sub(BINH.name, 1),  # a name is not an email
            sub("stranger@example.vn", 3),
            sub("", 4),  # Cường has no email: a blank respondent matches nobody
        ],
        identity="email",
    )
    assert [(e.name, e.member) for e in result.ranked] == [(AN.name, AN)]
    assert [e.reason for e in result.unranked] == [Reason.NOT_MEMBER] * 3
    assert result.absent == (BINH, CUONG, DUNG)


def test_roster_identity_ignores_emails() -> None:
    result = rank([sub(AN.email, 1)])
    assert result.ranked == ()
    assert result.unranked[0].reason is Reason.NOT_MEMBER


def test_an_unknown_identity_is_refused() -> None:
    with pytest.raises(ValueError, match="identity"):
        rank([], identity="phone")


def test_the_exports_own_score_is_used_when_given() -> None:
    result = rank([sub(AN.name, 1, {}, score=8.0), sub(BINH.name, 2, score=6.665)])
    assert table(result.ranked) == [(1, AN.name, 8.0), (2, BINH.name, 6.67)]
    assert [e.correct for e in result.ranked] == [0, 3]  # still counted from the answers


def test_order_is_score_then_time_then_name_and_exact_ties_share_a_rank() -> None:
    half = {Q2.key: frozenset({"B"})}
    result = rank(
        [
            sub(DUNG.name, 3, half),
            sub(CUONG.name, 2, half),
            sub(BINH.name, 2),
            sub(AN.name, 2),
        ]
    )
    assert table(result.ranked) == [
        (1, AN.name, 10.0),
        (1, BINH.name, 10.0),
        (3, CUONG.name, 5.0),
        (4, DUNG.name, 5.0),
    ]
    assert len(result.winners) == 2


def test_name_order_is_by_normalised_name() -> None:
    lower = Member(row=2, name="an văn")
    upper = Member(row=3, name="Bình Văn")
    result = rank([sub("Bình Văn", 1), sub("an văn", 1)], [upper, lower])
    assert [e.name for e in result.ranked] == ["an văn", "Bình Văn"]
    assert [e.rank for e in result.ranked] == [1, 1]


def test_time_taken_runs_from_opening_or_from_the_members_own_start() -> None:
    result = rank(
        [
            sub(AN.name, 2.5),
            sub(BINH.name, 3, started_at=at(1)),
            sub(CUONG.name, 1, started_at=at(2)),  # a clock that ran backwards: never negative
            sub(DUNG.name, -0.5),
        ]
    )
    durations = {e.name: e.duration for e in result.ranked}
    assert durations == {
        AN.name: timedelta(minutes=2, seconds=30),
        BINH.name: timedelta(minutes=2),
        CUONG.name: timedelta(0),
        DUNG.name: timedelta(0),
    }


def test_unranked_entries_are_in_submission_order() -> None:
    result = rank([sub("X", 5), sub(AN.name, 7), sub("Y", 1), sub(AN.name, 8), sub(BINH.name, 0.5)])
    assert [(e.name, e.reason) for e in result.unranked] == [
        ("Y", Reason.NOT_MEMBER),
        ("X", Reason.NOT_MEMBER),
        (AN.name, Reason.LATE),
        (AN.name, Reason.REPEATED),
    ]


def test_absentees_are_in_roster_order() -> None:
    result = rank([sub(BINH.name, 1)], [DUNG, BINH, AN, CUONG])
    assert result.absent == (DUNG, AN, CUONG)
    assert rank([]).absent == MEMBERS


def test_timestamps_in_other_time_zones_compare_as_instants() -> None:
    utc = ZoneInfo("UTC")
    in_time = Submission(AN.name, DEADLINE.astimezone(utc), ALL_RIGHT)
    late = Submission(BINH.name, (DEADLINE + timedelta(microseconds=1)).astimezone(utc), ALL_RIGHT)
    result = rank([late, in_time])
    assert [e.name for e in result.ranked] == [AN.name]
    assert [e.reason for e in result.unranked] == [Reason.LATE]


# --- personal codes (rule 9) and edits after the deadline ---------------------------------

AN_CODED = replace(AN, code="4821")
BINH_CODED = replace(BINH, code="7730")


def test_a_wrong_code_is_listed_not_ranked_and_does_not_take_the_members_place() -> None:
    """An impostor picks Bình's name first; Bình's own later response still counts."""
    result = rank(
        [
            sub(BINH.name, 1, code="0000"),  # someone else, as Bình, with a guessed code
            sub(BINH.name, 3, {Q1.key: frozenset({"B"})}, code=" 7730 "),
            sub(AN.name, 2, code="4821"),
        ],
        [AN_CODED, BINH_CODED],
    )
    assert table(result.ranked) == [(1, AN.name, 10.0), (2, BINH.name, 2.5)]
    assert [(e.name, e.reason) for e in result.unranked] == [(BINH.name, Reason.WRONG_CODE)]


def test_codes_are_checked_only_when_the_form_asked_and_a_verdict_read_back_counts() -> None:
    result = rank(
        [
            sub(AN.name, 1),  # no code asked (an export without the question): not checked
            sub(BINH.name, 2, code_verdict=False),  # read back from Bài làm: it did not match
            sub(CUONG.name, 3, code=""),  # Cường has no code; a blank one matches it
        ],
        [AN_CODED, BINH_CODED, CUONG],
    )
    assert [e.name for e in result.ranked] == [AN.name, CUONG.name]
    assert [(e.name, e.reason) for e in result.unranked] == [(BINH.name, Reason.WRONG_CODE)]


def test_a_response_edited_after_the_deadline_is_listed_not_ranked() -> None:
    result = rank(
        [
            sub(AN.name, 2, edited_at=DEADLINE + timedelta(seconds=1)),
            sub(BINH.name, 2, edited_at=DEADLINE),  # edited at the deadline: still in time
        ]
    )
    assert [e.name for e in result.ranked] == [BINH.name]
    assert [(e.name, e.reason) for e in result.unranked] == [(AN.name, Reason.EDITED_LATE)]


# --- properties ----------------------------------------------------------------------

NAMES = (AN.name, BINH.name, CUONG.name, DUNG.name, "Khách")
LETTERS = st.frozensets(st.sampled_from("ABCD"), max_size=3)


@st.composite
def submissions(draw: st.DrawFn) -> list[Submission]:
    """Submissions, with twins: the same member at the same instant with the same answers,
    differing only in response id, start time, code or edit time, so that every field the
    ranking breaks ties on is exercised (the input order must never decide)."""
    count = draw(st.integers(min_value=0, max_value=12))
    result: list[Submission] = []
    for n in range(count):
        if result and draw(st.integers(min_value=0, max_value=3)) == 0:
            twin = draw(st.sampled_from(result))
            result.append(replace(twin, **draw(st.sampled_from([
                {"response_id": f"t{n}"},
                {"started_at": at(draw(st.integers(min_value=0, max_value=4)) / 4)},
                {"started_at": None},
                {"code": draw(st.sampled_from(("4821", "7730", "0000", "")))},
                {"code_verdict": draw(st.booleans())},
                {"edited_at": at(draw(st.integers(min_value=0, max_value=16)) / 2)},
            ]))))
            continue
        name = draw(st.sampled_from(NAMES))
        if draw(st.booleans()):
            name = unicodedata.normalize("NFD", name.upper())
        answers = {q.key: draw(LETTERS) for q in QUESTIONS if draw(st.booleans())}
        result.append(
            Submission(
                respondent=name,
                submitted_at=at(draw(st.integers(min_value=0, max_value=16)) / 2),
                answers={k: v for k, v in answers.items() if v},
                response_id=draw(st.sampled_from(("", f"r{n}"))),
                started_at=draw(st.sampled_from((None, at(0.5)))),
                code=draw(st.sampled_from((None, "4821", "0000"))),
            )
        )
    return result


def same(a: RoundResult, b: RoundResult) -> bool:
    return (a.ranked, a.unranked, set(a.absent), a.member_count) == (
        b.ranked,
        b.unranked,
        set(b.absent),
        b.member_count,
    )


@settings(max_examples=400)
@given(submissions(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(
    subs: list[Submission], rnd: random.Random
) -> None:
    members = [AN_CODED, BINH, CUONG, DUNG]
    expected = rank(subs, members)
    rnd.shuffle(subs)
    rnd.shuffle(members)
    assert same(rank(subs, members), expected)


@given(submissions())
def test_every_submission_is_listed_exactly_once(subs: list[Submission]) -> None:
    result = rank(subs)
    listed = [id(e.submission) for e in (*result.ranked, *result.unranked)]
    assert sorted(listed) == sorted(id(s) for s in subs)
    responded = {e.member for e in (*result.ranked, *result.unranked) if e.member}
    assert set(result.absent) == set(MEMBERS) - responded
    assert len({e.member for e in result.ranked}) == len(result.ranked)


@given(submissions())
def test_ranks_run_from_one_and_exact_ties_skip_the_next(subs: list[Submission]) -> None:
    ranked = rank(subs).ranked

    def order(e: Entry) -> tuple[float, datetime, str]:
        assert e.member is not None
        return (-e.score, e.submission.submitted_at, e.member.key)

    assert [order(e) for e in ranked] == sorted(order(e) for e in ranked)
    for position, entry in enumerate(ranked, start=1):
        tied = position > 1 and order(entry)[:2] == order(ranked[position - 2])[:2]
        assert entry.rank == (ranked[position - 2].rank if tied else position)


@given(submissions())
def test_scores_stay_within_zero_and_ten_and_match_grade(subs: list[Submission]) -> None:
    result = rank(subs)
    for entry in (*result.ranked, *result.unranked):
        assert 0.0 <= entry.score <= 10.0
        assert (entry.score, entry.correct) == grade(QUESTIONS, entry.submission.answers)
        assert entry.duration >= timedelta(0)


def _code_ok(submission: Submission, member: Member) -> bool:
    """Rule 9 as the contract words it, for checking the ranking against."""
    if submission.code_verdict is not None:
        return submission.code_verdict
    return submission.code is None or submission.code.strip() == member.code.strip()


@given(submissions())
def test_who_is_ranked_follows_rules_three_to_five_and_nine(subs: list[Submission]) -> None:
    members = {m.key: m for m in (AN_CODED, BINH, CUONG, DUNG)}
    result = rank(subs, list(members.values()))
    for entry in result.ranked:
        assert entry.submission.submitted_at <= DEADLINE
        assert entry.member is not None
        mine = [s for s in subs if entry.member.key == _key(s.respondent)
                and _code_ok(s, entry.member)]
        assert entry.submission.submitted_at == min(s.submitted_at for s in mine)
        assert _code_ok(entry.submission, entry.member)
    for entry in result.unranked:
        if entry.reason is Reason.NOT_MEMBER:
            assert entry.member is None
            assert _key(entry.submission.respondent) not in members
        elif entry.reason is Reason.WRONG_CODE:
            assert entry.member is None
            claimed = members[_key(entry.submission.respondent)]
            assert not _code_ok(entry.submission, claimed)
        elif entry.reason is Reason.LATE:
            assert entry.submission.submitted_at > DEADLINE


def _key(name: str) -> str:
    return Member(row=0, name=name).key


@settings(max_examples=150)
@given(submissions(), st.data())
def test_one_more_correct_answer_never_ranks_a_member_lower(
    subs: list[Submission], data: st.DataObject
) -> None:
    before = rank(subs)
    improvable = [
        (e, q)
        for e in before.ranked
        for q in QUESTIONS
        if e.submission.answers.get(q.key) != q.answer
    ]
    if not improvable:
        return
    entry, question = data.draw(st.sampled_from(improvable))
    better = Submission(
        respondent=entry.submission.respondent,
        submitted_at=entry.submission.submitted_at,
        answers={**entry.submission.answers, question.key: question.answer},
        started_at=entry.submission.started_at,
        response_id=entry.submission.response_id,
    )
    after = rank([better if s is entry.submission else s for s in subs])
    new = next(e for e in after.ranked if e.member == entry.member)
    assert new.submission is better
    assert new.score > entry.score
    assert new.correct == entry.correct + 1
    assert new.rank is not None and entry.rank is not None and new.rank <= entry.rank
