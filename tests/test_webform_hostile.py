"""The web form against people who try things: impersonators hunting for the key,
tampered phones, hostile bytes, a client holding every connection. Real HTTP on
127.0.0.1 (phones from 127.0.0.2, .3 … where an address of their own matters)."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import re
import socket
import time
import urllib.parse
import zlib
from datetime import timedelta

import pytest

from automation.localforms import LocalForms, form_score
from automation.phone import Exchange
from automation.ports import FormQuestion
from automation.webform import DEVICE_COOKIE, FormServer, MemberClient
from tests import test_webform as web
from tests.test_localforms import HALF, MEMBERS, Q1, Q2, QUESTIONS, RIGHT, Clock, spec

# the same fixtures as the web form's own tests: a clock, a store, a running server
clock, forms, server = web.clock, web.forms, web.server


# --- rule 8: nothing before the deadline gives the key or a score away ----------

FIVE = tuple(
    FormQuestion(title=f"Câu {n}: văn bản số {n} ban hành năm nào?",
                 options=(f"{2019 + n}", f"{2020 + n}", f"{2021 + n}"), multi=False, points=1,
                 correct=(f"{2019 + n + n % 3}",), explanation=f"Giải thích câu {n}.")
    for n in range(1, 6)
)
VICTIMS = tuple(f"Đảng viên {i:02d}" for i in range(10))
ATTACKER = "Kẻ Gian Lận"
SCORE = re.compile(r"(\d+(?:[.,]\d+)?)\s*/\s*10\b|(\d+)\s*/\s*\d+\s*câu đúng")


def test_picking_other_members_names_teaches_nothing_about_the_key(
        server: FormServer, forms: LocalForms, clock: Clock) -> None:
    """The attack: with roster identity anyone may pick any name. Ten impersonated names
    each answer one option of one question; a page that shows a score tells whether that
    option is right, so the key falls out and the attacker scores 10/10 before the
    deadline. Here every probe gets the same page (bar the name): the attacker learns
    nothing."""
    ref = forms.build(spec(questions=FIVE, member_names=(*VICTIMS, ATTACKER)))
    forms.open(ref.form_id, timedelta(minutes=3))
    learned: dict[str, str] = {}
    probe_pages: list[str] = []
    for question in FIVE:
        for option in question.options[:2]:
            name = VICTIMS[len(probe_pages)]
            phone = MemberClient(server.base_url)
            phone.open_form(ref.url)
            page = phone.submit(name, {question.title: [option]})
            assert page.status == 200
            probe_pages.append(page.text.replace(name, "NAME"))
            found = SCORE.search(page.text)
            if found and (found.group(1) or found.group(2)) not in ("0", "0.0"):
                learned[question.title] = option
        learned.setdefault(question.title, question.options[2])  # the attacker's inference
    cheat = MemberClient(server.base_url)
    cheat.open_form(ref.url)
    final = cheat.submit(ATTACKER, {title: [option] for title, option in learned.items()})

    assert all(SCORE.search(text) is None for text in probe_pages)
    assert len(set(probe_pages)) == 1  # the same page whatever was answered: no oracle
    assert SCORE.search(final.text) is None and "10/10" not in final.text
    inferred, _ = form_score(spec(questions=FIVE), {t: [o] for t, o in learned.items()})
    blind, _ = form_score(spec(questions=FIVE), {q.title: [q.options[2]] for q in FIVE})
    assert inferred == blind  # what it "inferred" is the blind guess it started from


def test_nothing_the_server_sends_before_the_deadline_holds_the_key_or_a_score(
        server: FormServer, forms: LocalForms, clock: Clock) -> None:
    ref = forms.build(spec(opens_at=clock() + timedelta(minutes=1)))
    early = forms.build(spec(round_id="2026-04"))  # opened, then closed by hand
    later = forms.build(spec(round_id="2026-05"))  # never opened
    phones = [MemberClient(server.base_url) for _ in range(4)]
    an, binh, qui, nobody = phones
    an.open_form(ref.url)  # not open yet
    forms.open(ref.form_id, timedelta(minutes=2))
    forms.open(early.form_id, timedelta(minutes=2))
    for phone in phones:
        phone.open_form("/")
        phone.open_form(ref.url)
        phone.open_form("/static/style.css")
        phone.open_form("/static/form.js")
        phone.open_form("/f/khong-co")
        phone.open_form(later.url)
    an.start(MEMBERS[0])
    an.open_form(ref.url)  # the quiz page again
    an.submit(MEMBERS[0], RIGHT)  # received
    an.open_form(ref.url)  # the receipt again
    an.post(ref.url + "/submit", [("q0", "0")])  # repeated
    an.post(ref.url + "/submit", [("csrf", "x"), ("q0", "0")])  # bad token
    an.post(ref.url + "/submit", [("q0", "7")])  # no such option
    an.post("/", [("x", "1")])  # wrong method
    an.post(ref.url + "/submit", [("q0", "0" * 100_000)])  # too large
    binh.submit(MEMBERS[1], HALF)
    binh.submit(MEMBERS[1], RIGHT)  # repeated, with the right answers this time
    binh.start("Người Lạ")
    qui.open_form(early.url)
    qui.start(MEMBERS[2])
    forms.close(early.form_id)  # closed by hand before its deadline: the key waits
    qui.open_form(early.url)
    qui.post(early.url + "/submit", [("q0", "0")])  # refused: closed
    clock.advance(seconds=119)  # one second before the deadline: the member's own time is up
    qui.submit(MEMBERS[2], RIGHT)
    nobody.open_form(ref.url)

    exchanges = [exchange for phone in phones for exchange in phone.exchanges]
    assert len(exchanges) > 40 and any(e.status == 303 for e in exchanges)
    assert {e.status for e in exchanges} >= {200, 303, 400, 404, 405, 409, 413}
    for exchange in exchanges:
        leaks = _leaks(exchange)
        assert not leaks, f"{exchange.status} {exchange.url}: {leaks}"

    clock.advance(seconds=2)  # past the deadline: now the same link tells
    review = an.open_form(ref.url)
    assert Q1.explanation in review.text and "10/10" in review.text


def _leaks(exchange: Exchange) -> list[str]:
    """What in one reply (body, headers, cookies decoded) gives a score or the key away."""
    texts = [exchange.body.decode("utf-8", "replace")]
    for name, value in exchange.headers:
        texts.append(f"{name}: {value}")
        if name.lower() == "set-cookie":
            texts.append(_cookie_payload(value))
    found = []
    for text in texts:
        found += [m.group(0) for m in SCORE.finditer(text)]
        found += [marker for marker in ("✓", "câu đúng", "Đáp án đúng", "class=\"right\"",
                                        "correct", "class=\"explanation\"", Q1.explanation)
                  if marker in text]
        found += [q.text for q in QUESTIONS if q.explanation and q.explanation in text]
    return found


def _cookie_payload(set_cookie: str) -> str:
    """A Flask session cookie is signed, not encrypted: what anyone can read in it."""
    value = set_cookie.split(";", 1)[0].split("=", 1)[1]
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        return (zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace")
    except (ValueError, zlib.error):
        return value


# --- rule 9: personal codes ----------------------------------------------------

CODE = "Mã-Bí-Mật 7391"


def test_a_personal_code_is_asked_kept_and_never_sent_back(
        server: FormServer, forms: LocalForms, clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ref = forms.build(spec(ask_code=True))
    forms.open(ref.form_id, timedelta(minutes=2))
    phone = MemberClient(server.base_url)
    identify = phone.open_form(ref.url)
    assert ("code", "password") in identify.fields
    assert re.search(r'<input id="code" name="code" type="password" required maxlength="64" '
                     r'autocomplete="off"', identify.html)
    assert phone.start(MEMBERS[0]).status == 400  # no code: asked again
    assert phone.start(MEMBERS[0], code="   ").status == 400
    assert phone.start(MEMBERS[0], code=CODE + "x" * 64).status == 400
    assert phone.submit(MEMBERS[0], RIGHT, code=CODE).status == 200
    other = MemberClient(server.base_url)  # an impersonator with a wrong code
    other.open_form(ref.url)
    assert other.submit(MEMBERS[1], RIGHT, code="sai-ma").status == 200
    clock.advance(minutes=3)
    phone.open_form(ref.url)

    assert [r.code for r in forms.responses(ref.form_id)] == [CODE, "sai-ma"]
    echoed = [CODE, urllib.parse.quote_plus(CODE), "7391"]
    for exchange in phone.exchanges:
        seen = exchange.body.decode("utf-8", "replace") + repr(exchange.headers) + "".join(
            _cookie_payload(v) for k, v in exchange.headers if k.lower() == "set-cookie")
        assert not [text for text in echoed if text in seen], exchange.url
    assert not [text for text in echoed if text in caplog.text]
    # no oracle: the right code and a wrong one get the same page
    right = _page_text(phone.exchanges, "received").replace(MEMBERS[0], "N")
    wrong = _page_text(other.exchanges, "received").replace(MEMBERS[1], "N")
    assert right == wrong


def _page_text(exchanges: list[Exchange], page: str) -> str:
    body = next(e.body for e in exchanges if f'data-page="{page}"'.encode() in e.body)
    return re.sub(r'name="csrf" value="[^"]*"', "", body.decode())


# --- traceability: which phone answered ------------------------------------------


def test_each_submission_records_the_address_and_the_phone(server: FormServer,
                                                           forms: LocalForms,
                                                           clock: Clock) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    one_phone = MemberClient(server.base_url, source_address="127.0.0.2")
    one_phone.open_form(ref.url)
    first_cookie = one_phone.cookie(DEVICE_COOKIE)
    assert first_cookie and re.fullmatch(r"[0-9a-f]{16}", first_cookie)
    set_cookie = next(v for e in one_phone.exchanges for k, v in e.headers
                      if k.lower() == "set-cookie" and v.startswith(DEVICE_COOKIE))
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    max_age = int(re.search(r"Max-Age=(\d+)", set_cookie).group(1))  # type: ignore[union-attr]
    assert max_age >= 365 * 86400
    assert one_phone.submit(MEMBERS[0], RIGHT).status == 200
    assert one_phone.submit(MEMBERS[1], RIGHT).status == 200  # the same phone, another name
    assert one_phone.cookie(DEVICE_COOKIE) == first_cookie  # set once, kept
    another = MemberClient(server.base_url, source_address="127.0.0.3")
    another.open_form(ref.url)
    forged = '=HYPERLINK("http://x")'
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", f"/f/{ref.form_id}", headers={"Cookie": f"{DEVICE_COOKIE}={forged}"})
    reply = conn.getresponse()
    reply.read()
    assert forged not in (reply.getheader("Set-Cookie") or "")  # a fresh id instead
    conn.close()
    assert another.submit(MEMBERS[2], HALF).status == 200

    clients = [r.client for r in forms.responses(ref.form_id)]
    assert clients[0] == clients[1] == f"127.0.0.2 · {first_cookie[:6]}"
    assert clients[2].startswith("127.0.0.3 · ") and clients[2] != clients[0]
    assert all(re.fullmatch(r"127\.0\.0\.\d · [0-9a-f]{6}", c) for c in clients)


# --- hostile or odd input: a 4xx page, never a 500 --------------------------------

ODD_VALUES = ["²", "①", "٣", "5" * 5000, "-1", "+1", " 1", "1\n", "0x1", "", "1.0", "1e1",
              "9" * 3, "\x00", "0 ", "00009"]


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: repr(v[:12]))
def test_an_odd_option_value_is_refused_with_a_4xx(server: FormServer, forms: LocalForms,
                                                   clock: Clock, value: str) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    phone = MemberClient(server.base_url)
    phone.open_form(ref.url)
    phone.start(MEMBERS[0])
    page = phone.post(ref.url + "/submit", [("q0", value)])
    assert 400 <= page.status < 500 and page.page in ("refused", "bad")
    assert forms.responses(ref.form_id) == []


FIELD_CASES = {
    "the same choice twice": [("q0", "0"), ("q0", "0")],
    "two choices on a one-answer question": [("q0", "0"), ("q0", "1")],
    "the same box ticked twice": [("q1", "0"), ("q1", "0")],
    "a question that does not exist": [("q9", "0")],
    "a stray field": [("q0", "0"), ("admin", "1")],
    "a name with a space": [("q0 ", "0")],
    "the token twice": [("csrf", "T"), ("csrf", "T"), ("q0", "0")],
    "no token": [("csrf", ""), ("q0", "0")],
}


@pytest.mark.parametrize("fields", FIELD_CASES.values(), ids=FIELD_CASES.keys())
def test_repeated_missing_or_unknown_fields_are_refused_with_a_4xx(
        server: FormServer, forms: LocalForms, clock: Clock,
        fields: list[tuple[str, str]]) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    phone = MemberClient(server.base_url)
    phone.open_form(ref.url)
    phone.start(MEMBERS[0])
    fields = [(name, phone.csrf if value == "T" else value) for name, value in fields]
    if not any(name == "csrf" for name, _ in fields):
        fields = [("csrf", phone.csrf), *fields]
    page = phone.post(ref.url + "/submit", fields)
    assert 400 <= page.status < 500
    assert forms.responses(ref.form_id) == []


def test_odd_starts_bytes_paths_and_sizes_get_a_4xx_and_the_server_carries_on(
        server: FormServer, forms: LocalForms, clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    phone = MemberClient(server.base_url)
    phone.open_form(ref.url)
    start = ref.url + "/start"
    for fields in ([("who", MEMBERS[0]), ("who", MEMBERS[1])], [], [("who", "x" * 5000)],
                   [("who", "\x00")], [("who", MEMBERS[0]), ("code", "1")],
                   [("who", MEMBERS[0] + "\u202e")]):
        assert 400 <= phone.post(start, fields).status < 500, fields
    cookie = phone.cookie_header()
    token = phone.csrf.encode()
    form_path = f"/f/{ref.form_id}"
    form_body = b"csrf=" + token + b"&who=%FF%FE%C3"
    requests = [
        ("POST", form_path + "/start", form_body, {"Content-Type": FORM}),
        ("POST", form_path + "/start", b"csrf=" + token + b"&who=\xff\xfe", {"Content-Type": FORM}),
        ("POST", form_path + "/start", b'{"who": "x"}', {"Content-Type": "application/json"}),
        ("POST", form_path + "/start", MULTIPART % token, {"Content-Type": MULTIPART_TYPE}),
        ("POST", form_path + "/start", b"--broken", {"Content-Type": MULTIPART_TYPE}),
        ("POST", form_path + "/submit", b"x" * 300_000, {"Content-Type": FORM}),
        ("POST", form_path + "/submit", b"", {"Content-Type": FORM, "Content-Length": "9" * 12}),
        ("GET", "/f/%00", b"", {}),
        ("GET", "/f/%FF%FE", b"", {}),
        ("GET", "/f/" + "a" * 300, b"", {}),
        ("GET", "/f/..%2F..%2Fquiz.forms.sqlite", b"", {}),
        ("GET", "/f/%E2%80%AE%3Cscript%3E", b"", {}),
        ("GET", "/static/..%2Flocalforms.py", b"", {}),
        ("GET", "/static/../localforms.py", b"", {}),
        ("GET", form_path + "/submit", b"", {}),
        ("DELETE", form_path, b"", {}),
        ("GET", form_path, b"", {"Cookie": "quiz_session=" + "A" * 40_000}),
    ]
    for method, path, body, headers in requests:
        status = _raw(server.port, method, path, body, {"Cookie": cookie, **headers})
        assert 400 <= status < 500, (method, path[:40], body[:40], status)
    assert 400 <= _raw_line(server.port, b"GET /f/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n") < 500
    forged_session = {"Cookie": "quiz_session=garbage.garbage.garbage"}
    assert _raw(server.port, "GET", form_path, b"", forged_session) == 200  # a fresh session
    assert forms.responses(ref.form_id) == []
    assert phone.submit(MEMBERS[0], RIGHT).status == 200  # and the server carries on
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


FORM = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data; boundary=XyZ"
MULTIPART = (b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
             b"--XyZ\r\nContent-Disposition: form-data; name=\"who\"; filename=\"a.txt\"\r\n"
             b"Content-Type: text/plain\r\n\r\nNguyen\r\n--XyZ--\r\n")


def _raw(port: int, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        if "Content-Length" not in headers and (body or method == "POST"):
            headers = {**headers, "Content-Length": str(len(body))}
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        reply = connection.getresponse()
        reply.read()
        return reply.status
    finally:
        connection.close()


def _raw_line(port: int, request: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        head = connection.recv(100)
    return int(head.split()[1])


def test_member_typed_text_cannot_forge_a_log_line(server: FormServer, forms: LocalForms,
                                                   clock: Clock,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    roster = forms.build(spec())
    emails = forms.build(spec(round_id="2026-04", identity="email"))
    for ref in (roster, emails):
        forms.open(ref.form_id, timedelta(minutes=2))
    phone = MemberClient(server.base_url)
    forged = "x\nWARNING automation.tick: round 2026-03 ranked\r\n"
    phone.open_form(roster.url)
    phone.start("Người Lạ" + forged)
    phone.open_form(emails.url)
    phone.start("ke.gian@chibo.vn" + forged)
    phone.submit("an@chibo.vn", RIGHT)
    phone.submit("an@chibo.vn", RIGHT)  # repeated: logged with the email
    _raw(server.port, "GET", "/f/x%0AWARNING%20forged", b"", {})
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) >= 3 and any("ke.gian" in m for m in messages)
    assert not [m for m in messages if "\n" in m or "\r" in m]


# --- slowloris: one address cannot hold every connection ----------------------------


def test_one_address_holding_its_connections_does_not_lock_members_out(
        forms: LocalForms, clock: Clock) -> None:
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    with FormServer(forms, threads=2, per_client=8, idle_timeout=2) as server:
        hogs = _hold(server.port, 8)  # the most one address may hold
        time.sleep(0.3)
        assert _closed(_hold(server.port, 1, b"\r\n")[0])  # one too many: closed at once

        member = MemberClient(server.base_url, timeout=5)
        began = time.monotonic()
        page = member.open_form(ref.url)  # another address still gets the page, at once
        assert page.status == 200 and page.page == "identify"
        assert time.monotonic() - began < 2

        time.sleep(3.5)  # idle for longer than the timeout: the server lets them go
        assert all(_closed(hog) for hog in hogs)
        again = socket.create_connection(("127.0.0.1", server.port), timeout=5,
                                         source_address=("127.0.0.2", 0))
        again.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert again.recv(100).startswith(b"HTTP/1.1 200")
        again.close()


def test_a_json_body_of_codes_is_never_kept_in_the_session(server: FormServer,
                                                           forms: LocalForms,
                                                           clock: Clock) -> None:
    """The session cookie (signed, readable) holds the name and random tokens only."""
    ref = forms.build(spec(ask_code=True))
    forms.open(ref.form_id, timedelta(minutes=2))
    phone = MemberClient(server.base_url)
    phone.open_form(ref.url)
    phone.submit(MEMBERS[0], RIGHT, code=CODE)
    session = phone.cookie("quiz_session")
    assert session is not None
    payload = json.loads(_cookie_payload("quiz_session=" + session))
    assert set(payload) == {"csrf", "forms"}
    assert set(payload["forms"][ref.form_id]) == {"who", "code"}
    assert payload["forms"][ref.form_id]["who"] == MEMBERS[0]
    assert CODE not in json.dumps(payload, ensure_ascii=False)
    assert Q2.text not in json.dumps(payload, ensure_ascii=False)


def _hold(port: int, count: int, end: bytes = b"") -> list[socket.socket]:
    """Connections from 127.0.0.2, each sending a request header slowly (``end``
    completes it)."""
    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5,
                                              source_address=("127.0.0.2", 0))
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + end)
        held.append(connection)
    return held


def _closed(connection: socket.socket) -> bool:
    """Whether the server closed this connection (a reset counts: it had unread bytes)."""
    try:
        closed = connection.recv(100) == b""
    except ConnectionResetError:
        closed = True
    connection.close()
    return closed


def test_a_phone_used_for_years_keeps_a_small_session(server: FormServer,
                                                             forms: LocalForms,
                                                             clock: Clock) -> None:
    phone = MemberClient(server.base_url)
    refs = [forms.build(spec(round_id=f"2026-{n:02d}", ask_code=True)) for n in range(1, 61)]
    for ref in refs:
        forms.open(ref.form_id, timedelta(minutes=2))
        phone.open_form(ref.url)
        assert phone.start(MEMBERS[0] + " ", code=CODE).status == 200
    session = phone.cookie("quiz_session")
    # five years of quizzes and surveys: unbounded, the cookie nears the 4 KB browsers keep
    assert session is not None and len(session) < 1000
    assert phone.submit(MEMBERS[0] + " ", RIGHT, code=CODE).status == 200  # the newest works
    assert [r.code for r in forms.responses(refs[-1].form_id)] == [CODE]


def test_a_client_leaving_before_its_400_page_is_no_error_in_the_log(
        server: FormServer, forms: LocalForms, clock: Clock,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client of a request waitress could not read is gone when the 400 page is
    written (in real life a race: here the channel is marked disconnected just then)."""
    from waitress.task import ErrorTask

    written = ErrorTask.execute

    def gone_meanwhile(task: ErrorTask) -> None:
        task.channel.connected = False
        written(task)

    caplog.set_level(logging.INFO, logger="waitress")
    monkeypatch.setattr(ErrorTask, "execute", gone_meanwhile)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(b"GET /f/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
    monkeypatch.undo()
    assert "Client disconnected while serving" in caplog.text  # waitress saw it leave
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert MemberClient(server.base_url).open_form("/").status == 200
