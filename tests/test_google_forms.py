"""GoogleForms through the fake Google over HTTP, with the real google-api-python-client."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automation import auth, googlebackend
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.forms import CODE_QUESTION_ID, OWNER_KEY, ROUND_KEY, GoogleForms, document_title
from automation.ports import BackendError, FormQuestion, FormSpec, InputError
from tests.fakegoogle import ApiError

ADMIN = "admin@example.com"
SECRETARY = "bithu@example.com"
MEMBERS = ("Nguyễn Văn A", "Trần Thị B", "Lê Văn C")


def no_sleep(_: float) -> None:
    """Backoff waits are skipped in tests."""


def spec(identity: str = "roster", round_id: str = "2026-11", **more: Any) -> FormSpec:
    questions = (
        FormQuestion("Đảng Cộng sản Việt Nam thành lập năm nào?", ("1930", "1945", "1954"),
                     multi=False, points=1, correct=("1930",), explanation="Ngày 3/2/1930."),
        FormQuestion("Những văn kiện nào\nlà nghị quyết?", ("NQ 21", "CT 05", "NQ 57"),
                     multi=True, points=2, correct=("NQ 21", "NQ 57")),
    )
    return FormSpec(round_id=round_id, owner="sheet-123", title=f"Thi tháng {round_id}",
                    description="", identity=identity, member_names=MEMBERS,
                    questions=questions, shuffle_options=True, seconds_allowed=60, **more)


@pytest.fixture
def setup(fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[Any, Settings]:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    credentials = tmp_path / "credentials.json"
    fake_google.authorized_user_file(credentials, email=ADMIN, scopes=auth.SIGN_IN_SCOPES)
    spreadsheet_id = fake_google.create_spreadsheet(ADMIN, "Thi", {"Lịch thi": [["Kỳ thi"]]})
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=credentials, share_with=(SECRETARY,)))
    return fake_google, settings


def forms_of(settings: Settings, **overrides: Any) -> GoogleForms:
    _, forms = googlebackend.connect(settings, sleep=no_sleep, **overrides)
    return forms


def creates(fake: Any) -> int:
    return sum(1 for r in fake.requests() if r["method"] == "POST" and
               r["path"].split("?")[0] == "/v1/forms")


def question_ids(fake: Any, form_id: str) -> dict[str, str]:
    """Item title → questionId, from the fake's copy of the form."""
    return {item["title"]: item["questionItem"]["question"]["questionId"]
            for item in fake.form(form_id)["items"] if "questionItem" in item}


def test_build_makes_a_form_with_no_answer_key_and_the_roster_first(setup: Any) -> None:
    fake, settings = setup
    ref = forms_of(settings).build(spec())
    form = fake.form(ref.form_id)
    assert ref.url == form["responderUri"]
    assert not form["settings"].get("quizSettings", {}).get("isQuiz")  # rule 8: not a quiz
    assert "2 câu hỏi" in form["info"]["description"]
    items = form["items"]
    assert items[0]["title"] == "Họ và tên"
    roster = items[0]["questionItem"]["question"]
    assert roster["required"] and roster["choiceQuestion"]["type"] == "DROP_DOWN"
    assert [o["value"] for o in roster["choiceQuestion"]["options"]] == list(MEMBERS)
    multi = items[2]["questionItem"]["question"]
    assert items[2]["title"] == "Những văn kiện nào là nghị quyết?"  # no line break in a title
    assert multi["choiceQuestion"]["type"] == "CHECKBOX"
    assert multi["choiceQuestion"]["shuffle"] is True and multi["required"] is True
    for item in items:  # no key, no points, no explanation anywhere on the form
        assert "grading" not in item["questionItem"]["question"]
    assert "3/2/1930" not in str(form)
    assert form["publishSettings"]["publishState"]["isAcceptingResponses"] is False


def test_show_score_after_submit_builds_a_graded_quiz(setup: Any) -> None:
    fake, settings = setup
    ref = forms_of(settings).build(spec(graded=True))
    form = fake.form(ref.form_id)
    assert form["settings"]["quizSettings"]["isQuiz"] is True
    single, multi = (i["questionItem"]["question"] for i in form["items"][1:])
    assert single["grading"]["whenRight"]["text"] == "Ngày 3/2/1930."
    assert multi["grading"]["pointValue"] == 2
    assert [a["value"] for a in multi["grading"]["correctAnswers"]["answers"]] == [
        "NQ 21", "NQ 57"]


@pytest.mark.parametrize("graded", [False, True])
def test_what_a_member_sees_before_the_deadline(setup: Any, graded: bool) -> None:
    """Rule 8: the page and what it shows after submitting hold no key and no score, unless
    the admin asked for a graded quiz (which Google then releases at once)."""
    fake, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec(graded=graded))
    forms.open(ref.form_id, timedelta(minutes=2))
    page = fake.member_view(ref.form_id)
    assert page["acceptingResponses"] and len(page["items"]) == 3
    assert "grading" not in str(page) and "3/2/1930" not in str(page)
    ids = question_ids(fake, ref.form_id)
    shown = fake.member_submit(ref.form_id, {
        ids["Họ và tên"]: ["Nguyễn Văn A"],
        ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1945"],
        ids["Những văn kiện nào là nghị quyết?"]: ["NQ 21"]})["shown"]
    leaked = {"totalScore", "questions"} & set(shown)
    if graded:
        assert leaked and "1930" in str(shown["questions"])  # the key, right after submitting
    else:
        assert not leaked and "1930" not in str(shown) and "NQ 57" not in str(shown)


def test_build_marks_the_form_and_shares_it_with_responders_only_once_open(setup: Any) -> None:
    _fake, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec())
    drive = forms.apis.service("drive")
    record = forms.apis.execute(drive.files().get(fileId=ref.form_id, fields="appProperties"),
                                api="drive")
    assert record["appProperties"] == {ROUND_KEY: "2026-11", OWNER_KEY: "sheet-123"}

    def permissions() -> list[dict[str, Any]]:
        return list(forms.apis.execute(drive.permissions().list(
            fileId=ref.form_id, fields="permissions(type,role,emailAddress,view)",
            includePermissionsForView="published"), api="drive")["permissions"])

    assert any(p.get("emailAddress") == SECRETARY and p["role"] == "writer" for p in permissions())
    assert not any(p["type"] == "anyone" for p in permissions())  # not published yet
    forms.open(ref.form_id, timedelta(minutes=2))
    assert {"type": "anyone", "role": "reader", "view": "published"} in permissions()
    forms.close(ref.form_id)
    forms.open(ref.form_id, timedelta(minutes=2))  # opened again by hand
    assert sum(p["type"] == "anyone" for p in permissions()) == 1


def test_the_personal_code_is_asked_after_the_name_and_kept_apart(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec(ask_code=True, language="en"))
    items = fake.form(ref.form_id)["items"]
    assert items[0]["questionItem"]["question"]["choiceQuestion"]["type"] == "DROP_DOWN"
    code = items[1]["questionItem"]["question"]
    assert code["questionId"] == CODE_QUESTION_ID and code["required"] and "textQuestion" in code
    assert items[1]["title"] == "Your personal code"
    forms.open(ref.form_id, timedelta(minutes=2))
    ids = question_ids(fake, ref.form_id)
    fake.submit(ref.form_id, {ids["Your name"]: ["Trần Thị B"], CODE_QUESTION_ID: ["B-17"],
                              ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1930"],
                              ids["Những văn kiện nào là nghị quyết?"]: ["NQ 21"]})
    (response,) = forms.responses(ref.form_id)
    assert response.respondent == "Trần Thị B" and response.code == "B-17"
    assert set(response.answers) == {"Đảng Cộng sản Việt Nam thành lập năm nào?",
                                     "Những văn kiện nào là nghị quyết?"}
    assert forms.status(ref.form_id).titles == tuple(response.answers)
    with_email = forms.build(spec(identity="email", ask_code=True, round_id="2026-12"))
    first = fake.form(with_email.form_id)["items"][0]["questionItem"]["question"]
    assert first["questionId"] == CODE_QUESTION_ID  # email identity: the code comes first


def test_a_form_that_does_not_ask_for_a_code_reads_none(setup: Any) -> None:
    fake, settings = setup
    forms, form_id, ids = open_form(fake, settings)
    fake.submit(form_id, {ids["Họ và tên"]: ["Lê Văn C"],
                          ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1930"],
                          ids["Những văn kiện nào là nghị quyết?"]: ["NQ 21"]})
    assert forms.responses(form_id)[0].code is None


def test_a_survey_has_one_choice_per_criterion_and_a_free_comment(setup: Any) -> None:
    fake, settings = setup
    criteria = tuple(FormQuestion(f"Tiêu chí {n}", ("Đạt", "Chưa đạt"), multi=False, points=0,
                                  correct=()) for n in (1, 2))
    comment = FormQuestion("Ý kiến của đồng chí", (), multi=False, points=0, correct=(),
                           kind="text", required=False)
    survey = replace(spec(), round_id="2026-11-tu-danh-gia", kind="survey",
                     questions=(*criteria, comment))
    forms = forms_of(settings)
    ref = forms.build(survey)
    form = fake.form(ref.form_id)
    assert not form["settings"].get("quizSettings", {}).get("isQuiz")
    questions = [i["questionItem"]["question"] for i in form["items"]]
    assert [q["choiceQuestion"]["type"] for q in questions[1:3]] == ["RADIO", "RADIO"]
    assert questions[3]["textQuestion"] == {"paragraph": True}
    assert questions[3].get("required", False) is False and questions[1]["required"] is True
    forms.open(ref.form_id, timedelta(minutes=2))
    ids = question_ids(fake, ref.form_id)
    fake.submit(ref.form_id, {ids["Họ và tên"]: ["Lê Văn C"], ids["Tiêu chí 1"]: ["Đạt"],
                              ids["Tiêu chí 2"]: ["Chưa đạt"],
                              ids["Ý kiến của đồng chí"]: ["Cần cố gắng hơn\nở tiêu chí 2"]})
    (response,) = forms.responses(ref.form_id)
    assert response.answers == {"Tiêu chí 1": ("Đạt",), "Tiêu chí 2": ("Chưa đạt",),
                                "Ý kiến của đồng chí": ("Cần cố gắng hơn\nở tiêu chí 2",)}


def test_an_edited_response_keeps_its_first_submission_time(setup: Any) -> None:
    fake, settings = setup
    forms, form_id, ids = open_form(fake, settings)
    first = datetime(2026, 11, 29, 12, 31, tzinfo=UTC)
    answers = {ids["Họ và tên"]: ["Nguyễn Văn A"],
               ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1945"],
               ids["Những văn kiện nào là nghị quyết?"]: ["NQ 21"]}
    stored = fake.submit(form_id, answers, submit_time=first)
    (unedited,) = forms.responses(form_id)
    assert unedited.submitted_at == first and unedited.edited_at is None
    later = first + timedelta(minutes=7)
    fake.edit_response(form_id, stored["responseId"], {
        **answers, ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1930"]}, submit_time=later)
    (edited,) = forms.responses(form_id)
    assert edited.submitted_at == first and edited.edited_at == later
    assert edited.answers["Đảng Cộng sản Việt Nam thành lập năm nào?"] == ("1930",)


def test_a_share_with_an_address_without_a_google_account_says_so(setup: Any) -> None:
    fake, settings = setup
    fake.without_google_account(SECRETARY)
    with pytest.raises(InputError, match=rf"{SECRETARY}.*không có tài khoản Google"):
        forms_of(settings).build(spec())


def test_a_policy_forbidding_anyone_sharing_says_so_at_opening(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec())
    fake.forbid_anyone_sharing("example.com")
    with pytest.raises(InputError, match="bất kỳ ai có đường link") as caught:
        forms.open(ref.form_id, timedelta(minutes=2))
    assert "Người chỉnh sửa" not in str(caught.value)  # not "add the account as an Editor"


def test_build_twice_gives_one_form(setup: Any) -> None:
    fake, settings = setup
    first = forms_of(settings).build(spec())
    second = forms_of(settings).build(spec())  # another run, e.g. on another machine
    assert second == first
    assert creates(fake) == 1
    assert len(question_ids(fake, first.form_id)) == 3


def test_a_form_created_by_a_crashed_run_is_adopted(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    orphan = forms.apis.execute(forms.apis.service("forms").forms().create(
        body={"info": {"title": "Thi tháng 2026-11", "documentTitle": document_title(spec())}},
        unpublished=True), api="forms")
    ref = forms.build(spec())
    assert ref.form_id == orphan["formId"]
    assert creates(fake) == 1
    assert len(fake.form(ref.form_id)["items"]) == 3
    other_round = forms.build(spec(round_id="2026-12"))
    assert other_round.form_id != ref.form_id and creates(fake) == 2


def test_cells_building_one_joint_round_side_by_side_each_get_their_own_form(
        setup: Any) -> None:
    """A committee's cells build the same round (same name on Drive) at the same moment,
    each through its own connection: never two cells in one form."""
    fake, settings = setup
    cells = [f"sheet-{n}" for n in range(8)]
    connections = [forms_of(settings) for _ in cells]
    start = threading.Barrier(len(cells))

    def build(n: int) -> str:
        start.wait()
        return connections[n].build(replace(spec(round_id="2026-11-chung"),
                                            owner=cells[n])).form_id

    with ThreadPoolExecutor(len(cells)) as pool:
        made = list(pool.map(build, range(len(cells))))
    assert len(set(made)) == len(cells) == creates(fake)
    for owner, form_id in zip(cells, made, strict=True):
        assert fake.file(form_id)["appProperties"][OWNER_KEY] == owner
        assert len(question_ids(fake, form_id)) == 3  # the roster and two questions, once


def test_members_can_submit_only_while_the_form_is_open(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec())
    ids = question_ids(fake, ref.form_id)
    answers = {ids["Họ và tên"]: ["Nguyễn Văn A"],
               ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1930"],
               ids["Những văn kiện nào là nghị quyết?"]: ["NQ 21", "NQ 57"]}
    with pytest.raises(ApiError, match="403"):
        fake.submit(ref.form_id, answers=answers)
    forms.open(ref.form_id, timedelta(minutes=2))
    fake.submit(ref.form_id, answers=answers)
    forms.close(ref.form_id)
    with pytest.raises(ApiError, match="403"):
        fake.submit(ref.form_id, answers=answers)
    state = fake.form(ref.form_id)["publishSettings"]["publishState"]
    assert state == {"isPublished": True, "isAcceptingResponses": False}
    assert len(forms.responses(ref.form_id)) == 1


def open_form(fake: Any, settings: Settings) -> tuple[GoogleForms, str, dict[str, str]]:
    forms = forms_of(settings)
    ref = forms.build(spec())
    forms.open(ref.form_id, timedelta(minutes=2))
    return forms, ref.form_id, question_ids(fake, ref.form_id)


def test_responses_are_mapped_to_titles_and_names_across_pages(setup: Any) -> None:
    fake, settings = setup
    forms, form_id, ids = open_form(fake, settings)
    began = datetime.now(UTC).replace(microsecond=0)
    for n in range(5):
        fake.submit(form_id, answers={
            ids["Họ và tên"]: [MEMBERS[n % 3]],
            ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1930" if n == 0 else "1945"],
            ids["Những văn kiện nào là nghị quyết?"]: ["CT 05"],
        })
    paged = GoogleForms(forms.apis, page_size=2)
    before = len(fake.requests())
    responses = paged.responses(form_id)
    lists = [r for r in fake.requests()[before:] if "/responses" in r["path"]]
    assert len(lists) == 3
    assert len({r.response_id for r in responses}) == 5
    assert sorted(r.respondent for r in responses) == sorted(MEMBERS[n % 3] for n in range(5))
    first = next(r for r in responses
                 if r.answers["Đảng Cộng sản Việt Nam thành lập năm nào?"] == ("1930",))
    assert first.respondent == "Nguyễn Văn A"
    assert first.answers["Những văn kiện nào là nghị quyết?"] == ("CT 05",)
    assert set(first.answers) == {"Đảng Cộng sản Việt Nam thành lập năm nào?",
                                  "Những văn kiện nào là nghị quyết?"}
    assert first.submitted_at.tzinfo is not None
    assert began - timedelta(seconds=1) <= first.submitted_at <= datetime.now(UTC)


def test_submission_time_is_read_to_the_fraction_of_a_second(setup: Any) -> None:
    fake, settings = setup
    forms, form_id, ids = open_form(fake, settings)
    moment = datetime(2026, 11, 29, 12, 30, 5, 250000, tzinfo=UTC)
    fake.submit(form_id, submit_time=moment, answers={
        ids["Họ và tên"]: ["Trần Thị B"],
        ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1930"],
        ids["Những văn kiện nào là nghị quyết?"]: ["NQ 21", "NQ 57"]})
    (response,) = forms.responses(form_id)
    assert response.submitted_at == moment


def test_email_identity_collects_verified_emails(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec(identity="email"))
    form = fake.form(ref.form_id)
    assert form["settings"]["emailCollectionType"] == "VERIFIED"
    assert len(form["items"]) == 2  # no roster drop-down
    ids = question_ids(fake, ref.form_id)
    forms.open(ref.form_id, timedelta(minutes=2))
    fake.submit(ref.form_id, email="a@example.com", answers={
        ids["Đảng Cộng sản Việt Nam thành lập năm nào?"]: ["1930"],
        ids["Những văn kiện nào là nghị quyết?"]: ["NQ 21"]})
    (response,) = forms.responses(ref.form_id)
    assert response.respondent == "a@example.com"


def test_a_marked_form_left_empty_by_a_crash_is_completed(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    empty = forms.apis.execute(forms.apis.service("forms").forms().create(
        body={"info": {"title": "Thi tháng 2026-11"}}, unpublished=True), api="forms")
    forms.apis.execute(forms.apis.service("drive").files().update(
        fileId=empty["formId"], body={"appProperties": {ROUND_KEY: "2026-11",
                                                        OWNER_KEY: "sheet-123"}}), api="drive")
    ref = forms.build(spec())
    assert ref.form_id == empty["formId"] and creates(fake) == 1
    assert len(fake.form(ref.form_id)["items"]) == 3
    forms.build(spec())  # and again: nothing is shared twice
    permissions = fake.file(ref.form_id)["permissions"]
    assert sum(p.get("emailAddress") == SECRETARY for p in permissions) == 1


def test_a_form_built_graded_by_an_older_run_is_rebuilt_without_its_key(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec(graded=True))
    assert forms.build(spec()).form_id == ref.form_id
    form = fake.form(ref.form_id)
    assert "grading" not in str(form) and not form["settings"].get("quizSettings", {}).get(
        "isQuiz")


def test_a_published_form_is_never_rebuilt(setup: Any) -> None:
    fake, settings = setup
    forms, form_id, _ = open_form(fake, settings)
    before = fake.form(form_id)["items"]
    changed = replace(spec(), shuffle_options=False)
    assert forms.build(changed).form_id == form_id
    assert fake.form(form_id)["items"] == before


def test_creating_a_form_is_never_retried_blindly(setup: Any) -> None:
    fake, settings = setup
    forms = forms_of(settings)
    fake.fault(r"^POST /v1/forms\?", status=503, times=1)
    with pytest.raises(BackendError, match="Google Forms API"):
        forms.build(spec())
    assert creates(fake) == 1  # the failed one only: the next tick builds it
    ref = forms.build(spec())
    assert creates(fake) == 2 and len(fake.form(ref.form_id)["items"]) == 3
