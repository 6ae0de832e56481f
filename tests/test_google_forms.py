"""GoogleForms through the fake Google over HTTP, with the real google-api-python-client."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automation import googlebackend
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.forms import OWNER_KEY, ROUND_KEY, GoogleForms, document_title
from automation.ports import BackendError, FormQuestion, FormSpec
from tests.fakegoogle import ApiError

ADMIN = "admin@example.com"
SECRETARY = "bithu@example.com"
MEMBERS = ("Nguyễn Văn A", "Trần Thị B", "Lê Văn C")


def no_sleep(_: float) -> None:
    """Backoff waits are skipped in tests."""


def spec(identity: str = "roster", round_id: str = "2026-11") -> FormSpec:
    questions = (
        FormQuestion("Đảng Cộng sản Việt Nam thành lập năm nào?", ("1930", "1945", "1954"),
                     multi=False, points=1, correct=("1930",), explanation="Ngày 3/2/1930."),
        FormQuestion("Những văn kiện nào\nlà nghị quyết?", ("NQ 21", "CT 05", "NQ 57"),
                     multi=True, points=2, correct=("NQ 21", "NQ 57")),
    )
    return FormSpec(round_id=round_id, owner="sheet-123", title=f"Thi tháng {round_id}",
                    description="", identity=identity, member_names=MEMBERS,
                    questions=questions, shuffle_options=True, seconds_allowed=60)


@pytest.fixture
def setup(fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[Any, Settings]:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    credentials = tmp_path / "credentials.json"
    fake_google.authorized_user_file(credentials, email=ADMIN)
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


def test_build_makes_a_graded_quiz_with_the_roster_first(setup: Any) -> None:
    fake, settings = setup
    ref = forms_of(settings).build(spec())
    form = fake.form(ref.form_id)
    assert ref.url == form["responderUri"]
    assert form["settings"]["quizSettings"]["isQuiz"] is True
    assert "2 câu hỏi" in form["info"]["description"]
    items = form["items"]
    assert items[0]["title"] == "Họ và tên"
    roster = items[0]["questionItem"]["question"]
    assert roster["required"] and roster["choiceQuestion"]["type"] == "DROP_DOWN"
    assert [o["value"] for o in roster["choiceQuestion"]["options"]] == list(MEMBERS)
    multi = items[2]["questionItem"]["question"]
    assert items[2]["title"] == "Những văn kiện nào là nghị quyết?"  # no line break in a title
    assert multi["choiceQuestion"]["type"] == "CHECKBOX"
    assert multi["choiceQuestion"]["shuffle"] is True
    assert multi["grading"]["pointValue"] == 2
    assert [a["value"] for a in multi["grading"]["correctAnswers"]["answers"]] == [
        "NQ 21", "NQ 57"]
    single = items[1]["questionItem"]["question"]
    assert single["grading"]["whenRight"]["text"] == "Ngày 3/2/1930."
    assert form["publishSettings"]["publishState"]["isAcceptingResponses"] is False


def test_build_marks_and_shares_the_form_on_drive(setup: Any) -> None:
    _, settings = setup
    forms = forms_of(settings)
    ref = forms.build(spec())
    drive = forms.apis.service("drive")
    record = forms.apis.execute(drive.files().get(fileId=ref.form_id, fields="appProperties"),
                                api="drive")
    assert record["appProperties"] == {ROUND_KEY: "2026-11", OWNER_KEY: "sheet-123"}
    permissions = forms.apis.execute(drive.permissions().list(
        fileId=ref.form_id, fields="permissions(type,role,emailAddress,view)",
        includePermissionsForView="published"),
        api="drive")["permissions"]
    assert {"type": "anyone", "role": "reader", "view": "published"} in permissions
    assert any(p.get("emailAddress") == SECRETARY and p["role"] == "writer" for p in permissions)


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
    assert sum(p["type"] == "anyone" for p in permissions) == 1
    assert sum(p.get("emailAddress") == SECRETARY for p in permissions) == 1


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
