"""The mobile web form members open on their phones (local backend).

``create_app`` is a small Flask app over :class:`~automation.localforms.LocalForms`;
``FormServer`` runs it with waitress (pure Python, Windows too) in a background
thread. A member's phone is played by :class:`automation.phone.MemberClient`.

A member's path: ``/f/<id>`` (pick a name or type an email, and the personal
code when the cell uses codes) → POST ``start`` (the moment they open the
questions is recorded) → the questions with a countdown → POST ``submit``
(acknowledged after the commit) → "received at HH:MM:SS", nothing more. Once
the round's deadline has passed the same link shows their score, the answers
and the explanations; before that no page, redirect, header or cookie holds
the key or any score (ranking rule 8), so picking other members' names
teaches nothing. The server, not the page, enforces the deadline. A survey
(a self-assessment over several days) has no key, no score and no countdown.

Every time a member reads is in the cell's time zone (``FormSpec.timezone``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, Response, abort, g, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.exceptions import HTTPException

from automation.httpserver import MAX_BODY, AppServer, lan_address, public_base_url
from automation.i18n import Text
from automation.localforms import (
    MAX_CODE,
    MAX_TEXT,
    FormState,
    LocalForm,
    LocalForms,
    Outcome,
    Refusal,
    Refused,
    form_score,
)
from automation.phone import MemberClient
from automation.ports import BackendError, InputError
from automation.text import normalize

__all__ = ["UI", "FormServer", "MemberClient", "create_app", "lan_address", "public_base_url"]

log = logging.getLogger(__name__)

DEVICE_COOKIE = "quiz_device"
DEVICE_DAYS = 400  # browsers keep a cookie at most about this long
SESSION_FORMS = 12  # the forms a phone's session remembers (a year of rounds, newest kept)
_DEVICE = re.compile(r"[0-9a-f]{16}")
_INDEX = re.compile(r"[0-9]{1,2}")  # ASCII digits only: "²" and "①" are not indexes

UI: dict[str, Text] = {
    "brand": Text("Thi trắc nghiệm tìm hiểu chỉ thị, nghị quyết",
                  "Quiz on the Party's directives and resolutions"),
    "brand_survey": Text("Tự đánh giá đảng viên", "Member self-assessment"),
    "home": Text("Thi trắc nghiệm", "Quiz"),
    "home_none": Text("Hiện chưa có kỳ thi nào đang mở. Hãy mở đường link chi bộ gửi "
                      "hoặc quét mã QR khi kỳ thi bắt đầu.",
                      "No round is open right now. Open the link the cell sent, or scan "
                      "the QR code when the round starts."),
    "home_open": Text("Đang mở:", "Open now:"),
    # the rules, stated once, on the first page
    "rule_time": Text("{count} câu hỏi, mỗi câu {seconds} giây: thời gian làm bài {minutes}, "
                      "tính từ lúc đồng chí bấm “Bắt đầu làm bài”.",
                      "{count} questions, {seconds} seconds each: {minutes} to answer, from "
                      "the moment you press Start."),
    "rule_time_total": Text("{count} câu hỏi, thời gian làm bài {minutes}, tính từ lúc đồng chí "
                            "bấm “Bắt đầu làm bài”.",
                            "{count} questions, {minutes} to answer, from the moment you "
                            "press Start."),
    "rule_deadline": Text("Hạn nộp bài: {deadline}. Bài nộp sau hạn không được xếp hạng; chỉ "
                          "lần nộp đầu tiên được tính.",
                          "Deadline: {deadline}. Answers submitted later are not ranked; only "
                          "your first submission counts."),
    "rule_order": Text("Xếp hạng: điểm cao hơn xếp trên (tối đa 10 điểm); bằng điểm, ai nộp "
                       "sớm hơn xếp trên.",
                       "Ranking: the higher score first (10 at most); equal scores: the "
                       "earlier submission first."),
    "rule_after": Text("Điểm và đáp án hiện tại đường link này sau hạn nộp bài.",
                       "Your score and the answers appear on this link after the deadline."),
    "survey_until": Text("Biểu mẫu nhận bài đến {deadline}. Chỉ lần nộp đầu tiên được tính.",
                         "The form takes answers until {deadline}. Only your first "
                         "submission counts."),
    "pick_name": Text("Chọn họ và tên của đồng chí", "Choose your name"),
    "pick_placeholder": Text("— Chọn tên —", "— Choose —"),
    "type_email": Text("Nhập email của đồng chí", "Enter your email"),
    "type_code": Text("Mã cá nhân", "Personal code"),
    "code_note": Text("Mã chi ủy đã cấp cho đồng chí. Bài có mã không đúng không được xếp hạng.",
                      "The code the cell committee gave you. Answers with a wrong code are "
                      "not ranked."),
    "begin": Text("Bắt đầu làm bài", "Start"),
    "begin_survey": Text("Bắt đầu tự đánh giá", "Start"),
    "time_left": Text("Thời gian còn lại", "Time left"),
    "member": Text("Đảng viên: {name}", "Member: {name}"),
    "question_n": Text("Câu {n}", "Question {n}"),
    "points": Text("{points} điểm", "{points} points"),
    "pick_one": Text("Chọn một đáp án.", "Choose one answer."),
    "pick_all": Text("Chọn tất cả các đáp án đúng.", "Choose every correct answer."),
    "pick_survey": Text("Chọn một.", "Choose one."),
    "pick_survey_all": Text("Chọn các ý phù hợp.", "Choose all that apply."),
    "write": Text("Viết câu trả lời (tối đa {limit} ký tự).",
                  "Write your answer ({limit} characters at most)."),
    "optional": Text("Không bắt buộc.", "Optional."),
    "submit": Text("Nộp bài", "Submit"),
    "submit_survey": Text("Gửi bài tự đánh giá", "Send"),
    "submit_note": Text("Khi hết giờ, bài được tự động nộp.",
                        "When time is up, your answers are submitted."),
    "done": Text("Đã nhận bài", "Received"),
    "done_at": Text("Đã nhận bài của đồng chí lúc {at}.", "Your answers were received at {at}."),
    "done_later": Text("Điểm và đáp án sẽ hiện tại đường link này sau {deadline}.",
                       "Your score and the answers will appear on this link after {deadline}."),
    "done_survey": Text("Cảm ơn đồng chí. Chi ủy sẽ xem bài tự đánh giá khi đánh giá tháng.",
                        "Thank you. The cell committee reads it for the monthly rating."),
    "again": Text("Đồng chí đã nộp bài rồi", "You have already submitted"),
    "again_text": Text("Bài nộp lần đầu (lúc {at}) được tính; lần nộp này không được tính.",
                       "Your first submission (at {at}) counts; this one does not."),
    "late": Text("Đã hết giờ nộp bài", "Time is up"),
    "late_text": Text("Bài của đồng chí nộp lúc {at}, sau hạn nộp bài {deadline}, nên được ghi "
                      "lại là nộp muộn và không được xếp hạng.",
                      "Your answers came at {at}, after the deadline {deadline}: they are "
                      "recorded as late and not ranked."),
    "not_open": Text("Chưa mở", "Not open yet"),
    "not_open_at": Text("Chưa mở: biểu mẫu sẽ mở lúc {at}.", "Not open yet: it opens at {at}."),
    "not_open_text": Text("Biểu mẫu chưa mở.", "The form is not open yet."),
    "not_open_wait": Text("Trang này tự tải lại; đồng chí chỉ cần chờ.",
                          "This page reloads by itself; just wait."),
    "closed": Text("Kỳ thi đã kết thúc", "The round is over"),
    "closed_text": Text("Biểu mẫu không còn nhận bài. Dưới đây là đáp án và giải thích.",
                        "The form no longer accepts answers. Here are the answers and "
                        "explanations."),
    "closed_hand": Text("Biểu mẫu đã đóng và không còn nhận bài.",
                        "The form is closed and no longer accepts answers."),
    "closed_refused": Text("Biểu mẫu đã đóng: bài nộp này không được ghi lại.",
                           "The form is closed: these answers were not recorded."),
    "survey_over": Text("Đã hết hạn tự đánh giá", "The self-assessment is over"),
    "survey_over_text": Text("Biểu mẫu không còn nhận bài từ {deadline}.",
                             "The form stopped taking answers at {deadline}."),
    "your_score": Text("Bài của {name}: {score}/10 ({correct}/{total} câu đúng), nộp lúc {at}.",
                       "{name}: {score}/10 ({correct}/{total} correct), submitted at {at}."),
    "correct": Text("Đáp án đúng", "Correct answer"),
    "your_choice": Text("đồng chí chọn", "your choice"),
    "your_text": Text("Câu trả lời của đồng chí", "Your answer"),
    "explanation": Text("Giải thích", "Explanation"),
    "not_found": Text("Không tìm thấy kỳ thi", "No such round"),
    "not_found_text": Text("Đường link không đúng. Hãy mở lại đường link chi bộ gửi.",
                           "This link is wrong. Open the link the cell sent again."),
    "bad": Text("Yêu cầu không hợp lệ", "Invalid request"),
    "bad_request": Text("Trang gửi lên không đúng. Hãy mở lại đường link và thử lại.",
                        "The page sent something wrong. Open the link again and retry."),
    "bad_session": Text("Phiên làm bài đã hết hạn. Hãy mở lại đường link và thử lại.",
                        "Your session has expired. Open the link again and retry."),
    "unknown_member": Text("Không có tên hoặc email này trong danh sách đảng viên. Hãy chọn "
                           "đúng tên của đồng chí, hoặc báo chi ủy.",
                           "This name or email is not on the member list. Choose your own "
                           "name, or tell the cell committee."),
    "need_code": Text("Hãy nhập mã cá nhân (tối đa {limit} ký tự).",
                      "Enter your personal code ({limit} characters at most)."),
    "bad_answer": Text("Bài nộp có đáp án không có trong đề. Hãy mở lại đường link và làm lại.",
                       "The answers name an option that is not in the quiz. Open the link "
                       "again and retry."),
    "missing_answer": Text("Hãy trả lời câu “{title}” rồi nộp lại.",
                           "Answer “{title}”, then submit again."),
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
    "to_review": Text("Xem đáp án", "See the answers"),
    "minutes": Text("{m} phút {s} giây", "{m} min {s} s"),
    "minutes_only": Text("{m} phút", "{m} min"),
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
    app.session_interface = _MountedSessions()
    share_templates(app)

    def t(key: str, **fields: object) -> str:
        return UI[key](language, **fields)

    def page(template: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("refresh", None)
        context.setdefault("survey", False)
        context.setdefault("kind", template.removesuffix(".html"))
        html = render_template(template, t=t, lang=language, csrf=_csrf_token(), **context)
        return Response(html, status=status, mimetype="text/html")

    def message(status: int, heading: str, *paragraphs: str, form: LocalForm | None = None,
                kind: str = "message", refresh: int | None = None, back: bool = False,
                links: Sequence[tuple[str, str]] = ()) -> Response:
        link = url_for("form_page", form_id=form.form_id) if form and back else None
        return page("message.html", status, heading=heading, paragraphs=list(paragraphs),
                    link=link, links=list(links), kind=kind, refresh=refresh,
                    survey=bool(form and form.survey))

    def refuse(status: int, what: str, detail: str, form: LocalForm | None, heading: str,
               *paragraphs: str) -> Response:
        # member-typed text goes through %r: it can never forge a log line
        log.warning("refused %s %r (%s) form=%r from %s", what, detail, status,
                    form.form_id if form else None, request.remote_addr)
        return message(status, heading, *paragraphs, form=form, kind="refused", back=True)

    @app.before_request
    def device() -> None:
        """The phone's long-lived random id (traceability: one phone, several names)."""
        given = request.cookies.get(DEVICE_COOKIE, "")
        g.new_device = not _DEVICE.fullmatch(given)
        g.device = secrets.token_hex(8) if g.new_device else given

    @app.after_request
    def headers(response: Response) -> Response:
        secure(response)
        if getattr(g, "new_device", False):
            response.set_cookie(DEVICE_COOKIE, g.device, max_age=DEVICE_DAYS * 86400,
                                path=mount_path(), httponly=True, samesite="Lax")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if code == 404:
            return message(404, t("not_found"), t("not_found_text"), kind="not_found")
        if code == 413:
            return refuse(413, "oversized request", "", None, t("bad"), t("too_large"))
        log.warning("http %s on %s %r from %s", code, request.method, request.path,
                    request.remote_addr)
        text = t("bad_request") if 400 <= code < 500 else t("error_text")
        return message(code, t("bad"), text, kind="bad")

    @app.errorhandler(Exception)
    def crash(error: Exception) -> Response:
        if isinstance(error, InputError | BackendError):  # the store's file: names it
            log.error("cannot serve %s %r: %s", request.method, request.path, error)
            status = 503
        else:
            log.exception("error on %s %r", request.method, request.path)
            status = 500
        return message(status, t("error"), t("error_text"), kind="error")

    @app.get("/")
    def home() -> Response:
        links = [(f.spec.title, url_for("form_page", form_id=f.form_id))
                 for f in forms.open_forms()]
        return message(200, t("home"), t("home_open") if links else t("home_none"),
                       links=links, kind="home")

    @app.get("/f/<form_id>")
    def form_page(form_id: str) -> Response:
        form = _form_or_404(forms, form_id)
        moment = now()
        who, token = _entry(form_id)
        code = forms.kept_code(form_id, who, token) if form.spec.ask_code and who and token \
            else None
        if form.state is FormState.BUILT:
            return _not_open(form, moment)
        if form.survey and not form.accepting(moment):
            return _survey_over(form, who, code)
        if form.finished(moment):
            return _review(form, who, code)
        if not form.accepting(moment):
            return message(200, t("closed"), t("closed_hand"), form=form, kind="closed")
        if who:
            first = forms.first_response(form_id, who, code)
            if first is not None:
                return _received(form, first.respondent, first.submitted_at, moment)
            started = forms.started_at(form_id, who)
            if started is not None:
                return _quiz(form, who, started, moment)
        return _identify(form)

    @app.post("/f/<form_id>/start")
    def start(form_id: str) -> Response:
        form = _form_or_404(forms, form_id)
        allowed = {"csrf", "who", "code"} if form.spec.ask_code else {"csrf", "who"}
        if not _only(allowed.__contains__):
            return refuse(400, "unexpected fields", _names(), form, t("bad"), t("bad_request"))
        if not _csrf_ok():
            return refuse(400, "csrf", "", form, t("bad"), t("bad_session"))
        given = _single("who")
        if given is None:
            return refuse(400, "no single name", "", form, t("bad"), t("unknown_member"))
        code = _single("code") if form.spec.ask_code else None
        if form.spec.ask_code and (code is None or not code.strip() or len(code) > MAX_CODE):
            # the code itself is never logged nor shown
            return refuse(400, "code missing or too long", "", form, t("bad"),
                          t("need_code", limit=MAX_CODE))
        try:
            respondent, _ = forms.start(form.form_id, given)
            token = forms.keep_code(form.form_id, respondent, code) if code is not None else ""
        except Refused as refusal:
            return _refused(refusal, form)
        chosen = session.get("forms")
        if not isinstance(chosen, dict):
            chosen = {}
        chosen.pop(form_id, None)
        chosen[form_id] = {"who": respondent, "code": token}
        session["forms"] = dict(list(chosen.items())[-SESSION_FORMS:])  # the cookie stays small
        return _redirect(url_for("form_page", form_id=form_id))

    @app.post("/f/<form_id>/submit")
    def submit(form_id: str) -> Response:
        form = _form_or_404(forms, form_id)
        names = {"csrf"} | {f"q{i}" for i in range(len(form.spec.questions))}
        if not _only(names.__contains__):
            return refuse(400, "unexpected fields", _names(), form, t("bad"), t("bad_request"))
        if not _csrf_ok():
            return refuse(400, "csrf", "", form, t("bad"), t("bad_session"))
        who, token = _entry(form_id)
        if not who:
            return refuse(400, "submit before start", "", form, t("bad"), t("not_started"))
        answers = _answers(form)
        if answers is None:
            return refuse(400, "malformed answers", "", form, t("bad"), t("bad_answer"))
        code = forms.kept_code(form_id, who, token) if form.spec.ask_code and token else None
        try:
            receipt = forms.submit(form_id, who, answers, code=code,
                                   client_addr=request.remote_addr or "", device=g.device)
        except Refused as refusal:
            return _refused(refusal, form)
        if receipt.outcome is Outcome.REPEATED:
            log.warning("repeated submission by %r form=%r", receipt.respondent, form_id)
            first = forms.first_response(form_id, receipt.respondent, code)
            at = _hms(first.submitted_at if first else receipt.submitted_at, form)
            return message(409, t("again"), t("again_text", at=at), form=form, kind="again",
                           back=True)
        if receipt.outcome is Outcome.LATE:
            log.warning("late submission by %r form=%r at %s", receipt.respondent, form_id,
                        _full(receipt.submitted_at, form))
            deadline = _hms(form.deadline, form) if form.deadline else ""
            return message(403, t("late"), t("late_text", at=_hms(receipt.submitted_at, form),
                                             deadline=deadline),
                           form=form, kind="late",
                           links=[(t("to_review"), url_for("form_page", form_id=form_id))])
        return _received(form, receipt.respondent, receipt.submitted_at, now())

    def _refused(refusal: Refused, form: LocalForm) -> Response:
        what, detail = refusal.reason.value, refusal.detail
        if refusal.reason is Refusal.NOT_OPEN:
            return refuse(403, what, detail, form, t("not_open"), t("not_open_text"))
        if refusal.reason is Refusal.CLOSED:
            return refuse(403, what, detail, form, t("closed"), t("closed_refused"))
        if refusal.reason is Refusal.UNKNOWN_MEMBER:
            return refuse(400, what, detail, form, t("bad"), t("unknown_member"))
        if refusal.reason is Refusal.TOO_MANY:
            return refuse(429, what, detail, form, t("again"), t("too_many"))
        if refusal.reason is Refusal.MISSING_ANSWER:
            return refuse(400, what, detail, form, t("bad"), t("missing_answer", title=detail))
        return refuse(400, what, detail, form, t("bad"), t("bad_answer"))

    def _not_open(form: LocalForm, moment: datetime) -> Response:
        opens = form.spec.opens_at
        if opens is None:
            return message(200, form.spec.title, t("not_open_text"), t("not_open_wait"),
                           form=form, kind="not_open", refresh=15)
        wait = (opens - moment).total_seconds()
        refresh = int(min(30, max(3, wait + 1)))  # on time for the opening, never a tight loop
        return message(200, form.spec.title, t("not_open_at", at=_full(opens, form)),
                       t("not_open_wait"), form=form, kind="not_open", refresh=refresh)

    def _identify(form: LocalForm) -> Response:
        spec = form.spec
        if form.survey:
            rules = [t("survey_until", deadline=_full(form.deadline, form))] if form.deadline \
                else []
            intro = spec.description
        else:
            count = len(spec.questions)
            minutes = _minutes(spec.seconds_allowed, t)
            if spec.seconds_per_question:
                timing = t("rule_time", count=count, seconds=spec.seconds_per_question,
                           minutes=minutes)
            else:
                timing = t("rule_time_total", count=count, minutes=minutes)
            deadline = _hms(form.deadline, form) if form.deadline else "—"
            rules = [timing, t("rule_deadline", deadline=deadline), t("rule_order"),
                     t("rule_after")]
            intro = ""  # the description repeats these rules for Google; stated once here
        return page("identify.html", form=form, rules=rules, intro=intro, survey=form.survey,
                    code_limit=MAX_CODE)

    def _quiz(form: LocalForm, who: str, started: datetime, moment: datetime) -> Response:
        left = None
        if not form.survey:
            ends = started.timestamp() + form.spec.seconds_allowed
            if form.deadline is not None:
                ends = min(ends, form.deadline.timestamp())
            left = max(0, int(ends - moment.timestamp()))
        order = _option_order(form, who)
        questions = [
            (index, question, [(i, question.options[i]) for i in order[index]])
            for index, question in enumerate(form.spec.questions)
        ]
        return page("quiz.html", form=form, who=who, questions=questions, seconds_left=left,
                    survey=form.survey, text_limit=MAX_TEXT)

    def _received(form: LocalForm, who: str, submitted: datetime,
                  moment: datetime) -> Response:
        """What a member sees until the deadline: when it was received, nothing else."""
        if form.survey:
            return message(200, t("done"), t("member", name=who),
                           t("done_at", at=_full(submitted, form)), t("done_survey"),
                           form=form, kind="received")
        refresh = None
        deadline = form.deadline
        if deadline is not None:
            wait = (deadline - moment).total_seconds()
            if wait < 3600:  # reload once the deadline has passed, to show the score
                refresh = int(max(3, wait + 2))
        later = t("done_later", deadline=_hms(deadline, form)) if deadline else ""
        return message(200, t("done"), t("member", name=who),
                       t("done_at", at=_hms(submitted, form)), later, form=form,
                       kind="received", refresh=refresh)

    def _survey_over(form: LocalForm, who: str | None, code: str | None) -> Response:
        end = form.deadline if form.deadline and form.state is FormState.OPEN else (
            form.closed_at or form.deadline)
        paragraphs = [t("survey_over_text", deadline=_full(end, form))] if end else []
        first = forms.first_response(form.form_id, who, code) if who else None
        if first is not None:
            paragraphs.append(t("done_at", at=_full(first.submitted_at, form)))
        return message(200, t("survey_over"), *paragraphs, form=form, kind="closed")

    def _review(form: LocalForm, who: str | None, code: str | None) -> Response:
        first = forms.first_response(form.form_id, who, code) if who else None
        mine: Mapping[str, Sequence[str]] = first.answers if first else {}
        summary = None
        if first is not None:
            score, correct = form_score(form.spec, first.answers)
            summary = t("your_score", name=first.respondent, score=_score(score),
                        correct=correct, total=sum(1 for q in form.spec.questions if q.correct),
                        at=_full(first.submitted_at, form))
        return page("review.html", form=form, mine=mine, summary=summary, kind="review")

    return app


def secure(response: Response) -> None:
    """The headers every page gets: nothing from elsewhere runs, nothing is cached."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"


def mount_path() -> str:
    """Where this app is mounted (``/`` alone, ``/<cell-path>`` among many cells): its
    cookies are scoped there, so two cells' sessions never mix on one phone."""
    return request.script_root or "/"


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for every app of the process: a server of many
    cells makes one app per cell, and compiling the pages again for each of them costs
    about 20 ms of CPU per page and cell (Jinja checks each template's source still
    matches before reusing it)."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()


def share_templates(app: Flask) -> None:
    """Let ``app`` reuse the templates another app of this process compiled (our apps all
    have Flask's Jinja options, which the compiled code depends on)."""
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _TEMPLATES}


class _MountedSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the cookie scoped to the app's mount path."""

    def get_cookie_path(self, app: Flask) -> str:
        return mount_path()


def _redirect(location: str) -> Response:
    """A 303 to ``location``, as a Flask response."""
    return Response(status=303, headers={"Location": location})


def _form_or_404(forms: LocalForms, form_id: str) -> LocalForm:
    form = forms.form(form_id) if len(form_id) <= 64 and form_id.isprintable() else None
    if form is None:
        abort(404)
    return form


def _entry(form_id: str) -> tuple[str | None, str]:
    """Who this phone picked for the form, and the token of the code typed with it."""
    chosen = session.get("forms", {})
    value = chosen.get(form_id) if isinstance(chosen, dict) else None
    if isinstance(value, str):  # a session from before personal codes
        return value, ""
    if isinstance(value, dict) and isinstance(value.get("who"), str):
        token = value.get("code")
        return value["who"], token if isinstance(token, str) else ""
    return None, ""


def _csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    given = _single("csrf")
    return isinstance(expected, str) and given is not None and hmac.compare_digest(
        expected.encode(), given.encode())


def _single(name: str) -> str | None:
    """A field that must be sent exactly once; None when missing or repeated."""
    values = request.form.getlist(name)
    return values[0] if len(values) == 1 else None


def _only(allowed: Callable[[str], bool]) -> bool:
    """Only the fields the page has (no file, no stray name)."""
    return not request.files and all(allowed(name) for name in request.form)


def _names() -> str:
    return ",".join(sorted(request.form))[:200]


def _answers(form: LocalForm) -> dict[str, list[str]] | None:
    """The posted answers (option texts, or the text typed); None when a value is not
    something the form offers."""
    answers: dict[str, list[str]] = {}
    for index, question in enumerate(form.spec.questions):
        values = request.form.getlist(f"q{index}")
        if question.kind == "text":
            if len(values) > 1:
                return None
            if values:
                answers[question.title] = values
            continue
        if len(values) > (len(question.options) if question.multi else 1):
            return None
        if len(set(values)) != len(values):
            return None
        texts = []
        for value in values:
            if not _INDEX.fullmatch(value) or int(value) >= len(question.options):
                return None
            texts.append(question.options[int(value)])
        if texts:
            answers[question.title] = texts
    return answers


def _option_order(form: LocalForm, who: str) -> list[list[int]]:
    """Each question's option indexes in display order: shuffled per member, stably
    (a survey's options keep their order: Đạt before Chưa đạt)."""
    seed = hashlib.sha256(f"{form.form_id}|{normalize(who)}".encode()).digest()
    rng = random.Random(seed)
    orders = []
    for question in form.spec.questions:
        order = list(range(len(question.options)))
        if form.spec.shuffle_options and not form.survey:
            rng.shuffle(order)
        orders.append(order)
    return orders


def _zone(form: LocalForm) -> tzinfo | None:
    try:
        return ZoneInfo(form.spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # an unknown name: the moment's own offset


def _hms(moment: datetime | None, form: LocalForm) -> str:
    """A time of the round's day, in the cell's zone: ``HH:MM:SS``."""
    if moment is None:
        return ""
    zone = _zone(form)
    return (moment.astimezone(zone) if zone else moment).strftime("%H:%M:%S")


def _full(moment: datetime | None, form: LocalForm) -> str:
    """A moment in the cell's zone: ``dd/mm/yyyy HH:MM:SS``."""
    if moment is None:
        return ""
    zone = _zone(form)
    return (moment.astimezone(zone) if zone else moment).strftime("%d/%m/%Y %H:%M:%S")


def _minutes(seconds: int, t: Callable[..., str]) -> str:
    if seconds % 60 == 0:
        return t("minutes_only", m=seconds // 60)
    return t("minutes", m=seconds // 60, s=seconds % 60)


def _score(score: float) -> str:
    return f"{score:g}"


# --- the server ----------------------------------------------------------------


class FormServer(AppServer):
    """One store's web form served by waitress in a background thread, with a clean stop.

    ``port=0`` picks a free port. When ``forms.public_url`` is blank it is set
    from the address the server listens on, so form links work right away.
    ``per_client`` caps the connections one address may hold; ``idle_timeout``
    closes connections that sent nothing for that long (seconds).
    """

    def __init__(self, forms: LocalForms, *, host: str = "127.0.0.1", port: int = 0,
                 language: str = "vi", clock: Callable[[], datetime] | None = None,
                 threads: int = 8, per_client: int = 16, idle_timeout: float = 10) -> None:
        super().__init__(create_app(forms, language=language, clock=clock), host=host,
                         port=port, language=language, threads=threads,
                         per_client=per_client, idle_timeout=idle_timeout)
        self.forms = forms

    def _bound(self, guessed_url: str) -> None:
        if not self.forms.public_url:
            self.forms.public_url = guessed_url

    def __enter__(self) -> FormServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
