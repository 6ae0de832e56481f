"""The web form over real HTTP: waitress on 127.0.0.1, members as MemberClient phones."""

from __future__ import annotations

import logging
import re
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automation.backends import forms_db
from automation.localforms import LocalForms
from automation.ports import FormQuestion, InputError
from automation.qr import qr_filename, save_png, terminal
from automation.webform import FormServer, MemberClient, public_base_url
from tests.localcell import LocalCell, local, question_rows
from tests.test_localforms import (
    CRITERIA,
    HALF,
    MEMBERS,
    Q1,
    Q2,
    RIGHT,
    Clock,
    spec,
    survey_spec,
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def forms(tmp_path: Path, clock: Clock) -> Iterator[LocalForms]:
    store = LocalForms(tmp_path / "quiz.forms.sqlite", public_url="", clock=clock)
    yield store
    store.close_db()


@pytest.fixture
def server(forms: LocalForms) -> Iterator[FormServer]:
    with FormServer(forms, threads=4) as running:
        yield running


def test_a_member_sees_when_it_was_received_then_the_score_after_the_deadline(
        server: FormServer, forms: LocalForms, clock: Clock) -> None:
    ref = forms.build(spec())
    assert ref.url.startswith(server.base_url + "/f/")
    phone = MemberClient(server.base_url)
    assert phone.open_form(ref.url).page == "not_open"

    forms.open(ref.form_id, timedelta(minutes=2))
    page = phone.open_form(ref.url)
    assert page.status == 200 and page.names == MEMBERS and page.page == "identify"
    clock.advance(seconds=10)
    quiz = phone.start(MEMBERS[0])
    assert [q.title for q in quiz.questions] == [Q1.text, Q2.text]
    assert sorted(quiz.questions[0].options) == sorted(Q1.options)
    assert quiz.seconds_left == 60
    clock.advance(seconds=25)
    assert phone.open_form(ref.url).seconds_left == 35  # reopening keeps the first start
    clock.advance(seconds=5)
    done = phone.submit(MEMBERS[0], RIGHT)
    assert done.status == 200 and done.page == "received"
    assert "Đã nhận bài của đồng chí lúc 08:00:40." in done.text
    assert "/10" not in done.text and "câu đúng" not in done.text
    assert phone.open_form(ref.url).text == done.text  # a refresh: the same receipt

    clock.advance(minutes=2)  # past the deadline: the same link shows the score
    review = phone.open_form(ref.url)
    assert review.page == "review"
    assert "10/10 (2/2 câu đúng), nộp lúc 05/03/2026 08:00:40" in review.text

    (response,) = forms.responses(ref.form_id)
    assert response.respondent == MEMBERS[0]
    assert response.submitted_at - response.started_at == timedelta(seconds=30)  # type: ignore[operator]


def test_times_are_shown_in_the_cells_zone_whatever_the_clock(tmp_path: Path) -> None:
    """A clock in UTC, the cell in Asia/Ho_Chi_Minh (UTC+7): members read 14:48, not 07:48."""
    clock = Clock(datetime(2026, 3, 5, 7, 47, 0, tzinfo=UTC))
    forms = LocalForms(tmp_path / "utc.sqlite", public_url="", clock=clock)
    opens = datetime(2026, 3, 5, 7, 48, 0, tzinfo=UTC)
    ref = forms.build(spec(timezone="Asia/Ho_Chi_Minh", opens_at=opens, seconds_per_question=30,
                           grace_seconds=60))
    with FormServer(forms) as server:
        phone = MemberClient(server.base_url)
        assert "mở lúc 05/03/2026 14:48:00" in phone.open_form(ref.url).text
        clock.now = opens
        forms.open(ref.form_id, timedelta(seconds=2 * 30 + 60))
        assert "Hạn nộp bài: 14:50:00." in phone.open_form(ref.url).text
        clock.advance(seconds=10)
        done = phone.submit(MEMBERS[0], HALF)
        assert "lúc 14:48:10" in done.text and "sau 14:50:00" in done.text
        clock.advance(minutes=3)
        assert "nộp lúc 05/03/2026 14:48:10" in phone.open_form(ref.url).text
    forms.close_db()


def test_the_answer_key_stays_on_the_server_until_the_round_is_over(
        server: FormServer, forms: LocalForms, clock: Clock) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    phone = MemberClient(server.base_url)
    phone.open_form(ref.url)
    phone.start(MEMBERS[1])
    html = _get(phone, ref.url)
    assert Q1.text in html and Q1.explanation not in html and "✓" not in html
    phone.submit(MEMBERS[1], HALF)
    assert Q1.explanation not in _get(phone, ref.url)

    forms.close(ref.form_id)  # closed early: still no key
    closed_early = phone.open_form(ref.url)
    assert "không còn nhận bài" in closed_early.text and Q1.explanation not in closed_early.html
    clock.advance(minutes=3)  # past the deadline
    review = phone.open_form(ref.url)
    assert "Kỳ thi đã kết thúc" in review.text and Q1.explanation in review.text
    assert "3.33/10" in review.text


def test_the_rules_are_stated_once_with_the_deadline_and_what_breaks_ties(
        server: FormServer, forms: LocalForms, clock: Clock) -> None:
    described = "Kỳ thi 2026-03: 2 câu hỏi, hạn nộp bài 08:05 (theo giờ dự kiến)."
    ref = forms.build(spec(description=described, seconds_per_question=30, grace_seconds=60))
    clock.advance(seconds=7)  # opened late: the deadline counts from the actual opening
    forms.open(ref.form_id, timedelta(seconds=2 * 30 + 60))
    page = MemberClient(server.base_url).open_form(ref.url)
    assert described not in page.text  # the description's rules are not repeated
    assert page.text.count("08:02:07") == 1  # 08:00:07 + 2 × 30 s + 60 s, said once
    assert "2 câu hỏi, mỗi câu 30 giây: thời gian làm bài 1 phút" in page.text
    assert "bằng điểm, ai nộp sớm hơn xếp trên" in page.text
    assert page.text.count("Hạn nộp bài") == 1


def test_the_deadline_members_read_is_the_one_the_results_tab_shows(tmp_path: Path) -> None:
    """Through the real tick: the round opens at 14:00:00 with 5 questions × 30 s and the
    default 60 s grace, so both the page and the Results tab say 14:03:30."""
    cell = LocalCell(tmp_path)
    assert cell.run("init") == 0
    cell.questions(question_rows(6))
    cell.members(["Nguyễn Văn An", "Trần Thị Bình"])
    opens = local("10/03/2023 14:00")
    cell.schedule([{"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5,
                    "seconds": 30}])
    assert cell.tick(opens - timedelta(hours=1)) == 0
    assert cell.tick(opens) == 0
    link = cell.rounds()["2023-03"]["form_link"]
    clock = Clock(opens + timedelta(seconds=5))
    forms = LocalForms(forms_db(cell.settings), public_url="", clock=clock)
    with FormServer(forms) as server:
        page = MemberClient(server.base_url).open_form("/f/" + link.rsplit("/", 1)[1])
    forms.close_db()
    assert "Hạn nộp bài: 14:03:30." in page.text  # 14:00:00 + 5 × 30 s + 60 s
    assert cell.tick(opens + timedelta(seconds=5 * 30 + 60)) == 0
    results = cell.tab("Kết quả 2023-03")
    deadline = next(row[i + 1] for row in results for i, cell_ in enumerate(row[:-1])
                    if cell_ == "Hạn nộp bài")
    assert deadline == opens.replace(tzinfo=None) + timedelta(seconds=5 * 30 + 60)


def test_the_not_yet_open_page_says_when_and_reloads_itself(server: FormServer,
                                                            forms: LocalForms,
                                                            clock: Clock) -> None:
    ref = forms.build(spec(opens_at=clock() + timedelta(minutes=10)))
    phone = MemberClient(server.base_url)
    waiting = phone.open_form(ref.url)
    assert waiting.page == "not_open" and "mở lúc 05/03/2026 08:10:00" in waiting.text
    assert waiting.refresh == 30
    clock.advance(minutes=9, seconds=55)
    assert phone.open_form(ref.url).refresh == 6  # the next reload lands just after opening
    headers = dict(phone.exchanges[-1].headers)
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", waiting.html)  # no inline script
    clock.advance(seconds=5)
    forms.open(ref.form_id, timedelta(minutes=2))
    assert phone.open_form(ref.url).page == "identify"  # the phone that waited just goes on


def test_options_are_shuffled_per_member_and_stable(server: FormServer, forms: LocalForms,
                                                    clock: Clock) -> None:
    options = ("A1", "B2", "C3", "D4", "E5", "F6")
    questions = tuple(
        replace_options(question, options) for question in spec().questions
    )
    names = tuple(f"Đảng viên {i}" for i in range(6))
    ref = forms.build(spec(questions=questions, member_names=names))
    forms.open(ref.form_id, timedelta(minutes=2))

    def order(name: str) -> tuple[str, ...]:
        phone = MemberClient(server.base_url)
        phone.open_form(ref.url)
        return phone.start(name).questions[0].options

    orders = [order(name) for name in names]
    assert order(names[0]) == orders[0]  # another phone, same member: same order
    assert len(set(orders)) > 1 and all(sorted(o) == list(options) for o in orders)


def replace_options(question: FormQuestion, options: tuple[str, ...]) -> FormQuestion:
    return replace(question, options=options, correct=(options[0],))


def test_repeated_late_and_closed_submissions(
        server: FormServer, forms: LocalForms, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    first = MemberClient(server.base_url)
    first.open_form(ref.url)
    assert first.submit(MEMBERS[0], RIGHT).status == 200
    clock.advance(seconds=3)
    again = first.submit(MEMBERS[0], HALF)
    assert again.status == 409 and "lần đầu (lúc 08:00:00) được tính" in again.text

    stranger = MemberClient(server.base_url)
    stranger.open_form(ref.url)
    assert stranger.start("Người Lạ").status == 400
    assert stranger.submit(MEMBERS[1], {Q1.text: ["31-12-2099"]}).status == 400
    no_token = stranger.post(ref.url + "/submit", [("csrf", "forged"), ("q0", "0")])
    assert no_token.status == 400 and "hết hạn" in no_token.text
    huge = stranger.post(ref.url + "/submit", [("q0", "0" * 200_000)])
    assert huge.status == 413

    clock.advance(minutes=3)  # past the deadline, the service has not closed it yet: late
    late = stranger.submit(MEMBERS[1], RIGHT)
    assert late.status == 403 and "nộp muộn" in late.text and "08:02:00" in late.text
    forms.close(ref.form_id)
    after_close = MemberClient(server.base_url)
    after_close.open_form(ref.url)
    refused = after_close.post(ref.url + "/submit", [("q0", "0")])
    assert refused.status in (400, 403)
    closed = first.post(ref.url + "/submit", [("q0", "0")])  # a phone still on the quiz page
    assert closed.status == 403 and "không được ghi lại" in closed.text
    kinds = [(r.respondent, r.answers == RIGHT_TUPLES) for r in forms.responses(ref.form_id)]
    assert kinds == [(MEMBERS[0], True), (MEMBERS[0], False), (MEMBERS[1], True)]
    assert "refused unknown_member 'Người Lạ'" in caplog.text
    assert "late submission by 'Trần Thị Bình'" in caplog.text


RIGHT_TUPLES = {title: tuple(texts) for title, texts in RIGHT.items()}


def test_a_survey_has_no_countdown_and_no_score_and_takes_a_comment(
        server: FormServer, forms: LocalForms, clock: Clock) -> None:
    ref = forms.build(survey_spec(description="Đồng chí tự đánh giá theo 6 tiêu chí."))
    closes = clock() + timedelta(days=5)
    forms.open(ref.form_id, closes - clock())
    phone = MemberClient(server.base_url)
    first = phone.open_form(ref.url)
    assert "Tự đánh giá đảng viên" in first.text and "đến 10/03/2026 08:00:00" in first.text
    assert "Đồng chí tự đánh giá theo 6 tiêu chí." in first.text and "xếp" not in first.text
    page = phone.start(MEMBERS[0])
    assert page.page == "survey" and page.seconds_left is None and "countdown" not in page.html
    assert [(q.kind, q.options) for q in page.questions] == [
        ("choice", ("Đạt", "Chưa đạt")), ("choice", ("Đạt", "Chưa đạt")), ("text", ())]
    assert ("q0", "radio") in page.fields and ("q2", "textarea") in page.fields
    assert re.search(r'<textarea name="q2"[^>]*maxlength="2000"', page.html)
    assert re.search(r'name="q0" value="0" data-text="Đạt" required', page.html)
    blank = phone.submit(MEMBERS[0], {CRITERIA[0].title: ["Đạt"]})
    assert blank.status == 400 and CRITERIA[1].title in blank.text
    clock.advance(days=1, hours=3, seconds=5)
    done = phone.submit(MEMBERS[0], {CRITERIA[0].title: ["Đạt"], CRITERIA[1].title: ["Chưa đạt"],
                                     CRITERIA[2].title: ["Còn hạn chế\nvề thời gian"]})
    assert done.status == 200 and "lúc 06/03/2026 11:00:05" in done.text
    assert "/10" not in done.text and "điểm" not in done.text.lower()
    (response,) = forms.responses(ref.form_id)
    assert response.answers[CRITERIA[2].title] == ("Còn hạn chế\nvề thời gian",)

    clock.now = closes + timedelta(seconds=1)
    over = phone.open_form(ref.url)
    assert "Đã hết hạn tự đánh giá" in over.text and "06/03/2026 11:00:05" in over.text
    assert "/10" not in over.text and "Đáp án" not in over.text
    assert phone.submit(MEMBERS[1], {CRITERIA[0].title: ["Đạt"]}).status == 403


def test_not_found_and_no_stack_trace(server: FormServer, forms: LocalForms, clock: Clock,
                                      caplog: pytest.LogCaptureFixture) -> None:
    phone = MemberClient(server.base_url)
    assert phone.open_form("/f/khong-co").status == 404
    assert phone.open_form("/khong-co").status == 404
    wrong_method = phone.post("/", [("x", "1")])
    assert wrong_method.status == 405 and "Hãy mở lại đường link" in wrong_method.text
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    with sqlite3.connect(forms.db_path) as db:  # the database breaks under the server
        db.execute("ALTER TABLE forms RENAME TO broken")
    caplog.set_level(logging.ERROR, logger="automation.webform")
    broken = phone.open_form(ref.url)
    assert broken.status == 503 and "Có lỗi xảy ra" in broken.text
    assert "Traceback" not in broken.text and "sqlite" not in broken.text.lower()
    assert str(forms.db_path) not in broken.html  # the admin's log names it, not the page
    assert str(forms.db_path) in caplog.text and "Traceback" not in caplog.text


def test_a_restart_mid_round_keeps_every_response(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "quiz.forms.sqlite"
    forms = LocalForms(path, public_url="", clock=clock)
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    with FormServer(forms) as first_server:
        an = MemberClient(first_server.base_url)
        an.open_form(ref.url)
        assert an.submit(MEMBERS[0], RIGHT).status == 200
        binh = MemberClient(first_server.base_url)
        binh.open_form(ref.url)
        binh.start(MEMBERS[1])
        port = first_server.port
    forms.close_db()

    restarted = LocalForms(path, public_url="", clock=clock)
    with FormServer(restarted, port=port):
        clock.advance(seconds=20)
        # Bình's phone carries on with the page it had: same session, same start time
        assert binh.submit(MEMBERS[1], HALF).status == 200
    assert {r.respondent: r.started_at for r in restarted.responses(ref.form_id)} == {
        MEMBERS[0]: clock() - timedelta(seconds=20), MEMBERS[1]: clock() - timedelta(seconds=20)}
    restarted.close_db()


def test_english_pages_and_home(tmp_path: Path, clock: Clock) -> None:
    forms = LocalForms(tmp_path / "f.sqlite", public_url="http://quiz.local", clock=clock)
    ref = forms.build(spec(identity="email", member_emails=("an@chibo.vn",), ask_code=True,
                           seconds_per_question=30, grace_seconds=60))
    forms.open(ref.form_id, timedelta(minutes=2))
    with FormServer(forms, language="en") as server:
        assert forms.public_url == "http://quiz.local"  # a configured address is kept
        phone = MemberClient(server.base_url)
        home = phone.open_form("/")
        assert "Open now" in home.text and spec().title in home.text
        identify = phone.open_form(f"/f/{ref.form_id}")
        assert "Enter your email" in identify.text and "Personal code" in identify.text
        assert "equal scores: the earlier submission first" in identify.text
        done = phone.submit("an@chibo.vn", RIGHT, code="1234")
        assert "Your answers were received at 08:00:00." in done.text
        clock.advance(minutes=3)
        assert "an@chibo.vn: 10/10 (2/2 correct)" in phone.open_form(f"/f/{ref.form_id}").text
    forms.close_db()


def test_stop_is_clean(forms: LocalForms) -> None:
    server = FormServer(forms)
    base = server.start()
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base + "/", timeout=2)
    server.stop()  # stopping twice is harmless


def test_a_busy_port_says_what_to_change(server: FormServer, forms: LocalForms) -> None:
    with pytest.raises(InputError, match=r"\[local\]"):
        FormServer(forms, port=server.port).start()


def test_public_base_url_and_qr(tmp_path: Path) -> None:
    assert public_base_url(" http://quiz.local:8080/ ", "0.0.0.0", 8080) == "http://quiz.local:8080"
    assert public_base_url("", "192.168.1.9", 8080) == "http://192.168.1.9:8080"
    assert public_base_url("", "0.0.0.0", 8080).endswith(":8080")
    assert qr_filename("2026/03 tháng 3") == "qr-2026_03_tháng_3.png"
    png = save_png("http://192.168.1.9:8080/f/abc", tmp_path / "qr" / qr_filename("2026-03"))
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 200
    drawn = terminal("http://192.168.1.9:8080/f/abc").splitlines()
    assert len(drawn) > 10 and len({len(line) for line in drawn if line}) == 1


def _get(phone: MemberClient, url: str) -> str:
    """The raw HTML a phone receives."""
    return phone.open_form(url).html
