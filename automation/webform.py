"""The mobile web form members open on their phones (local backend).

``create_app`` is a small Flask app over :class:`~automation.localforms.LocalForms`;
``FormServer`` runs it with waitress (pure Python, Windows too) in a background
thread; ``MemberClient`` is a stdlib HTTP client that behaves like a member's
phone, for the demo, the tests and the load benchmark.

A member's path: ``/f/<id>`` (pick a name or type an email) → POST ``start``
(the moment they open the questions is recorded) → the questions with a
countdown → POST ``submit`` (acknowledged after the commit) → their score.
Once the round is over the same link shows the answers and explanations;
before that the answer key never leaves the server. The server, not the page,
enforces the deadline.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from typing import Any

from flask import Flask, Response, abort, render_template, request, session, url_for
from waitress import wasyncore
from waitress.server import TcpWSGIServer, create_server
from werkzeug.exceptions import HTTPException

from automation.i18n import Text
from automation.localforms import (
    FormState,
    LocalForm,
    LocalForms,
    Outcome,
    Refusal,
    Refused,
    form_score,
)
from automation.ports import InputError
from automation.text import normalize

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a full answer sheet is a few kilobytes

PORT_BUSY = Text(
    "Không mở được máy chủ biểu mẫu tại {host}:{port} ({error}). Hãy đổi 'port' (hoặc "
    "'host') trong mục [local] của config/settings.toml, hoặc tắt chương trình đang dùng cổng đó.",
    "Cannot serve the form on {host}:{port} ({error}). Change 'port' (or 'host') in the "
    "[local] section of config/settings.toml, or stop the program using that port.",
)

UI: dict[str, Text] = {
    "brand": Text("Thi trắc nghiệm tìm hiểu chỉ thị, nghị quyết",
                  "Quiz on the Party's directives and resolutions"),
    "home": Text("Thi trắc nghiệm", "Quiz"),
    "home_none": Text("Hiện chưa có kỳ thi nào đang mở. Hãy mở đường link chi bộ gửi "
                      "hoặc quét mã QR khi kỳ thi bắt đầu.",
                      "No round is open right now. Open the link the cell sent, or scan "
                      "the QR code when the round starts."),
    "home_open": Text("Kỳ thi đang mở:", "Open now:"),
    "intro": Text("{count} câu hỏi, thời gian làm bài {minutes}. Điểm tối đa 10; ai điểm cao "
                  "nhất và nộp sớm nhất sẽ về nhất.",
                  "{count} questions, {minutes} to answer. Maximum score 10; the highest "
                  "score submitted earliest wins."),
    "pick_name": Text("Chọn họ và tên của đồng chí", "Choose your name"),
    "pick_placeholder": Text("— Chọn tên —", "— Choose —"),
    "type_email": Text("Nhập email của đồng chí", "Enter your email"),
    "begin": Text("Bắt đầu làm bài", "Start"),
    "begin_note": Text("Thời gian được tính từ lúc bấm “Bắt đầu làm bài”.",
                       "Your time counts from the moment you press Start."),
    "time_left": Text("Thời gian còn lại", "Time left"),
    "member": Text("Đảng viên: {name}", "Member: {name}"),
    "question_n": Text("Câu {n}", "Question {n}"),
    "points": Text("{points} điểm", "{points} points"),
    "pick_one": Text("Chọn một đáp án.", "Choose one answer."),
    "pick_all": Text("Chọn tất cả các đáp án đúng.", "Choose every correct answer."),
    "submit": Text("Nộp bài", "Submit"),
    "submit_note": Text("Chỉ được nộp một lần. Hết giờ, bài sẽ tự động được nộp.",
                        "You can submit once. When time is up, the answers are submitted."),
    "done": Text("Đã nộp bài", "Submitted"),
    "done_score": Text("Điểm của đồng chí: {score}/10 ({correct}/{total} câu đúng).",
                       "Your score: {score}/10 ({correct}/{total} correct)."),
    "done_at": Text("Nộp lúc {at}; thời gian làm bài {duration}.",
                    "Submitted at {at}; time taken {duration}."),
    "done_later": Text("Đáp án và giải thích sẽ hiện tại đường link này sau khi kỳ thi kết "
                       "thúc. Kết quả xếp hạng được công bố trong buổi sinh hoạt chi bộ.",
                       "The answers and explanations appear on this link once the round is "
                       "over. The ranking is announced at the cell meeting."),
    "again": Text("Đồng chí đã nộp bài rồi", "You have already submitted"),
    "again_text": Text("Bài nộp lần đầu được tính; lần nộp này không được tính.",
                       "Your first submission counts; this one does not."),
    "late": Text("Đã hết giờ nộp bài", "Time is up"),
    "late_text": Text("Bài nộp sau {deadline} không được xếp hạng. Bài của đồng chí đã được "
                      "ghi lại là nộp muộn.",
                      "Answers submitted after {deadline} are not ranked. Yours were "
                      "recorded as late."),
    "not_open": Text("Kỳ thi chưa mở", "The round is not open yet"),
    "not_open_text": Text("Hãy mở lại đường link này khi chi bộ bắt đầu kỳ thi.",
                          "Open this link again when the cell starts the round."),
    "closed": Text("Kỳ thi đã kết thúc", "The round is over"),
    "closed_text": Text("Biểu mẫu không còn nhận bài. Dưới đây là đáp án và giải thích.",
                        "The form no longer accepts answers. Here are the answers and "
                        "explanations."),
    "closed_hand": Text("Biểu mẫu đã đóng và không còn nhận bài.",
                        "The form is closed and no longer accepts answers."),
    "your_score": Text("Bài của {name}: {score}/10 ({correct}/{total} câu đúng).",
                       "{name}: {score}/10 ({correct}/{total} correct)."),
    "correct": Text("Đáp án đúng", "Correct answer"),
    "your_choice": Text("đồng chí chọn", "your choice"),
    "explanation": Text("Giải thích", "Explanation"),
    "not_found": Text("Không tìm thấy kỳ thi", "No such round"),
    "not_found_text": Text("Đường link không đúng. Hãy mở lại đường link chi bộ gửi.",
                           "This link is wrong. Open the link the cell sent again."),
    "bad": Text("Yêu cầu không hợp lệ", "Invalid request"),
    "bad_session": Text("Phiên làm bài đã hết hạn. Hãy mở lại đường link và thử lại.",
                        "Your session has expired. Open the link again and retry."),
    "unknown_member": Text("Không có tên hoặc email này trong danh sách đảng viên. Hãy chọn "
                           "đúng tên của đồng chí, hoặc báo chi ủy.",
                           "This name or email is not on the member list. Choose your own "
                           "name, or tell the cell committee."),
    "bad_answer": Text("Bài nộp có đáp án không có trong đề. Hãy mở lại đường link và làm lại.",
                       "The answers name an option that is not in the quiz. Open the link "
                       "again and retry."),
    "not_started": Text("Hãy chọn tên và bấm “Bắt đầu làm bài” trước khi nộp.",
                        "Choose your name and press Start before submitting."),
    "too_many": Text("Đồng chí đã nộp quá nhiều lần; các lần nộp thêm không được ghi lại.",
                     "Too many submissions; further ones are not recorded."),
    "too_large": Text("Bài nộp quá lớn.", "The submission is too large."),
    "error": Text("Có lỗi xảy ra", "Something went wrong"),
    "error_text": Text("Máy chủ gặp lỗi. Hãy thử lại sau ít phút hoặc báo chi ủy.",
                       "The server hit a problem. Retry in a minute or tell the cell "
                       "committee."),
    "back": Text("Mở lại đường link", "Open the link again"),
    "minutes": Text("{m} phút {s} giây", "{m} min {s} s"),
}


def create_app(forms: LocalForms, *, language: str = "vi",
               clock: Callable[[], datetime] | None = None) -> Flask:
    """The web form over ``forms``; ``clock`` (default: the store's) drives countdowns."""
    now = clock or forms.clock
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=forms.secret("session"),
        SESSION_COOKIE_NAME="quiz_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_BODY,
        MAX_FORM_MEMORY_SIZE=MAX_BODY,
        MAX_FORM_PARTS=200,
        TRAP_HTTP_EXCEPTIONS=False,
        PROPAGATE_EXCEPTIONS=False,
    )

    def t(key: str, **fields: object) -> str:
        return UI[key](language, **fields)

    def page(template: str, status: int = 200, **context: Any) -> Response:
        html = render_template(template, t=t, lang=language, csrf=_csrf_token(), **context)
        return Response(html, status=status, mimetype="text/html")

    def message(status: int, heading: str, text: str, form_id: str | None = None) -> Response:
        link = url_for("form_page", form_id=form_id) if form_id else None
        return page("message.html", status, heading=heading, paragraphs=[text], link=link)

    def refuse(status: int, what: str, form_id: str | None, heading: str, text: str) -> Response:
        log.warning("refused %s (%s) form=%s from %s", what, status, form_id,
                    request.remote_addr)
        return message(status, heading, text, form_id)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if code == 404:
            return message(404, t("not_found"), t("not_found_text"))
        if code == 413:
            return refuse(413, "oversized request", None, t("bad"), t("too_large"))
        log.warning("http %s on %s %s from %s", code, request.method, request.path,
                    request.remote_addr)
        return message(code, t("bad"), t("bad_session") if code == 400 else t("not_found_text"))

    @app.errorhandler(Exception)
    def crash(error: Exception) -> Response:
        log.exception("error on %s %s", request.method, request.path)
        return page("message.html", 500, heading=t("error"), paragraphs=[t("error_text")],
                    link=None)

    @app.get("/")
    def home() -> Response:
        links = [(f.spec.title, url_for("form_page", form_id=f.form_id))
                 for f in forms.open_forms()]
        paragraphs = [t("home_open")] if links else [t("home_none")]
        return page("message.html", heading=t("home"), paragraphs=paragraphs, links=links,
                    link=None)

    @app.get("/f/<form_id>")
    def form_page(form_id: str) -> Response:
        form = _form_or_404(forms, form_id)
        moment = now()
        who = _who(form_id)
        if form.state is FormState.BUILT:
            return message(200, t("not_open"), t("not_open_text"))
        if form.finished(moment):
            return _review(form, who)
        if not form.accepting(moment):
            return message(200, t("closed"), t("closed_hand"))
        if who:
            first = forms.first_response(form_id, who)
            if first is not None:
                return _done(form, first.respondent, first.answers, first.submitted_at,
                             first.started_at)
            started = forms.started_at(form_id, who)
            if started is not None:
                return _quiz(form, who, started, moment)
        allowed = form.spec.seconds_allowed
        minutes = t("minutes", m=allowed // 60, s=allowed % 60)
        return page("identify.html", form=form, minutes=minutes)

    @app.post("/f/<form_id>/start")
    def start(form_id: str) -> Response:
        form = _form_or_404(forms, form_id)
        if not _csrf_ok():
            return refuse(400, "csrf", form_id, t("bad"), t("bad_session"))
        given = request.form.get("who", "")
        try:
            respondent, _ = forms.start(form.form_id, given)
        except Refused as refusal:
            return _refused(refusal, form_id)
        session.setdefault("forms", {})[form_id] = respondent
        session.modified = True
        return _redirect(url_for("form_page", form_id=form_id))

    @app.post("/f/<form_id>/submit")
    def submit(form_id: str) -> Response:
        form = _form_or_404(forms, form_id)
        if not _csrf_ok():
            return refuse(400, "csrf", form_id, t("bad"), t("bad_session"))
        who = _who(form_id)
        if not who:
            return refuse(400, "submit before start", form_id, t("bad"), t("not_started"))
        answers = _answers(form)
        if answers is None:
            return refuse(400, "malformed answers", form_id, t("bad"), t("bad_answer"))
        try:
            receipt = forms.submit(form_id, who, answers)
        except Refused as refusal:
            return _refused(refusal, form_id)
        if receipt.outcome is Outcome.REPEATED:
            log.warning("repeated submission by %s form=%s", receipt.respondent, form_id)
            return message(409, t("again"), t("again_text"), form_id)
        if receipt.outcome is Outcome.LATE:
            log.warning("late submission by %s form=%s at %s", receipt.respondent, form_id,
                        receipt.submitted_at.isoformat())
            deadline = form.deadline.strftime("%H:%M:%S") if form.deadline else ""
            return message(403, t("late"), t("late_text", deadline=deadline), form_id)
        return _done(form, receipt.respondent, answers, receipt.submitted_at,
                     receipt.started_at)

    def _refused(refusal: Refused, form_id: str) -> Response:
        what = f"{refusal.reason.value} {refusal.detail}"
        if refusal.reason is Refusal.NOT_OPEN:
            return refuse(403, what, form_id, t("not_open"), t("not_open_text"))
        if refusal.reason is Refusal.CLOSED:
            return refuse(403, what, form_id, t("closed"), t("closed_hand"))
        if refusal.reason is Refusal.UNKNOWN_MEMBER:
            return refuse(400, what, form_id, t("bad"), t("unknown_member"))
        if refusal.reason is Refusal.TOO_MANY:
            return refuse(429, what, form_id, t("again"), t("too_many"))
        return refuse(400, what, form_id, t("bad"), t("bad_answer"))

    def _quiz(form: LocalForm, who: str, started: datetime, moment: datetime) -> Response:
        ends = started.timestamp() + form.spec.seconds_allowed
        if form.deadline is not None:
            ends = min(ends, form.deadline.timestamp())
        left = max(0, int(ends - moment.timestamp()))
        order = _option_order(form, who)
        questions = [
            (index, question, [(i, question.options[i]) for i in order[index]])
            for index, question in enumerate(form.spec.questions)
        ]
        return page("quiz.html", form=form, who=who, questions=questions, seconds_left=left)

    def _done(form: LocalForm, who: str, answers: Mapping[str, Sequence[str]],
              submitted: datetime, started: datetime | None) -> Response:
        score, correct = form_score(form.spec, answers)
        duration = _duration(submitted - started) if started else ""
        return page("done.html", form=form, who=who, score=_score(score), correct=correct,
                    total=len(form.spec.questions), at=submitted.strftime("%H:%M:%S %d/%m/%Y"),
                    duration=duration)

    def _review(form: LocalForm, who: str | None) -> Response:
        first = forms.first_response(form.form_id, who) if who else None
        mine: Mapping[str, Sequence[str]] = first.answers if first else {}
        summary = None
        if first is not None:
            score, correct = form_score(form.spec, first.answers)
            summary = t("your_score", name=first.respondent, score=_score(score),
                        correct=correct, total=len(form.spec.questions))
        return page("review.html", form=form, mine=mine, summary=summary)

    return app


def _redirect(location: str) -> Response:
    """A 303 to ``location``, as a Flask response."""
    return Response(status=303, headers={"Location": location})


def _form_or_404(forms: LocalForms, form_id: str) -> LocalForm:
    form = forms.form(form_id) if len(form_id) <= 64 else None
    if form is None:
        abort(404)
    return form


def _who(form_id: str) -> str | None:
    chosen = session.get("forms", {})
    value = chosen.get(form_id) if isinstance(chosen, dict) else None
    return value if isinstance(value, str) else None


def _csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    given = request.form.get("csrf", "")
    return isinstance(expected, str) and hmac.compare_digest(expected, given)


def _answers(form: LocalForm) -> dict[str, list[str]] | None:
    """The posted choices as option texts; None when a value is not an option of the form."""
    answers: dict[str, list[str]] = {}
    for index, question in enumerate(form.spec.questions):
        values = request.form.getlist(f"q{index}")
        if len(values) > len(question.options):
            return None
        texts = []
        for value in values:
            if not value.isdigit() or int(value) >= len(question.options):
                return None
            texts.append(question.options[int(value)])
        if texts:
            answers[question.title] = texts
    return answers


def _option_order(form: LocalForm, who: str) -> list[list[int]]:
    """Each question's option indexes in display order: shuffled per member, stably."""
    seed = hashlib.sha256(f"{form.form_id}|{normalize(who)}".encode()).digest()
    rng = random.Random(seed)
    orders = []
    for question in form.spec.questions:
        order = list(range(len(question.options)))
        if form.spec.shuffle_options:
            rng.shuffle(order)
        orders.append(order)
    return orders


def _duration(delta: Any) -> str:
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _score(score: float) -> str:
    return f"{score:g}"


# --- the server ----------------------------------------------------------------


def lan_address() -> str:
    """This machine's address on the local network, as phones would reach it.

    No packet is sent: connecting a UDP socket only picks the outgoing
    interface. Falls back to the host name's address, then loopback.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routable-looking, never used
        address = str(probe.getsockname()[0])
        if not address.startswith("0."):
            return address
    except OSError:
        pass
    finally:
        probe.close()
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def public_base_url(public_url: str, host: str, port: int) -> str:
    """The address phones use: ``public_url`` when set, else this machine's LAN address."""
    if public_url.strip():
        return public_url.strip().rstrip("/")
    if host in ("0.0.0.0", "", "::"):
        host = lan_address()
    return f"http://{host}:{port}"


class FormServer:
    """The web form served by waitress in a background thread, with a clean stop.

    ``port=0`` picks a free port. When ``forms.public_url`` is blank it is set
    from the address the server listens on, so form links work right away.
    """

    def __init__(self, forms: LocalForms, *, host: str = "127.0.0.1", port: int = 0,
                 language: str = "vi", clock: Callable[[], datetime] | None = None,
                 threads: int = 8) -> None:
        self.forms = forms
        self.host = host
        self.port = port
        self.threads = threads
        self.language = language
        self.app = create_app(forms, language=language, clock=clock)
        self._server: TcpWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        """The local address of the running server (loopback when listening everywhere)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> str:
        if self._thread is not None:
            return self.base_url
        try:
            server = create_server(
                self.app, host=self.host, port=self.port, threads=self.threads,
                max_request_body_size=MAX_BODY * 4, channel_timeout=30,
                connection_limit=1000, backlog=1024, expose_tracebacks=False,
                ident="quiz", clear_untrusted_proxy_headers=True,
            )
        except OSError as exc:
            raise InputError(PORT_BUSY(self.language, host=self.host, port=self.port,
                                       error=exc)) from exc
        assert isinstance(server, TcpWSGIServer)  # one listen address: never a multi-server
        self._server = server
        self.port = int(server.getsockname()[1])
        if not self.forms.public_url:
            self.forms.public_url = public_base_url("", self.host, self.port)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="form-server", daemon=True)
        self._thread.start()
        log.info("form server listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop listening, let requests in flight finish (a few seconds at most), close."""
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join(timeout=15)
        self._thread = None
        self._server = None

    def __enter__(self) -> FormServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        server = self._server
        assert server is not None
        # waitress's own loop internals (its type stubs leave them out).
        socket_map: dict[int, Any] = server._map  # type: ignore[attr-defined]
        channels: dict[int, Any] = server.active_channels  # type: ignore[assignment]
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)
        wasyncore.dispatcher.close(server)  # stop accepting; the trigger stays for replies
        drain_until = time.monotonic() + 5
        while time.monotonic() < drain_until and any(
            channel.requests or channel.total_outbufs_len
            for channel in list(channels.values())
        ):
            wasyncore.loop(timeout=0.05, map=socket_map, use_poll=True, count=1)
        server.task_dispatcher.shutdown(timeout=5)
        for dispatcher in list(socket_map.values()):
            dispatcher.close()
        trigger: Any = server.trigger  # the stubs type it as a number; it is a dispatcher
        trigger.close()


# --- a member's phone, for the demo, tests and the benchmark ---------------------


@dataclass(frozen=True)
class PageQuestion:
    title: str
    options: tuple[str, ...]  # as displayed (shuffled for this member)
    multi: bool


@dataclass(frozen=True)
class Page:
    """A page as a member sees it: status, visible text, and what can be filled in."""

    status: int
    url: str
    text: str
    names: tuple[str, ...] = ()
    questions: tuple[PageQuestion, ...] = ()
    seconds_left: int | None = None
    html: str = ""


class MemberClient:
    """One member's phone: a cookie jar and plain HTTP (stdlib only).

    >>> client = MemberClient(base_url)
    >>> client.open_form(url).names                    # the roster drop-down
    >>> client.start("Nguyễn Văn An").questions        # records the start, shows questions
    >>> client.submit("Nguyễn Văn An", {title: [option text]}).status   # 200 when accepted
    """

    def __init__(self, base_url: str = "", *, timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar())
        )
        self._form_url = ""
        self._csrf = ""
        self._started: str | None = None
        self._fields: dict[str, tuple[str, dict[str, str]]] = {}  # title -> (name, text->value)
        self.last: Page | None = None

    def open_form(self, form_url: str) -> Page:
        """GET the form's link (absolute, or relative to ``base_url``)."""
        self._form_url = urllib.parse.urljoin(self.base_url + "/", form_url)
        return self._request(self._form_url)

    def start(self, who: str) -> Page:
        """Pick a name (or type an email) and open the questions."""
        if not self._csrf:
            self.open_form(self._form_url)
        page = self._request(self._form_url.rstrip("/") + "/start", {"who": who})
        if page.status == 200 and page.questions:
            self._started = who
        return page

    def submit(self, who: str, answers: Mapping[str, Sequence[str]]) -> Page:
        """Answer (question title → option texts) and submit; starts first if needed.

        A title or option text the page does not show is sent as a value the
        server does not know, as a tampered phone would.
        """
        if self._started != who:
            started = self.start(who)
            if started.status != 200:
                return started
        fields: list[tuple[str, str]] = []
        for title, texts in answers.items():
            name, values = self._fields.get(title, ("q999", {}))
            fields.extend((name, values.get(text, "999")) for text in texts)
        return self.post(self._form_url.rstrip("/") + "/submit", fields)

    def post(self, url: str, fields: Sequence[tuple[str, str]]) -> Page:
        """POST raw fields to ``url`` (absolute or relative to ``base_url``); the CSRF
        token is added unless given."""
        if not any(name == "csrf" for name, _ in fields):
            fields = [("csrf", self._csrf), *fields]
        return self._request(url, fields)

    def _request(self, url: str,
                 data: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> Page:
        url = urllib.parse.urljoin(self.base_url + "/", url)
        body = None
        if data is not None:
            items = list(data.items()) if isinstance(data, Mapping) else list(data)
            if not any(name == "csrf" for name, _ in items):
                items.insert(0, ("csrf", self._csrf))
            body = urllib.parse.urlencode(items).encode()
        try:
            with self._opener.open(url, data=body, timeout=self.timeout) as reply:
                status, final, html = reply.status, reply.geturl(), reply.read()
        except urllib.error.HTTPError as error:
            status, final, html = error.code, url, error.read()
        parsed = _PageParser()
        source = html.decode("utf-8", "replace")
        parsed.feed(source)
        if parsed.csrf:
            self._csrf = parsed.csrf
        if parsed.questions:
            self._fields = {q.title: (q.name, dict(q.values)) for q in parsed.questions}
        page = Page(
            status=status,
            url=final,
            text=" ".join(" ".join(parsed.text).split()),
            names=tuple(parsed.names),
            questions=tuple(PageQuestion(q.title, tuple(t for t, _ in q.values), q.multi)
                            for q in parsed.questions),
            seconds_left=parsed.seconds_left,
            html=source,
        )
        self.last = page
        return page


@dataclass
class _ParsedQuestion:
    title: str
    name: str
    multi: bool
    values: list[tuple[str, str]]  # (option text, form value)


class _PageParser(HTMLParser):
    """Reads the few things a simulated member needs from our own pages."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.names: list[str] = []
        self.csrf = ""
        self.questions: list[_ParsedQuestion] = []
        self.seconds_left: int | None = None
        self._skip = 0
        self._in_option = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "title"):
            self._skip += 1
        elif tag == "input" and attr.get("name") == "csrf":
            self.csrf = attr.get("value", "")
        elif tag == "option" and attr.get("value"):
            self.names.append(attr["value"])
        elif tag == "fieldset" and "data-title" in attr:
            self.questions.append(_ParsedQuestion(attr["data-title"], attr.get("data-name", ""),
                                                  attr.get("data-multi") == "1", []))
        elif tag == "input" and "data-text" in attr and self.questions:
            self.questions[-1].values.append((attr["data-text"], attr.get("value", "")))
        elif "data-seconds" in attr and attr["data-seconds"].isdigit():
            self.seconds_left = int(attr["data-seconds"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)
