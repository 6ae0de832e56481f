"""LocalForms: the offline Forms backend over a real SQLite file."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from automation.localforms import (
    MAX_ATTEMPTS,
    MAX_CODES,
    MAX_TEXT,
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


def test_a_closed_form_records_nothing_before_or_after_its_deadline(forms: LocalForms,
                                                                    clock: Clock) -> None:
    form_id = opened(forms, clock)
    forms.close(form_id)
    with pytest.raises(Refused) as early:
        forms.submit(form_id, MEMBERS[0], RIGHT)
    clock.advance(minutes=5)  # past the deadline and closed: refused, as Google refuses
    with pytest.raises(Refused) as late:
        forms.submit(form_id, MEMBERS[1], RIGHT)
    assert early.value.reason is late.value.reason is Refusal.CLOSED
    assert forms.responses(form_id) == []


def test_late_is_recorded_between_the_deadline_and_the_close_only(forms: LocalForms,
                                                                  clock: Clock) -> None:
    form_id = opened(forms, clock)
    clock.advance(minutes=2, seconds=1)  # the deadline has passed; the tick has not closed yet
    assert forms.submit(form_id, MEMBERS[0], RIGHT).outcome is Outcome.LATE
    forms.close(form_id)
    with pytest.raises(Refused):
        forms.submit(form_id, MEMBERS[1], RIGHT)
    assert [r.respondent for r in forms.responses(form_id)] == [MEMBERS[0]]


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


# --- fairness of the record: the close, the clock, the file ----------------------


def test_a_submission_racing_the_close_is_recorded_before_it_or_refused(tmp_path: Path) -> None:
    """What the ranking reads right after the close holds every submission a member was
    told was received, and nothing is recorded once the form is closed."""
    forms = LocalForms(tmp_path / "race.sqlite", public_url="", clock=lambda: datetime.now(VN))
    names = tuple(f"Đảng viên {i:02d}" for i in range(40))
    ref = forms.build(spec(member_names=names))
    forms.open(ref.form_id, timedelta(minutes=5))
    receipts: list[str] = []
    refused: list[Refusal] = []
    seen_at_close: list[str] = []
    go = threading.Barrier(len(names) + 1)

    def member(name: str) -> None:
        go.wait()
        try:
            receipts.append(forms.submit(ref.form_id, name, RIGHT).response_id)
        except Refused as refusal:
            refused.append(refusal.reason)

    def secretary() -> None:
        go.wait()
        while len(receipts) < 5:  # close in the middle of the rush
            time.sleep(0.001)
        forms.close(ref.form_id)
        seen_at_close.extend(r.response_id for r in forms.responses(ref.form_id))

    threads = [threading.Thread(target=member, args=(name,)) for name in names]
    threads.append(threading.Thread(target=secretary))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"race with the close: {len(receipts)} received, {len(refused)} refused")
    assert len(receipts) + len(refused) == len(names) and set(refused) <= {Refusal.CLOSED}
    assert set(receipts) <= set(seen_at_close)  # nobody told "received" is missing
    assert [r.response_id for r in forms.responses(ref.form_id)] == seen_at_close
    forms.close_db()


def test_a_clock_set_back_reorders_nobody(forms: LocalForms, clock: Clock) -> None:
    form_id = opened(forms, clock)
    clock.advance(seconds=30)
    first = forms.submit(form_id, MEMBERS[0], RIGHT)
    clock.advance(hours=-1)  # the system clock is set back an hour
    second = forms.submit(form_id, MEMBERS[1], RIGHT)
    third = forms.submit(form_id, MEMBERS[2], RIGHT)
    assert first.submitted_at < second.submitted_at < third.submitted_at
    form = forms.form(form_id)
    assert form is not None and form.deadline is not None
    result = rank_round(
        round_id="2026-03", questions=QUESTIONS,
        members=[Member(i + 2, name) for i, name in enumerate(MEMBERS)],
        submissions=[to_submission(r, QUESTIONS) for r in forms.responses(form_id)],
        opened_at=START, deadline=form.deadline,
    )
    # equal scores: the order of arrival, not the clock's jump, decides
    assert [(e.name, e.rank) for e in result.ranked] == [
        (MEMBERS[0], 1), (MEMBERS[1], 2), (MEMBERS[2], 3)]


def test_the_file_and_its_wal_and_shm_are_readable_by_the_owner_only(
        tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "quiz.forms.sqlite"
    forms = LocalForms(path, public_url="", clock=clock)
    form_id = opened(forms, clock)
    forms.submit(form_id, MEMBERS[0], RIGHT)
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert files == {path.name: 0o600, path.name + "-wal": 0o600, path.name + "-shm": 0o600}
    forms.close_db()

    path.chmod(0o644)  # made by an earlier version, or copied around
    again = LocalForms(path, public_url="", clock=clock)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again.close_db()


def test_a_damaged_file_is_named_when_the_store_opens(tmp_path: Path, clock: Clock) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all " * 500)
    damaged = tmp_path / "damaged.sqlite"
    store = LocalForms(damaged, public_url="", clock=clock)
    form_id = opened(store, clock)
    for name in MEMBERS:
        store.submit(form_id, name, RIGHT)
    store.close_db()
    with damaged.open("r+b") as file:  # a disk error wiped everything after the first page
        file.seek(4096)
        file.write(b"\xff" * (damaged.stat().st_size - 4096))
    a_folder = tmp_path / "a folder.sqlite"
    a_folder.mkdir()
    a_file = tmp_path / "a file"
    a_file.write_text("x")
    for path in (garbage, damaged, a_folder, a_file / "quiz.forms.sqlite"):
        with pytest.raises(InputError) as problem:
            LocalForms(path, public_url="", clock=clock)
        assert str(path) in str(problem.value) and "\n" not in str(problem.value)
    assert a_folder.is_dir() and stat.S_IMODE(a_folder.stat().st_mode) != 0o600


def test_a_file_broken_while_in_use_is_named(forms: LocalForms, clock: Clock) -> None:
    form_id = opened(forms, clock)
    forms.submit(form_id, MEMBERS[0], RIGHT)
    with sqlite3.connect(forms.db_path) as other:  # another program mangles the file
        other.execute("ALTER TABLE submissions RENAME TO something_else")
    for use in (lambda: forms.responses(form_id),
                lambda: forms.submit(form_id, MEMBERS[1], RIGHT),
                lambda: forms.first_response(form_id, MEMBERS[0])):
        with pytest.raises(InputError, match=re.escape(str(forms.db_path))):
            use()


def test_codes_and_where_it_came_from_are_kept_and_returned(forms: LocalForms,
                                                             clock: Clock) -> None:
    form_id = opened(forms, clock, ask_code=True)
    token = forms.keep_code(form_id, MEMBERS[0], " 12a-B ")
    other_phone = forms.keep_code(form_id, MEMBERS[0], "wrong")
    assert forms.kept_code(form_id, MEMBERS[0], token) == " 12a-B "  # as typed
    assert forms.kept_code(form_id, MEMBERS[1], token) is None  # another name: nothing
    assert forms.kept_code(form_id, MEMBERS[0], other_phone) == "wrong"
    forms.submit(form_id, MEMBERS[0], RIGHT, code=" 12a-B ", client_addr="192.168.1.23",
                 device="3f9a2c0b1d2e4f50")
    forms.submit(form_id, MEMBERS[1], HALF)
    first, second = forms.responses(form_id)
    assert (first.code, first.client) == (" 12a-B ", "192.168.1.23 · 3f9a2c")
    assert (second.code, second.client) == (None, "")
    with pytest.raises(Refused):
        forms.keep_code(form_id, MEMBERS[2], "x" * 65)
    for _ in range(MAX_CODES - 2):
        forms.keep_code(form_id, MEMBERS[0], "again")
    with pytest.raises(Refused) as too_many:
        forms.keep_code(form_id, MEMBERS[0], "again")
    assert too_many.value.reason is Refusal.TOO_MANY


def test_a_file_from_the_first_version_is_brought_up_to_date(tmp_path: Path,
                                                             clock: Clock) -> None:
    path = tmp_path / "old.forms.sqlite"
    with sqlite3.connect(path) as old:  # the schema as the first release made it
        old.executescript(FIRST_SCHEMA)
        old.execute("INSERT INTO forms VALUES ('f1', 'quiz.xlsx', '2026-03', ?, 'open', ?, ?, "
                    "?, NULL)", (json.dumps(asdict(spec()), ensure_ascii=False),
                                 START.isoformat(), (START + timedelta(minutes=2)).isoformat(),
                                 START.isoformat()))
        old.execute("INSERT INTO submissions VALUES ('r1', 'f1', ?, ?, ?, NULL, ?, 'accepted')",
                    (MEMBERS[0].casefold(), MEMBERS[0], START.isoformat(),
                     json.dumps(RIGHT, ensure_ascii=False)))
    forms = LocalForms(path, public_url="", clock=clock)
    (kept,) = forms.responses("f1")
    assert (kept.respondent, kept.code, kept.client) == (MEMBERS[0], None, "")
    assert forms.submit("f1", MEMBERS[1], HALF, client_addr="10.0.0.9").outcome \
        is Outcome.ACCEPTED
    assert [r.client for r in forms.responses("f1")] == ["", "10.0.0.9"]
    forms.close_db()


FIRST_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE forms (form_id TEXT PRIMARY KEY, owner TEXT NOT NULL, round_key TEXT NOT NULL,
    spec TEXT NOT NULL, state TEXT NOT NULL, built_at TEXT NOT NULL, deadline TEXT,
    opened_at TEXT, closed_at TEXT, UNIQUE (owner, round_key));
CREATE TABLE starts (form_id TEXT NOT NULL REFERENCES forms(form_id), member_key TEXT NOT NULL,
    respondent TEXT NOT NULL, started_at TEXT NOT NULL, PRIMARY KEY (form_id, member_key));
CREATE TABLE submissions (response_id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES forms(form_id), member_key TEXT NOT NULL,
    respondent TEXT NOT NULL, submitted_at TEXT NOT NULL, started_at TEXT, answers TEXT NOT NULL,
    outcome TEXT NOT NULL);
"""

CRITERIA = (
    FormQuestion(title="1. Tư tưởng chính trị", options=("Đạt", "Chưa đạt"), multi=False,
                 points=0, correct=()),
    FormQuestion(title="2. Đạo đức, lối sống", options=("Đạt", "Chưa đạt"), multi=False,
                 points=0, correct=()),
    FormQuestion(title="Nhận xét", options=(), multi=False, points=0, correct=(),
                 kind="text", required=False),
)


def survey_spec(**changes: object) -> FormSpec:
    return spec(round_id="tu-danh-gia-2026-03", kind="survey", questions=CRITERIA,
                title="Tự đánh giá tháng 3/2026", **changes)


def test_a_survey_takes_free_answers_and_ends_at_its_deadline(forms: LocalForms,
                                                               clock: Clock) -> None:
    ref = forms.build(survey_spec())
    closes = clock() + timedelta(days=5)
    assert forms.open(ref.form_id, closes - clock()) == clock()  # opens now, for 5 days
    with pytest.raises(Refused) as missing:  # a required criterion left blank
        forms.submit(ref.form_id, MEMBERS[0], {CRITERIA[0].title: ["Đạt"]})
    assert missing.value.reason is Refusal.MISSING_ANSWER
    with pytest.raises(Refused):
        forms.submit(ref.form_id, MEMBERS[0], {CRITERIA[0].title: ["Đạt"],
                                               CRITERIA[1].title: ["Đạt"],
                                               CRITERIA[2].title: ["x" * (MAX_TEXT + 1)]})
    clock.advance(days=2)
    typed = "  Cần cố gắng hơn\r\nvề học tập.\x00\x1b[2J  "
    receipt = forms.submit(ref.form_id, MEMBERS[0], {CRITERIA[0].title: ["Đạt"],
                                                     CRITERIA[1].title: ["Chưa đạt"],
                                                     CRITERIA[2].title: [typed]})
    assert receipt.outcome is Outcome.ACCEPTED
    forms.submit(ref.form_id, MEMBERS[1], {CRITERIA[0].title: ["Đạt"],
                                           CRITERIA[1].title: ["Đạt"]})  # no comment: fine
    clock.now = closes + timedelta(seconds=1)  # past its deadline, not yet closed: over
    with pytest.raises(Refused) as over:
        forms.submit(ref.form_id, MEMBERS[2], {CRITERIA[0].title: ["Đạt"],
                                               CRITERIA[1].title: ["Đạt"]})
    assert over.value.reason is Refusal.CLOSED
    first, second = forms.responses(ref.form_id)
    assert first.answers[CRITERIA[2].title] == ("Cần cố gắng hơn\nvề học tập.[2J",)
    assert CRITERIA[2].title not in second.answers
    assert form_score(survey_spec(), first.answers) == (0.0, 0)


def test_the_deadline_is_the_opening_plus_the_time_allowed(forms: LocalForms,
                                                           clock: Clock) -> None:
    """Rule 3: opening + questions × seconds + grace is the deadline the server enforces,
    and the opening time is kept to the millisecond, as the schedule keeps it."""
    ref = forms.build(spec(seconds_per_question=30, grace_seconds=60))
    clock.advance(seconds=0.4567891)
    opened = forms.open(ref.form_id, timedelta(seconds=2 * 30 + 60))
    form = forms.form(ref.form_id)
    assert form is not None and form.opened_at == opened
    assert opened == clock().replace(microsecond=clock().microsecond // 1000 * 1000)
    assert form.deadline == opened + timedelta(seconds=2 * 30 + 60)
    clock.advance(minutes=1)
    assert forms.open(ref.form_id, timedelta(minutes=5)) == opened  # idempotent
    assert forms.form(ref.form_id).deadline == opened + timedelta(seconds=2 * 30 + 60)
