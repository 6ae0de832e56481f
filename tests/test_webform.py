"""The web form over real HTTP: waitress on 127.0.0.1, members as MemberClient phones."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from automation.localforms import LocalForms
from automation.ports import FormQuestion, InputError
from automation.qr import qr_filename, save_png, terminal
from automation.webform import FormServer, MemberClient, public_base_url
from tests.test_localforms import HALF, MEMBERS, Q1, Q2, RIGHT, Clock, spec


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


def test_a_member_answers_and_sees_the_score(server: FormServer, forms: LocalForms,
                                             clock: Clock) -> None:
    ref = forms.build(spec())
    assert ref.url.startswith(server.base_url + "/f/")
    phone = MemberClient(server.base_url)
    assert "chưa mở" in phone.open_form(ref.url).text

    forms.open(ref.form_id, timedelta(minutes=2))
    page = phone.open_form(ref.url)
    assert page.status == 200 and page.names == MEMBERS
    clock.advance(seconds=10)
    quiz = phone.start(MEMBERS[0])
    assert [q.title for q in quiz.questions] == [Q1.text, Q2.text]
    assert sorted(quiz.questions[0].options) == sorted(Q1.options)
    assert quiz.seconds_left == 60
    clock.advance(seconds=25)
    assert phone.open_form(ref.url).seconds_left == 35  # reopening keeps the first start
    clock.advance(seconds=5)
    done = phone.submit(MEMBERS[0], RIGHT)
    assert done.status == 200
    assert "10/10 (2/2 câu đúng)" in done.text and "0:30" in done.text
    assert "10/10" in phone.open_form(ref.url).text  # a refresh shows the same receipt

    (response,) = forms.responses(ref.form_id)
    assert response.respondent == MEMBERS[0]
    assert response.submitted_at - response.started_at == timedelta(seconds=30)  # type: ignore[operator]


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


def test_second_submission_late_submission_and_bad_input_are_refused(
        server: FormServer, forms: LocalForms, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    first = MemberClient(server.base_url)
    first.open_form(ref.url)
    assert first.submit(MEMBERS[0], RIGHT).status == 200
    again = first.submit(MEMBERS[0], HALF)
    assert again.status == 409 and "lần đầu được tính" in again.text

    stranger = MemberClient(server.base_url)
    stranger.open_form(ref.url)
    assert stranger.start("Người Lạ").status == 400
    assert stranger.submit(MEMBERS[1], {Q1.text: ["31-12-2099"]}).status == 400
    no_token = stranger.post(ref.url + "/submit", [("csrf", "forged"), ("q0", "0")])
    assert no_token.status == 400 and "hết hạn" in no_token.text
    huge = stranger.post(ref.url + "/submit", [("q0", "0" * 200_000)])
    assert huge.status == 413

    clock.advance(minutes=3)
    late = stranger.submit(MEMBERS[1], RIGHT)
    assert late.status == 403 and "muộn" in late.text
    kinds = [(r.respondent, r.answers == RIGHT_TUPLES) for r in forms.responses(ref.form_id)]
    assert kinds == [(MEMBERS[0], True), (MEMBERS[0], False), (MEMBERS[1], True)]
    assert "refused unknown_member" in caplog.text and "late submission" in caplog.text


RIGHT_TUPLES = {title: tuple(texts) for title, texts in RIGHT.items()}


def test_not_found_and_no_stack_trace(server: FormServer, forms: LocalForms, tmp_path: Path,
                                      clock: Clock) -> None:
    phone = MemberClient(server.base_url)
    assert phone.open_form("/f/khong-co").status == 404
    assert phone.open_form("/khong-co").status == 404
    wrong_method = phone.post("/", [("x", "1")])
    assert wrong_method.status == 405 and "Đường link không đúng" in wrong_method.text
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    with sqlite3.connect(forms.db_path) as db:  # the database breaks under the server
        db.execute("ALTER TABLE forms RENAME TO broken")
    broken = phone.open_form(ref.url)
    assert broken.status == 500 and "Có lỗi xảy ra" in broken.text
    assert "Traceback" not in broken.text and "sqlite" not in broken.text.lower()


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
    ref = forms.build(spec(identity="email", member_emails=("an@chibo.vn",)))
    forms.open(ref.form_id, timedelta(minutes=2))
    with FormServer(forms, language="en") as server:
        assert forms.public_url == "http://quiz.local"  # a configured address is kept
        phone = MemberClient(server.base_url)
        home = phone.open_form("/")
        assert "Open now" in home.text and spec().title in home.text
        assert "Enter your email" in phone.open_form(f"/f/{ref.form_id}").text
        assert "Your score: 10/10" in phone.submit("an@chibo.vn", RIGHT).text
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
