"""Forms v1: create, get, batchUpdate (atomic), publish settings, responses, grading, members."""

from __future__ import annotations

import base64
import copy
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import discovery, fields
from .errors import ApiError, bad_request, denied, not_found
from .state import Call, Json, State, hex_id, new_id, parse_rfc3339, rfc3339

FORM_MIME = "application/vnd.google-apps.form"
MAX_PAGE = 5000
CHOICE_TYPES = ("RADIO", "CHECKBOX", "DROP_DOWN")
ITEM_KINDS = (
    "questionItem",
    "questionGroupItem",
    "pageBreakItem",
    "textItem",
    "imageItem",
    "videoItem",
)
QUESTION_KINDS = (
    "choiceQuestion",
    "textQuestion",
    "scaleQuestion",
    "dateQuestion",
    "timeQuestion",
    "fileUploadQuestion",
    "rowQuestion",
    "ratingQuestion",
)


def new_form(
    state: State, form_id: str, title: str, document_title: str, base_url: str, published: bool
) -> Json:
    """A blank form as Google creates it (the Drive file is made by the caller)."""
    form: Json = {
        "formId": form_id,
        "info": {"title": title, "documentTitle": document_title},
        "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
        "revisionId": "00000001",
        "responderUri": f"https://docs.google.com/forms/d/e/{new_id(56, '1FAIpQL')}/viewform",
        "publishSettings": {
            "publishState": {"isPublished": published, "isAcceptingResponses": published}
        },
    }
    if not title:
        del form["info"]["title"]
    state.forms[form_id] = form
    state.responses[form_id] = []
    return form


def _form(call: Call, write: bool) -> Json:
    """The form in the path; responses, like edits, need edit access (as in Google Forms)."""
    form_id = call.path["formId"]
    if form_id not in call.state.forms:
        raise not_found()
    call.require(form_id, write)
    return call.state.forms[form_id]


def _view(form: Json) -> Json:
    out = copy.deepcopy(form)
    if not out.get("items"):
        out.pop("items", None)
    return out


# --- create / get ----------------------------------------------------------------------------


def create(call: Call) -> Json:
    body = call.body or {}
    info = body.get("info") or {}
    extra = [k for k in body if k != "info" and body[k] is not None]
    extra += [
        f"info.{k}" for k in info if k not in ("title", "documentTitle") and info[k] is not None
    ]
    if extra:
        raise bad_request(
            "Only info.title and info.document_title may be set when creating a form; "
            f"got {', '.join(discovery.snake(e) for e in extra)}. Use batchUpdate to add items "
            "and change settings."
        )
    title = info.get("title") or ""
    document_title = info.get("documentTitle") or title or "Untitled form"
    call.refuse_robot_storage()
    record = call.created(call.state.add_file(call.email, document_title, FORM_MIME))
    published = not call.query.get("unpublished", False)
    return _view(
        new_form(call.state, record["id"], title, document_title, call.base_url, published)
    )


def get(call: Call) -> Json:
    return _view(_form(call, write=False))


# --- batchUpdate -----------------------------------------------------------------------------


def _mask(text: str | None, where: str, allowed: Callable[[list[str]], bool]) -> list[list[str]]:
    if not text or not text.strip():
        raise bad_request(f"{where}: updateMask cannot be empty")
    if text.strip() == "*":
        return [["*"]]
    paths = [[p for p in part.strip().split(".")] for part in text.split(",")]
    for path in paths:
        if not all(path) or not allowed(path):
            raise bad_request(f'{where}: Invalid field mask path: "{".".join(path)}"')
    return paths


def _schema_has(ref: str, path: list[str]) -> bool:
    schemas = discovery.load("forms").schemas
    spec: Json = {"$ref": ref}
    for part in path:
        while "$ref" in spec:
            spec = schemas[spec["$ref"]]
        props = spec.get("properties") or {}
        if part not in props or props[part].get("readOnly"):
            return False
        spec = props[part]
    return True


def _is_quiz(form: Json) -> bool:
    return bool(((form.get("settings") or {}).get("quizSettings") or {}).get("isQuiz"))


def _questions(item: Json) -> list[Json]:
    if "questionItem" in item:
        return [(item["questionItem"] or {}).get("question") or {}]
    if "questionGroupItem" in item:
        return list((item["questionGroupItem"] or {}).get("questions") or [])
    return []


def _check_item(form: Json, item: Json, where: str, taken_ids: set[str]) -> None:
    """Google's rules for an item: one kind, valid question, grading only on quizzes."""
    kinds = [k for k in ITEM_KINDS if k in item]
    if len(kinds) != 1:
        raise bad_request(
            f"{where}: an item must have exactly one kind (questionItem, textItem, …)"
        )
    item_id = item.get("itemId")
    if item_id is not None:
        if not re.fullmatch(r"[0-9a-f]{1,8}", item_id) or item_id in taken_ids:
            raise bad_request(f"{where}: Invalid ID: {item_id}")
        taken_ids.add(item_id)
    for question in _questions(item):
        qkinds = [k for k in QUESTION_KINDS if k in question]
        if len(qkinds) != 1:
            raise bad_request(f"{where}: a question must have exactly one kind")
        qid = question.get("questionId")
        if qid is not None:
            if not re.fullmatch(r"[0-9a-f]{1,8}", qid) or qid in taken_ids:
                raise bad_request(f"{where}: Invalid ID: {qid}")
            taken_ids.add(qid)
        choice = question.get("choiceQuestion")
        values: list[str] = []
        if choice is not None:
            if choice.get("type") not in CHOICE_TYPES:
                raise bad_request(
                    f"{where}: choice_question.type must be RADIO, CHECKBOX or DROP_DOWN"
                )
            options = choice.get("options") or []
            if not options:
                raise bad_request(f"{where}: A choice question must have at least one option")
            values = [o.get("value", "") for o in options if not o.get("isOther")]
            if any(v == "" for v in values):
                raise bad_request(f"{where}: Option values cannot be empty")
            if len(values) != len(set(values)):
                raise bad_request(f"{where}: Option values must be unique")
        grading = question.get("grading")
        if grading is None:
            continue
        if not _is_quiz(form):
            raise bad_request(f"{where}: Grading can only be set on questions in a quiz")
        if grading.get("pointValue", 0) < 0:
            raise bad_request(f"{where}: point_value must not be negative")
        if choice is not None and not (grading.get("correctAnswers") or {}).get("answers"):
            raise bad_request(f"{where}: grading.correct_answers is required")
        correct = [a.get("value") for a in (grading.get("correctAnswers") or {}).get("answers", [])]
        if choice is not None:
            for value in correct:
                if value not in values:
                    raise bad_request(
                        f'{where}: Correct answer "{value}" is not one of the question\'s options'
                    )
            if choice.get("type") != "CHECKBOX" and len(correct) > 1:
                raise bad_request(
                    f"{where}: A {choice['type']} question can have only one correct answer"
                )


def _all_ids(items: list[Json]) -> set[str]:
    ids: set[str] = set()
    for item in items:
        if item.get("itemId"):
            ids.add(item["itemId"])
        for question in _questions(item):
            if question.get("questionId"):
                ids.add(question["questionId"])
    return ids


def _assign_ids(item: Json, taken: set[str]) -> None:
    def fresh() -> str:
        while True:
            candidate = hex_id()
            if candidate not in taken:
                taken.add(candidate)
                return candidate

    if not item.get("itemId"):
        item["itemId"] = fresh()
    for question in _questions(item):
        if not question.get("questionId"):
            question["questionId"] = fresh()


def _index(location: Json | None, size: int, where: str, inclusive: bool = False) -> int:
    if not location or "index" not in location:
        raise bad_request(f"{where}: location.index is required")
    index = location["index"]
    limit = size if inclusive else size - 1
    if not 0 <= index <= limit:
        raise bad_request(
            f"{where}: Index {index} must be between 0 and {limit} (the form has {size} items)"
        )
    return int(index)


def _create_item(form: Json, args: Json, where: str) -> Json:
    items = form.setdefault("items", [])
    item = copy.deepcopy(args.get("item") or {})
    index = _index(args.get("location"), len(items), where, inclusive=True)
    _check_item(form, item, f"{where}.item", _all_ids(items))
    _assign_ids(item, _all_ids(items))
    items.insert(index, item)
    reply: Json = {"itemId": item["itemId"]}
    qids = [q["questionId"] for q in _questions(item)]
    if qids:
        reply["questionId"] = qids
    return {"createItem": reply}


def _update_item(form: Json, args: Json, where: str) -> Json:
    items = form.get("items") or []
    paths = _mask(args.get("updateMask"), where, lambda p: _schema_has("Item", p))
    index = _index(args.get("location"), len(items), where)
    current = items[index]
    given = copy.deepcopy(args.get("item") or {})
    if given.get("itemId") and given["itemId"] != current["itemId"]:
        raise bad_request(f"{where}: item_id cannot be changed")
    updated = copy.deepcopy(current)
    fields.apply_mask(updated, given, paths, keep=("itemId",))
    old_qids = {q.get("questionId") for q in _questions(current)}
    for question in _questions(updated):
        if question.get("questionId") in old_qids:
            continue
        if question.get("questionId"):
            raise bad_request(f"{where}: question_id cannot be changed")
    others = _all_ids(items[:index] + items[index + 1 :])
    _check_item(form, updated, f"{where}.item", set(others))
    _assign_ids(updated, others | _all_ids([updated]))
    items[index] = updated
    return {}


def _delete_item(form: Json, args: Json, where: str) -> Json:
    items = form.get("items") or []
    del items[_index(args.get("location"), len(items), where)]
    return {}


def _move_item(form: Json, args: Json, where: str) -> Json:
    items = form.get("items") or []
    start = _index(args.get("originalLocation"), len(items), f"{where}.original_location")
    end = _index(args.get("newLocation"), len(items), f"{where}.new_location")
    items.insert(end, items.pop(start))
    return {}


def _update_form_info(form: Json, args: Json, where: str) -> Json:
    paths = _mask(args.get("updateMask"), where, lambda p: p in (["title"], ["description"]))
    info = args.get("info") or {}
    if paths == [["*"]]:
        if info.get("documentTitle") is not None:
            raise bad_request(
                f"{where}: info.document_title is read-only; rename the file in Drive"
            )
        paths = [["title"], ["description"]]
    fields.apply_mask(form["info"], info, paths)
    return {}


def _update_settings(form: Json, args: Json, where: str) -> Json:
    allowed = (["quizSettings"], ["quizSettings", "isQuiz"], ["emailCollectionType"])
    paths = _mask(args.get("updateMask"), where, lambda p: p in allowed)
    settings = form.setdefault("settings", {})
    fields.apply_mask(settings, args.get("settings") or {}, paths)
    if settings.get("quizSettings") == {}:
        settings.pop("quizSettings")
    return {}


_REQUESTS: dict[str, Callable[[Json, Json, str], Json]] = {
    "createItem": _create_item,
    "updateItem": _update_item,
    "deleteItem": _delete_item,
    "moveItem": _move_item,
    "updateFormInfo": _update_form_info,
    "updateSettings": _update_settings,
}


def batch_update(call: Call) -> Json:
    form = _form(call, write=True)
    body = call.body or {}
    control = body.get("writeControl") or {}
    required = control.get("requiredRevisionId")
    if required is not None and required != form["revisionId"]:
        raise ApiError(
            400,
            f"The required revision ID '{required}' does not match the form's current revision.",
            "FAILED_PRECONDITION",
        )
    working = copy.deepcopy(form)
    replies: list[Json] = []
    for i, request in enumerate(body.get("requests") or []):
        kinds = [k for k in request if request[k] is not None]
        if not kinds:
            raise bad_request(f"Invalid requests[{i}]: No request set.")
        if len(kinds) > 1:
            raise bad_request(f"Invalid requests[{i}]: oneof field 'kind' is already set.")
        kind = kinds[0]
        replies.append(
            _REQUESTS[kind](working, request[kind] or {}, f"requests[{i}].{discovery.snake(kind)}")
        )
    if body.get("requests"):
        working["revisionId"] = f"{int(form['revisionId'], 16) + 1:08x}"
    form.clear()
    form.update(working)  # all requests succeeded: commit them together
    call.state.touch(form["formId"], call.email)
    out: Json = {"writeControl": {"requiredRevisionId": form["revisionId"]}}
    if replies:
        out["replies"] = replies
    if body.get("includeFormInResponse"):
        out["form"] = _view(form)
    return out


def set_publish_settings(call: Call) -> Json:
    form = _form(call, write=True)
    body = call.body or {}
    mask = body.get("updateMask")
    if mask is not None and mask.strip() not in ("*", "publishState", "publish_state"):
        raise bad_request(f'Invalid field mask path: "{mask}"')
    state = dict((body.get("publishSettings") or {}).get("publishState") or {})
    if "isPublished" not in state:
        raise bad_request(
            "publish_settings.publish_state: both is_published and "
            "is_accepting_responses must be set"
        )
    if not state["isPublished"]:
        # Google's reference: "If is_published is set to false, this field is forced to false."
        if state.get("isAcceptingResponses"):
            raise bad_request("A form cannot accept responses while it is unpublished.")
        state["isAcceptingResponses"] = False
    elif "isAcceptingResponses" not in state:
        # The reference: "When updating publish_state, both is_published and
        # is_accepting_responses must be set" (only an unpublished form has a forced value).
        raise bad_request(
            "publish_settings.publish_state: both is_published and "
            "is_accepting_responses must be set"
        )
    form["publishSettings"] = {
        "publishState": {
            "isPublished": bool(state["isPublished"]),
            "isAcceptingResponses": bool(state["isAcceptingResponses"]),
        }
    }
    return {"formId": form["formId"], "publishSettings": copy.deepcopy(form["publishSettings"])}


# --- responses -------------------------------------------------------------------------------

_FILTER = re.compile(r"^\s*timestamp\s*(>=|>)\s*(\S+)\s*$")


def _page_token(offset: int, form_id: str) -> str:
    return base64.urlsafe_b64encode(f"{form_id}:{offset}".encode()).decode().rstrip("=")


def _page_offset(token: str, form_id: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        owner, _, offset = raw.rpartition(":")
        if owner != form_id:
            raise ValueError(token)
        return int(offset)
    except ValueError:
        raise bad_request("Invalid page token.") from None


def list_responses(call: Call) -> Json:
    form = _form(call, write=True)
    responses = sorted(
        call.state.responses.get(form["formId"], []), key=lambda r: r["lastSubmittedTime"]
    )
    text = call.query.get("filter")
    if text:
        found = _FILTER.match(text)
        if not found:
            raise bad_request(f"Invalid filter: {text}")
        try:
            since = parse_rfc3339(found.group(2))
        except ValueError:
            raise bad_request(f"Invalid timestamp in filter: {found.group(2)}") from None
        strict = found.group(1) == ">"
        responses = [
            r
            for r in responses
            if (parse_rfc3339(r["lastSubmittedTime"]) > since)
            or (not strict and parse_rfc3339(r["lastSubmittedTime"]) == since)
        ]
    size = call.query.get("pageSize") or MAX_PAGE
    if size < 0:
        raise bad_request("page_size must not be negative")
    size = min(size, MAX_PAGE)
    token = call.query.get("pageToken")
    start = _page_offset(token, form["formId"]) if token else 0
    page = responses[start : start + size]
    out: Json = {}
    if page:
        out["responses"] = copy.deepcopy(page)
    if start + size < len(responses):
        out["nextPageToken"] = _page_token(start + size, form["formId"])
    return out


def get_response(call: Call) -> Json:
    form = _form(call, write=True)
    for response in call.state.responses.get(form["formId"], []):
        if response["responseId"] == call.path["responseId"]:
            return copy.deepcopy(response)
    raise not_found()


def _all_questions(form: Json) -> dict[str, Json]:
    return {q["questionId"]: q for item in form.get("items") or [] for q in _questions(item)}


def _grade(question: Json, values: list[str]) -> Json | None:
    grading = question.get("grading")
    if grading is None:
        return None
    correct = {a.get("value") for a in (grading.get("correctAnswers") or {}).get("answers", [])}
    choice = question.get("choiceQuestion")
    if choice is not None and choice.get("type") in CHOICE_TYPES:
        right = set(values) == correct
    elif correct:
        right = len(values) == 1 and values[0] in correct
    else:
        return None
    return {"score": grading.get("pointValue", 0) if right else 0, "correct": right}


def submit(state: State, form_id: str, body: Json, now: datetime) -> Json:
    """A member's submission: checked like the Google Forms page checks it, then graded."""
    form = state.forms.get(form_id)
    if form is None:
        raise not_found()
    publish = (form.get("publishSettings") or {}).get("publishState") or {}
    if not publish.get("isPublished"):
        raise denied("This form is not published.")
    if not publish.get("isAcceptingResponses"):
        raise denied("This form is no longer accepting responses.")
    questions = _all_questions(form)
    given = body.get("answers") or {}
    if not isinstance(given, dict):
        raise bad_request("answers must be an object keyed by question id")
    answers: Json = {}
    total = 0.0
    for qid, answer in given.items():
        question = questions.get(qid)
        if question is None:
            raise bad_request(f"Unknown question id: {qid}")
        raw = ((answer or {}).get("textAnswers") or {}).get("answers") or []
        values = [str(a.get("value", "")) for a in raw if str(a.get("value", "")) != ""]
        if not values:
            continue
        choice = question.get("choiceQuestion")
        if choice is not None:
            options = {o.get("value") for o in choice.get("options") or [] if not o.get("isOther")}
            allows_other = any(o.get("isOther") for o in choice.get("options") or [])
            for value in values:
                if value not in options and not allows_other:
                    raise bad_request(f'"{value}" is not an option of question {qid}')
            if choice.get("type") != "CHECKBOX" and len(values) > 1:
                raise bad_request(f"Question {qid} accepts one answer only")
        entry: Json = {
            "questionId": qid,
            "textAnswers": {"answers": [{"value": v} for v in values]},
        }
        grade = _grade(question, values) if _is_quiz(form) else None
        if grade is not None:
            entry["grade"] = grade
            total += grade["score"]
        answers[qid] = entry
    for qid, question in questions.items():
        if question.get("required") and qid not in answers:
            raise bad_request(f"Question {qid} is required")
    collect = (form.get("settings") or {}).get("emailCollectionType", "DO_NOT_COLLECT")
    email = body.get("respondentEmail")
    if collect in ("VERIFIED", "RESPONDER_INPUT") and not email:
        raise bad_request("This form collects email addresses: respondentEmail is required")
    submitted = body.get("submitTime")
    moment = parse_rfc3339(submitted) if submitted else now
    stamp = rfc3339(moment)
    if body.get("_edit") is not None:  # a member editing a response keeps its createTime
        response = body["_edit"]
        response["answers"] = answers
        response["lastSubmittedTime"] = stamp
        if _is_quiz(form):
            response["totalScore"] = total
        else:
            response.pop("totalScore", None)
        return copy.deepcopy(response)
    response: Json = {
        "formId": form_id,
        "responseId": "ACYDBN" + secrets.token_urlsafe(40).replace("-", "x").replace("_", "y"),
        "createTime": stamp,
        "lastSubmittedTime": stamp,
        "answers": answers,
    }
    if collect in ("VERIFIED", "RESPONDER_INPUT"):
        response["respondentEmail"] = email
    if _is_quiz(form):
        response["totalScore"] = total
    state.responses.setdefault(form_id, []).append(response)
    return copy.deepcopy(response)


def member_view(state: State, form_id: str) -> Json:
    """The form's published page, as a member sees it before submitting.

    Google shows the title, description and questions; a quiz's key, points and feedback
    are never on the page (only the quiz's own release after submitting shows them).
    """
    form = state.forms.get(form_id)
    publish = ((form or {}).get("publishSettings") or {}).get("publishState") or {}
    if form is None or not publish.get("isPublished"):
        raise not_found()
    items = []
    for item in form.get("items") or []:
        shown = copy.deepcopy(item)
        for question in _questions(shown):
            question.pop("grading", None)
        items.append(shown)
    return {"info": copy.deepcopy(form["info"]), "items": items,
            "acceptingResponses": bool(publish.get("isAcceptingResponses"))}


def confirmation(form: Json, response: Json) -> Json:
    """What the page shows right after submitting.

    A quiz made through the API releases the grade at once (Google's default release, which
    the API cannot change): the score, each question's right answers and the feedback. Any
    other form just says the response was recorded.
    """
    shown: Json = {"message": "Your response has been recorded."}
    if not _is_quiz(form):
        return shown
    questions = _all_questions(form)
    shown["totalScore"] = response.get("totalScore", 0)
    shown["questions"] = {}
    for qid, answer in (response.get("answers") or {}).items():
        grading = questions[qid].get("grading")
        if grading is None:
            continue
        shown["questions"][qid] = {
            "grade": answer.get("grade"),
            "correctAnswers": copy.deepcopy(grading.get("correctAnswers")),
            "feedback": copy.deepcopy(grading.get("whenRight") or grading.get("generalFeedback")),
        }
    return shown


def member_submit(state: State, form_id: str, body: Any) -> Json:
    """The member route: the body as the Forms page would post it, timed now.

    Answers ``{"responseId", "shown"}``: the new response's id, and what the page shows.
    """
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object")
    try:
        response = submit(state, form_id, body, state.now())
    except ValueError as err:
        raise bad_request(f"Invalid submitTime: {err}") from None
    return {"responseId": response["responseId"],
            "shown": confirmation(state.forms[form_id], response)}


def member_edit(state: State, form_id: str, response_id: str, body: Any) -> Json:
    """A member edits their response (the "edit your response" link): new answers and a new
    ``lastSubmittedTime``; ``createTime`` stays the first submission's."""
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object")
    found = next((r for r in state.responses.get(form_id, [])
                  if r["responseId"] == response_id), None)
    if found is None:
        raise not_found()
    try:
        edited = {"respondentEmail": found.get("respondentEmail"), **body, "_edit": found}
        response = submit(state, form_id, edited, state.now())
    except ValueError as err:
        raise bad_request(f"Invalid submitTime: {err}") from None
    return {"responseId": response_id, "shown": confirmation(state.forms[form_id], response)}


HANDLERS: dict[str, Callable[[Call], Json]] = {
    "forms.forms.create": create,
    "forms.forms.get": get,
    "forms.forms.batchUpdate": batch_update,
    "forms.forms.setPublishSettings": set_publish_settings,
    "forms.forms.responses.list": list_responses,
    "forms.forms.responses.get": get_response,
}
