"""Google Forms behind :class:`automation.ports.Forms`.

A round's quiz is built so that a crash between any two calls never leaves a
second form: the form is created unpublished with only its title, then marked
at once on Drive (``appProperties``: round and spreadsheet), then filled in
one atomic ``batchUpdate``. ``build`` first looks for the marked form, then
for an unmarked form with the round's exact document title (created by a run
that crashed before marking it), and completes whichever it finds.

Fairness (ranking rule 8): a form built through the API as a quiz shows each
member their score, the right answers and the explanations as soon as they
submit (Google's default release, which the API cannot change). So by default
the form carries no answer key at all: it is not a quiz, its questions have no
``grading``, and the service grades after the deadline. ``FormSpec.graded``
(``show_score_after_submit = true``) builds the graded quiz instead.

Opening is one ``setPublishSettings``, then the "anyone with the link"
responder permission (Google: a form must be published before it is shared
with responders); closing keeps the form published but not accepting, so the
link tells members it is closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from automation.googleapi import Apis
from automation.i18n import Text
from automation.ports import FormQuestion, FormRef, FormResponse, FormSpec, FormStatus

FORM_MIME = "application/vnd.google-apps.form"
ROUND_KEY = "automationRound"
OWNER_KEY = "automationOwner"
_MAKING = threading.Lock()  # finding an unmarked form by its name, then marking it
OPENED_KEY = "automationOpenedAt"
CLOSED_KEY = "automationClosedAt"
PAGE_SIZE = 5000  # responses.list maximum
#: The personal-code question's id, chosen by us when the item is created (Forms takes a
#: caller's id on creation): how responses find the code whatever the form's language.
CODE_QUESTION_ID = "c0de0001"

IDENTITY_TITLE = Text("Họ và tên", "Your name")
CODE_TITLE = Text("Mã cá nhân", "Your personal code")
CODE_HELP = Text(
    "Mã riêng của đồng chí trong danh sách đảng viên (chi ủy đã gửi).",
    "Your own code from the members' list (the cell's committee gave it to you).",
)
DESCRIPTION = Text(
    "{count} câu hỏi, thời gian làm bài {time} kể từ lúc mở. Bài nộp sau hạn (lúc mở + {time}) "
    "được ghi nhận nhưng không được xếp hạng. Ai điểm cao nhất thắng; bằng điểm thì ai nộp "
    "sớm hơn.",
    "{count} questions, {time} from the opening to answer. A response after the deadline "
    "(opening + {time}) is recorded but not ranked. The highest score wins; among equal "
    "scores, the earliest submission.",
)
FORM = Text("biểu mẫu {id}", "the form {id}")


def _duration(seconds: int, language: str) -> str:
    minutes, rest = divmod(seconds, 60)
    if language == "en":
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{minutes} phút {rest} giây" if rest else f"{minutes} phút"


def _one_line(text: str) -> str:
    """Forms refuses line breaks in titles and options; the core compares texts with
    spaces collapsed, so a space in their place changes nothing in the ranking."""
    return " ".join(text.split())


def _quote(value: str) -> str:
    """A string literal for a Drive ``q`` query."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def document_title(spec: FormSpec) -> str:
    """The form's Drive name: the title, with the round id added if it is not in it."""
    return spec.title if spec.round_id in spec.title else f"{spec.title} · {spec.round_id}"


class GoogleForms:
    """Quiz forms in the account of the credentials; ``share_with`` get edit access."""

    def __init__(self, apis: Apis, *, share_with: Sequence[str] = (), language: str = "vi",
                 page_size: int = PAGE_SIZE,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.apis = apis
        self.share_with = tuple(share_with)
        self.language = language
        self.page_size = page_size
        self.clock = clock

    # --- building -----------------------------------------------------------------

    def build(self, spec: FormSpec) -> FormRef:
        """The round's form, found or created, marked, filled and shared; not accepting yet."""
        forms = self.apis.service("forms").forms()
        form_id = self._find_marked(spec)
        if form_id is None:
            # A committee's cells build the same joint round's form side by side, under
            # one account and one Drive name: one at a time from finding an unmarked form
            # by its name to marking it, or two cells would take the same one.
            with _MAKING:
                form_id = self._make(spec)
        form = self._forms(forms.get(formId=form_id), form_id)
        if not _published(form) and _shape(form) != _shape({"items": _items(spec)}):
            form = self._fill(form, spec)
        self._share_editors(form_id)
        return FormRef(form_id=form_id, url=str(form.get("responderUri", "")))

    def _find_marked(self, spec: FormSpec) -> str | None:
        """The round's form, marked with its round and spreadsheet."""
        marks = " and ".join(
            f"appProperties has {{ key={_quote(k)} and value={_quote(v)} }}"
            for k, v in ((ROUND_KEY, spec.round_id), (OWNER_KEY, spec.owner))
        )
        found = self._list(self.apis.service("drive").files(), f"{marks} and trashed = false")
        return str(found[0]["id"]) if found else None

    def _make(self, spec: FormSpec) -> str:
        """An unmarked form with the round's exact Drive name (a build that stopped before
        marking it), else a new one; then marked."""
        drive = self.apis.service("drive").files()
        named = self._list(drive, f"name = {_quote(document_title(spec))} and "
                                  f"mimeType = {_quote(FORM_MIME)} and trashed = false")
        unmarked = [f for f in named if ROUND_KEY not in (f.get("appProperties") or {})]
        if unmarked:
            form_id = str(unmarked[0]["id"])
        else:
            # Not retried here: if Google made the form but its answer was lost, the next
            # build finds it by its name instead of making a second one.
            created = dict(self.apis.execute(self.apis.service("forms").forms().create(
                body={"info": {"title": _one_line(spec.title),
                               "documentTitle": document_title(spec)}},
                unpublished=True,
            ), api="forms", retry=False))
            form_id = str(created["formId"])
        self._drive(drive.update(
            fileId=form_id, body={"appProperties": {ROUND_KEY: spec.round_id,
                                                    OWNER_KEY: spec.owner}},
            fields="id",
        ), form_id)
        return form_id

    def _list(self, files: Any, query: str) -> list[dict[str, Any]]:
        answer = self.apis.execute(files.list(
            q=query, spaces="drive", pageSize=100,
            fields="files(id,name,createdTime,appProperties)",
        ), api="drive")
        return sorted(answer.get("files", []), key=lambda f: str(f.get("createdTime", "")))

    def _fill(self, form: dict[str, Any], spec: FormSpec) -> dict[str, Any]:
        """Settings, description and every item in one atomic batchUpdate."""
        language = spec.language
        description = spec.description.strip() or DESCRIPTION(
            language, count=len(spec.questions), time=_duration(spec.seconds_allowed, language))
        # What a crashed or older build left: removed last first, so indexes stay valid, and
        # before the settings (a graded item left over would keep the form a quiz).
        requests: list[dict[str, Any]] = [
            {"deleteItem": {"location": {"index": index}}}
            for index in reversed(range(len(form.get("items", []))))
        ]
        requests += [
            {"updateSettings": {
                "settings": {"quizSettings": {"isQuiz": _graded(spec)}, "emailCollectionType":
                             "VERIFIED" if spec.identity == "email" else "DO_NOT_COLLECT"},
                "updateMask": "quizSettings.isQuiz,emailCollectionType",
            }},
            {"updateFormInfo": {"info": {"title": _one_line(spec.title),
                                         "description": description},
                                "updateMask": "title,description"}},
        ]
        for index, item in enumerate(_items(spec)):
            requests.append({"createItem": {"item": item, "location": {"index": index}}})
        answer = self._forms(self.apis.service("forms").forms().batchUpdate(
            formId=form["formId"], body={"includeFormInResponse": True, "requests": requests},
        ), form["formId"])
        return dict(answer.get("form") or form)

    def _permissions(self, form_id: str) -> list[dict[str, Any]]:
        answer = self._drive(self.apis.service("drive").permissions().list(
            fileId=form_id, includePermissionsForView="published",  # else not listed
            fields="permissions(id,type,role,emailAddress,view)"), form_id)
        return list(answer.get("permissions", []))

    def _share_editors(self, form_id: str) -> None:
        """``share_with`` may edit the form; only the permissions still missing are made."""
        if not self.share_with:
            return
        have = self._permissions(form_id)
        editors = {str(p.get("emailAddress", "")).casefold() for p in have
                   if p.get("type") == "user" and p.get("role") in ("writer", "owner")}
        for email in self.share_with:
            if email.casefold() not in editors:
                self._drive(self.apis.service("drive").permissions().create(
                    fileId=form_id, body={"type": "user", "role": "writer", "emailAddress": email},
                    sendNotificationEmail=False, fields="id",
                ), form_id, share=email)

    def _share_responders(self, form_id: str) -> None:
        """Anyone with the link may respond (the form is published by now, as Google needs)."""
        have = self._permissions(form_id)
        if not any(p.get("type") == "anyone" and p.get("view") == "published" for p in have):
            self._drive(self.apis.service("drive").permissions().create(
                fileId=form_id, body={"type": "anyone", "role": "reader", "view": "published"},
                fields="id",
            ), form_id)

    # --- opening and closing --------------------------------------------------------

    def open(self, form_id: str, duration: timedelta) -> datetime:
        """Published and accepting (Google cannot close by itself: the tick closes it).

        The first opening time is kept on the form (Drive ``appProperties``), so
        a round whose schedule could not be written still knows when it opened.
        """
        del duration
        self._publish(form_id, accepting=True)
        self._share_responders(form_id)
        return self._first_time(form_id, OPENED_KEY, clear=CLOSED_KEY)

    def restate(self, form_id: str, description: str) -> None:
        """The form's description, again: the rules with the deadline it really has."""
        self._forms(self.apis.service("forms").forms().batchUpdate(formId=form_id, body={
            "requests": [{"updateFormInfo": {"info": {"description": description},
                                             "updateMask": "description"}}]}), form_id)

    def close(self, form_id: str) -> datetime:
        """Published but not accepting, so the link says the form is closed."""
        self._publish(form_id, accepting=False)
        return self._first_time(form_id, CLOSED_KEY)

    def status(self, form_id: str) -> FormStatus:
        """Accepting or not (the form's publish state), and since when (its marks)."""
        form = self._forms(self.apis.service("forms").forms().get(formId=form_id), form_id)
        state = (form.get("publishSettings") or {}).get("publishState") or {}
        marks = self._marks(form_id)
        return FormStatus(
            accepting=bool(state.get("isPublished") and state.get("isAcceptingResponses")),
            opened_at=_moment(marks.get(OPENED_KEY)),
            closed_at=_moment(marks.get(CLOSED_KEY)),
            titles=tuple(_question_titles(form).values()),
        )

    def _marks(self, form_id: str) -> dict[str, str]:
        answer = self._drive(self.apis.service("drive").files().get(
            fileId=form_id, fields="appProperties"), form_id)
        return {str(k): str(v) for k, v in (answer.get("appProperties") or {}).items()}

    def _first_time(self, form_id: str, key: str, *, clear: str = "") -> datetime:
        """The moment kept under ``key`` on the form, set to now if there is none yet."""
        marks = self._marks(form_id)
        kept = _moment(marks.get(key))
        if kept is not None and not (clear and marks.get(clear)):
            return kept
        now = self.clock()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        update: dict[str, str | None] = {key: now.isoformat()} if kept is None else {}
        if clear and marks.get(clear):
            update[clear] = None  # opened again after a close by hand
        self._drive(self.apis.service("drive").files().update(
            fileId=form_id, body={"appProperties": update}, fields="id"), form_id)
        return kept or now

    def _publish(self, form_id: str, *, accepting: bool) -> None:
        self._forms(self.apis.service("forms").forms().setPublishSettings(
            formId=form_id, body={
                "publishSettings": {"publishState": {"isPublished": True,
                                                     "isAcceptingResponses": accepting}},
                "updateMask": "publishState",
            },
        ), form_id)

    # --- responses -----------------------------------------------------------------

    def responses(self, form_id: str) -> list[FormResponse]:
        """Every response: one forms.get (question titles), then responses.list pages."""
        forms = self.apis.service("forms").forms()
        form = self._forms(forms.get(formId=form_id), form_id)
        titles = _question_titles(form)
        identity = next((str(q["questionId"]) for q in _questions(form)
                         if (q.get("choiceQuestion") or {}).get("type") == "DROP_DOWN"), "")
        asks_code = any(q.get("questionId") == CODE_QUESTION_ID for q in _questions(form))
        result: list[FormResponse] = []
        token: str | None = None
        while True:
            page = self._forms(forms.responses().list(
                formId=form_id, pageSize=self.page_size, pageToken=token), form_id)
            result += [_response(r, titles, identity, asks_code)
                       for r in page.get("responses", [])]
            token = page.get("nextPageToken")
            if not token:
                return result

    # --- plumbing ------------------------------------------------------------------

    def _forms(self, request: Any, form_id: str = "") -> dict[str, Any]:
        what = FORM(self.language, id=form_id) if form_id else ""
        return dict(self.apis.execute(request, api="forms", what=what))

    def _drive(self, request: Any, form_id: str, *, share: str = "") -> dict[str, Any]:
        """A Drive call about the form; ``share``: the address being given access (named
        when Google refuses it)."""
        what = FORM(self.language, id=form_id)
        return dict(self.apis.execute(request, api="drive", what=what, share=share))


def _graded(spec: FormSpec) -> bool:
    """A graded Google quiz only when asked for (show_score_after_submit), never a survey."""
    return spec.graded and spec.kind == "quiz"


def _items(spec: FormSpec) -> list[dict[str, Any]]:
    """The form's items: the roster drop-down (if any), the personal code (if asked), then
    each question; the answer key only on a graded quiz."""
    language = spec.language
    items: list[dict[str, Any]] = []
    if spec.identity == "roster":
        items.append({"title": IDENTITY_TITLE(language), "questionItem": {"question": {
            "required": True,
            "choiceQuestion": {"type": "DROP_DOWN",
                               "options": [{"value": _one_line(n)} for n in spec.member_names]},
        }}})
    if spec.ask_code:
        items.append({"title": CODE_TITLE(language), "description": CODE_HELP(language),
                      "questionItem": {"question": {
                          "questionId": CODE_QUESTION_ID, "required": True,
                          "textQuestion": {"paragraph": False}}}})
    graded = _graded(spec)
    items += [_question_item(q, spec, graded) for q in spec.questions]
    return items


def _question_item(question: FormQuestion, spec: FormSpec, graded: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"required": question.required}
    if question.kind == "text":
        body["textQuestion"] = {"paragraph": True}
    else:
        multi = question.multi and spec.kind == "quiz"  # a survey's criteria: one answer each
        body["choiceQuestion"] = {
            "type": "CHECKBOX" if multi else "RADIO",
            "options": [{"value": _one_line(o)} for o in question.options],
            "shuffle": spec.shuffle_options and spec.kind == "quiz",
        }
        if graded and question.correct:
            grading: dict[str, Any] = {
                "pointValue": question.points,
                "correctAnswers": {"answers": [{"value": _one_line(c)} for c in question.correct]},
            }
            if question.explanation.strip():
                grading["whenRight"] = {"text": question.explanation.strip()}
                grading["whenWrong"] = {"text": question.explanation.strip()}
            body["grading"] = grading
    return {"title": _one_line(question.title), "questionItem": {"question": body}}


def _shape(form: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What decides whether a form's items are the ones the spec asks for."""
    shape = []
    for item in form.get("items", []):
        question = (item.get("questionItem") or {}).get("question") or {}
        choice = question.get("choiceQuestion") or {}
        grading = question.get("grading") or {}
        shape.append((
            item.get("title", ""), choice.get("type"), bool(choice.get("shuffle", False)),
            tuple(o.get("value") for o in choice.get("options", [])),
            bool(question.get("required", False)), "textQuestion" in question,
            question.get("questionId") == CODE_QUESTION_ID,
            "grading" in question, grading.get("pointValue", 0),
            tuple(a.get("value") for a in (grading.get("correctAnswers") or {}).get("answers", [])),
            (grading.get("whenRight") or {}).get("text", ""),
        ))
    return shape


def _questions(form: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for item in form.get("items", [])
            if (q := (item.get("questionItem") or {}).get("question"))]


def _question_titles(form: dict[str, Any]) -> dict[str, str]:
    """Question id → title of the round's questions (the roster and the code left out)."""
    return {
        str(question["questionId"]): str(item.get("title", ""))
        for item in form.get("items", [])
        if (question := (item.get("questionItem") or {}).get("question"))
        and (question.get("choiceQuestion") or {}).get("type") != "DROP_DOWN"
        and question.get("questionId") != CODE_QUESTION_ID
    }


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _published(form: dict[str, Any]) -> bool:
    state = (form.get("publishSettings") or {}).get("publishState") or {}
    return bool(state.get("isPublished"))


def _response(raw: dict[str, Any], titles: dict[str, str], identity: str, asks_code: bool
              ) -> FormResponse:
    """One response: the first submission's time (``createTime``); a later
    ``lastSubmittedTime`` means the member edited it afterwards (``edited_at``)."""
    answers: dict[str, tuple[str, ...]] = {}
    respondent = str(raw.get("respondentEmail", ""))
    code: str | None = "" if asks_code else None
    for question_id, answer in (raw.get("answers") or {}).items():
        values = tuple(str(a.get("value", "")) for a in
                       (answer.get("textAnswers") or {}).get("answers", []))
        if question_id == identity:
            respondent = values[0] if values else respondent
        elif question_id == CODE_QUESTION_ID:
            code = values[0] if values else ""
        elif question_id in titles:
            answers[titles[question_id]] = values
    created = _timestamp(raw.get("createTime") or raw.get("lastSubmittedTime"))
    last = _timestamp(raw.get("lastSubmittedTime") or raw.get("createTime"))
    return FormResponse(
        response_id=str(raw.get("responseId", "")),
        respondent=respondent,
        submitted_at=created,
        answers=answers,
        code=code,
        edited_at=last if last > created else None,
    )


def _timestamp(text: object) -> datetime:
    """Google's RFC 3339 time (``Z``, up to nanoseconds) as an aware datetime."""
    value = str(text).replace("Z", "+00:00")
    head, dot, rest = value.partition(".")
    if dot:
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    return datetime.fromisoformat(value)
