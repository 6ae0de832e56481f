"""LocalForms: the offline Forms backend over a real SQLite file."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from automation.localforms import (
    MAX_ATTEMPTS,
    FormState,
    LocalForms,
    Outcome,
    Refusal,
    Refused,
    form_score,
)
from automation.model import Member, Question, Reason
from automation.ports import FormQuestion, FormSpec, InputError
from automation.ranking import rank_round, to_submission

VN = timezone(timedelta(hours=7))
START = datetime(2026, 3, 5, 8, 0, tzinfo=VN)
MEMBERS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Quang Qui")

Q1 = Question(row=2, text="Quy định số 1120 được ban hành ngày nào?",
              options=("01-6-2022", "13-7-2022", "01-01-2023"), answer=frozenset("A"),
              explanation="Quy định 1120 ngày 01-6-2022 của Ban Chấp hành Đảng bộ tỉnh.")
Q2 = Question(row=3, text="Những văn bản nào chi bộ đã tìm hiểu?",
              options=("Chỉ thị số 22", "Kết luận số 01", "Luật Đất đai"),
              answer=frozenset("AB"), points=2)
QUESTIONS = (Q1, Q2)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def form_question(question: Question) -> FormQuestion:
    return FormQuestion(title=question.text, options=question.options, multi=question.multi,
                        points=question.points, correct=question.correct_texts,
                        explanation=question.explanation)


def spec(owner: str = "quiz.xlsx", round_id: str = "2026-03", **changes: object) -> FormSpec:
    base = FormSpec(
        round_id=round_id, owner=owner, title="Thi trắc nghiệm tháng 3",
        description="Tìm hiểu Chỉ thị số 22 và Quy định số 1120",
        identity="roster", member_names=MEMBERS,
        questions=tuple(form_question(q) for q in QUESTIONS),
        shuffle_options=True, seconds_allowed=60,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


RIGHT = {Q1.text: ["01-6-2022"], Q2.text: ["Chỉ thị số 22", "Kết luận số 01"]}
HALF = {Q1.text: ["01-6-2022"], Q2.text: ["Chỉ thị số 22"]}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def forms(tmp_path: Path, clock: Clock) -> Iterator[LocalForms]:
    store = LocalForms(tmp_path / "quiz.forms.sqlite", public_url="http://10.0.0.5:8080/",
                       clock=clock)
    yield store
    store.close_db()


def opened(forms: LocalForms, clock: Clock, **changes: object) -> str:
    ref = forms.build(spec(**changes))
    forms.open(ref.form_id, timedelta(minutes=2))
    return ref.form_id


def test_build_is_idempotent_per_owner_and_round(forms: LocalForms) -> None:
    first = forms.build(spec())
    assert forms.build(spec(round_id=" 2026-03 ")) == first
    assert first.url == f"http://10.0.0.5:8080/f/{first.form_id}"
    other_round = forms.build(spec(round_id="2026-04"))
    other_owner = forms.build(spec(owner="other.xlsx"))
    assert len({first.form_id, other_round.form_id, other_owner.form_id}) == 3


def test_rebuilding_replaces_questions_until_opened(forms: LocalForms, clock: Clock) -> None:
    ref = forms.build(spec())
    forms.build(spec(title="Sửa tiêu đề"))
    assert forms.form(ref.form_id).spec.title == "Sửa tiêu đề"  # type: ignore[union-attr]
    forms.open(ref.form_id, timedelta(minutes=2))
    forms.build(spec(title="Quá muộn"))
    stored = forms.form(ref.form_id)
    assert stored is not None and stored.spec == spec(title="Sửa tiêu đề")


def test_not_accepting_then_accepting_then_closed(forms: LocalForms, clock: Clock) -> None:
    ref = forms.build(spec())
    with pytest.raises(Refused) as refused:
        forms.start(ref.form_id, MEMBERS[0])
    assert refused.value.reason is Refusal.NOT_OPEN
    with pytest.raises(Refused):
        forms.submit(ref.form_id, MEMBERS[0], RIGHT)

    forms.open(ref.form_id, timedelta(minutes=2))
    form = forms.form(ref.form_id)
    assert form is not None and form.state is FormState.OPEN and form.opened_at == clock()
    assert forms.submit(ref.form_id, MEMBERS[0], RIGHT).outcome is Outcome.ACCEPTED

    clock.advance(seconds=30)
    forms.close(ref.form_id)
    with pytest.raises(Refused) as refused:
        forms.submit(ref.form_id, MEMBERS[1], RIGHT)
    assert refused.value.reason is Refusal.CLOSED
    assert [r.respondent for r in forms.responses(ref.form_id)] == [MEMBERS[0]]
    closed = forms.form(ref.form_id)
    assert closed is not None and closed.closed_at == clock()
    assert not closed.finished(clock())  # closed early: the key waits for the deadline
    clock.advance(minutes=2)
    assert closed.finished(clock())


def test_started_at_is_the_first_opening(forms: LocalForms, clock: Clock) -> None:
    form_id = opened(forms, clock)
    clock.advance(seconds=5)
    who, started = forms.start(form_id, "  nguyễn  văn an ")
    assert who == MEMBERS[0] and started == clock()
    clock.advance(seconds=10)
    assert forms.start(form_id, MEMBERS[0])[1] == started
    clock.advance(seconds=12)
    receipt = forms.submit(form_id, MEMBERS[0], RIGHT)
    assert receipt.started_at == started and receipt.submitted_at == clock()
    (response,) = forms.responses(form_id)
    assert response.started_at == started
    assert response.answers == {Q1.text: ("01-6-2022",),
                                Q2.text: ("Chỉ thị số 22", "Kết luận số 01")}


def test_repeated_and_late_are_recorded_and_ranked_as_such(forms: LocalForms,
                                                           clock: Clock) -> None:
    form_id = opened(forms, clock)
    form = forms.form(form_id)
    assert form is not None and form.deadline is not None
    clock.advance(seconds=20)
    assert forms.submit(form_id, MEMBERS[1], HALF).outcome is Outcome.ACCEPTED
    clock.advance(seconds=5)
    assert forms.submit(form_id, MEMBERS[1], RIGHT).outcome is Outcome.REPEATED
    clock.advance(seconds=5)
    assert forms.submit(form_id, MEMBERS[0], RIGHT).outcome is Outcome.ACCEPTED
    assert not form.finished(clock())
    clock.now = form.deadline + timedelta(seconds=1)
    assert form.finished(clock())  # open past the deadline: the key may be shown
    late = forms.submit(form_id, MEMBERS[2], RIGHT)
    assert late.outcome is Outcome.LATE

    first = forms.first_response(form_id, MEMBERS[1])
    assert first is not None and first.answers[Q2.text] == ("Chỉ thị số 22",)
    submissions = [to_submission(r, QUESTIONS) for r in forms.responses(form_id)]
    result = rank_round(
        round_id="2026-03", questions=QUESTIONS,
        members=[Member(i + 2, name) for i, name in enumerate(MEMBERS)],
        submissions=submissions, opened_at=START, deadline=form.deadline,
    )
    assert [(e.name, e.rank, e.score) for e in result.ranked] == [
        (MEMBERS[0], 1, 10.0), (MEMBERS[1], 2, 3.33)]
    assert sorted((e.name, e.reason) for e in result.unranked) == [
        (MEMBERS[2], Reason.LATE), (MEMBERS[1], Reason.REPEATED)]


def test_closing_by_hand_before_the_deadline_records_nothing(forms: LocalForms,
                                                            clock: Clock) -> None:
    form_id = opened(forms, clock)
    forms.close(form_id)
    with pytest.raises(Refused):
        forms.submit(form_id, MEMBERS[0], RIGHT)
    clock.advance(minutes=5)  # past the deadline: recorded as late, as Google would list it
    assert forms.submit(form_id, MEMBERS[0], RIGHT).outcome is Outcome.LATE


@pytest.mark.parametrize(
    ("who", "answers", "reason"),
    [
        ("Người Lạ", RIGHT, Refusal.UNKNOWN_MEMBER),
        ("", RIGHT, Refusal.UNKNOWN_MEMBER),
        (MEMBERS[0], {"Câu hỏi không có": ["01-6-2022"]}, Refusal.BAD_ANSWER),
        (MEMBERS[0], {Q1.text: ["31-12-2099"]}, Refusal.BAD_ANSWER),
        (MEMBERS[0], {Q1.text: ["01-6-2022", "13-7-2022"]}, Refusal.BAD_ANSWER),
    ],
)
def test_refused_submissions_leave_nothing(forms: LocalForms, clock: Clock, who: str,
                                           answers: dict[str, list[str]],
                                           reason: Refusal) -> None:
    form_id = opened(forms, clock)
    with pytest.raises(Refused) as refused:
        forms.submit(form_id, who, answers)
    assert refused.value.reason is reason
    assert forms.responses(form_id) == []


def test_attempts_per_member_are_capped(forms: LocalForms, clock: Clock) -> None:
    form_id = opened(forms, clock)
    for _ in range(MAX_ATTEMPTS):
        forms.submit(form_id, MEMBERS[0], RIGHT)
    with pytest.raises(Refused) as refused:
        forms.submit(form_id, MEMBERS[0], RIGHT)
    assert refused.value.reason is Refusal.TOO_MANY
    assert len(forms.responses(form_id)) == MAX_ATTEMPTS


def test_email_identity(forms: LocalForms, clock: Clock) -> None:
    listed = opened(forms, clock, identity="email", member_emails=("an@chibo.vn",))
    assert forms.start(listed, " AN@chibo.vn ")[0] == "AN@chibo.vn"
    for bad in ("binh@chibo.vn", "not an email", "a@b"):
        with pytest.raises(Refused):
            forms.start(listed, bad)
    anyone = opened(forms, clock, identity="email", round_id="2026-04")
    assert forms.submit(anyone, "khach@example.org", RIGHT).respondent == "khach@example.org"


def test_everything_survives_a_new_store_on_the_same_file(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "quiz.forms.sqlite"
    first = LocalForms(path, public_url="http://a", clock=clock)
    form_id = opened(first, clock)
    first.start(form_id, MEMBERS[0])
    first.submit(form_id, MEMBERS[0], RIGHT)
    secret = first.secret("session")
    first.close_db()

    again = LocalForms(path, public_url="http://b", clock=clock)
    assert again.build(spec()).form_id == form_id
    assert again.secret("session") == secret
    again.submit(form_id, MEMBERS[1], HALF)
    assert {r.respondent for r in again.responses(form_id)} == set(MEMBERS[:2])
    assert again.url(form_id) == f"http://b/f/{form_id}"
    again.close_db()


def test_concurrent_submissions_are_all_kept(forms: LocalForms, clock: Clock) -> None:
    names = tuple(f"Đảng viên {i:02d}" for i in range(40))
    form_id = opened(forms, clock, member_names=names)
    errors: list[BaseException] = []

    def member(name: str) -> None:
        try:
            forms.start(form_id, name)
            forms.submit(form_id, name, RIGHT)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=member, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.respondent for r in forms.responses(form_id)) == sorted(names)


def test_unknown_form_and_naive_clock(forms: LocalForms, tmp_path: Path) -> None:
    for call in (lambda: forms.open("nope", timedelta(0)), lambda: forms.close("nope"),
                 lambda: forms.responses("nope")):
        with pytest.raises(InputError, match="nope"):
            call()
    naive = LocalForms(tmp_path / "naive.sqlite", public_url="",
                       clock=lambda: datetime(2026, 3, 5, 8, 2))  # naive on purpose
    with pytest.raises(ValueError, match="timezone"):
        naive.build(spec())


def test_form_score_matches_the_ranking_rules() -> None:
    built = spec()
    assert form_score(built, RIGHT) == (10.0, 2)
    assert form_score(built, HALF) == (3.33, 1)
    assert form_score(built, {Q2.text: ["Chỉ thị số 22", "Kết luận số 01"]}) == (6.67, 1)
    assert form_score(built, {}) == (0.0, 0)
