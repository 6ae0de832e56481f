"""The fake rejects what Google rejects: one test per rule, each showing the rejection."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt

from tests.fakegoogle import ApiError, FakeGoogle
from tests.fakegoogle.client import Client
from tests.fakegoogle.oauth import (
    CLIENT_ID,
    CLIENT_SECRET,
    GOOGLE_TOKEN_URI,
    private_pem,
    session_key,
)

OWNER = "secretary@example.com"


def google_error(answer: requests.Response, code: int, status: str, text: str = "") -> str:
    """Assert Google's error shape and return the message."""
    assert answer.status_code == code, answer.text
    error = answer.json()["error"]
    assert {"code", "message", "status"} <= set(error)
    assert error["code"] == code
    assert error["status"] == status
    assert text in error["message"], error["message"]
    return str(error["message"])


@pytest.fixture
def client(fake_google: FakeGoogle) -> Client:
    return Client(fake_google, OWNER)


@pytest.fixture
def sheet_id(fake_google: FakeGoogle) -> str:
    return fake_google.create_spreadsheet(OWNER, "Thi", {"Lịch thi": [["Kỳ", "Ngày"]]})


def batch(client: Client, form_id: str, *requests_: dict[str, Any]) -> requests.Response:
    return client.call("POST", f"/v1/forms/{form_id}:batchUpdate", {"requests": list(requests_)})


# --- discovery-document validation ----------------------------------------------------------


def test_unknown_body_field_is_rejected_in_googles_words(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "POST",
        f"/v4/spreadsheets/{sheet_id}:batchUpdate",
        {"requests": [{"addSheet": {"properties": {"title": "x", "colour": "red"}}}]},
    )
    message = google_error(answer, 400, "INVALID_ARGUMENT")
    assert message == (
        'Invalid JSON payload received. Unknown name "colour" at '
        "'requests[0].add_sheet.properties': Cannot find field."
    )


def test_unknown_top_level_field_is_rejected(client: Client) -> None:
    answer = client.call("POST", "/drive/v3/files", {"name": "x", "colour": "red"})
    google_error(answer, 400, "INVALID_ARGUMENT", 'Unknown name "colour": Cannot find field.')


def test_wrong_type_is_rejected(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "POST",
        f"/v4/spreadsheets/{sheet_id}:batchUpdate",
        {"requests": [{"addSheet": {"properties": {"index": "first"}}}]},
    )
    google_error(
        answer,
        400,
        "INVALID_ARGUMENT",
        "Invalid value at 'requests[0].add_sheet.properties.index' (TYPE_INT32)",
    )


def test_values_that_are_not_a_list_are_rejected(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "PUT",
        f"/v4/spreadsheets/{sheet_id}/values/A1",
        {"values": "X"},
        {"valueInputOption": "RAW"},
    )
    google_error(
        answer,
        400,
        "INVALID_ARGUMENT",
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)",
    )


def test_bad_enum_in_body_is_rejected(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "POST",
        f"/v4/spreadsheets/{sheet_id}:batchUpdate",
        {"requests": [{"mergeCells": {"range": {"sheetId": 0}, "mergeType": "MERGE_SOME"}}]},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "requests[0].merge_cells.merge_type")


def test_bad_enum_in_query_is_rejected(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "GET", f"/v4/spreadsheets/{sheet_id}/values/A1", params={"valueRenderOption": "PRETTY"}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "Invalid value at 'value_render_option'")


def test_unknown_query_parameter_is_rejected_by_sheets(client: Client, sheet_id: str) -> None:
    answer = client.call("GET", f"/v4/spreadsheets/{sheet_id}", params={"includeGrid": "true"})
    google_error(answer, 400, "INVALID_ARGUMENT", 'Unknown name "includeGrid"')


def test_wrongly_typed_query_parameter_is_rejected(client: Client, sheet_id: str) -> None:
    answer = client.call("GET", f"/v4/spreadsheets/{sheet_id}", params={"includeGridData": "maybe"})
    google_error(answer, 400, "INVALID_ARGUMENT", "(TYPE_BOOL)")


def test_unknown_field_in_a_form_item_is_rejected(client: Client) -> None:
    form_id = client.new_form()
    answer = batch(
        client,
        form_id,
        {
            "createItem": {
                "item": {"title": "Q", "questionItem": {"question": {"choice": {}}}},
                "location": {"index": 0},
            }
        },
    )
    google_error(answer, 400, "INVALID_ARGUMENT", 'Unknown name "choice"')


# --- Forms rules ----------------------------------------------------------------------------


def test_forms_create_accepts_only_the_titles(client: Client) -> None:
    answer = client.call("POST", "/v1/forms", {"info": {"title": "Quiz", "description": "no"}})
    google_error(answer, 400, "INVALID_ARGUMENT", "Only info.title and info.document_title")
    answer = client.call(
        "POST",
        "/v1/forms",
        {"info": {"title": "Quiz"}, "settings": {"quizSettings": {"isQuiz": True}}},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "Only info.title")


def test_grading_on_a_form_that_is_not_a_quiz_is_rejected(client: Client) -> None:
    form_id = client.new_form(quiz=False)
    with pytest.raises(AssertionError, match="quiz"):
        client.add_choice(form_id, ["A", "B"], correct=["A"])
    assert "items" not in client.ok("GET", f"/v1/forms/{form_id}")


def test_a_correct_answer_must_be_an_option(client: Client) -> None:
    form_id = client.new_form()
    question = {
        "choiceQuestion": {"type": "RADIO", "options": [{"value": "A"}, {"value": "B"}]},
        "grading": {"pointValue": 1, "correctAnswers": {"answers": [{"value": "C"}]}},
    }
    answer = batch(
        client,
        form_id,
        {
            "createItem": {
                "item": {"questionItem": {"question": question}},
                "location": {"index": 0},
            }
        },
    )
    google_error(answer, 400, "INVALID_ARGUMENT", '"C" is not one of the question\'s options')


def test_negative_point_value_is_rejected(client: Client) -> None:
    form_id = client.new_form()
    with pytest.raises(AssertionError, match="point_value"):
        client.add_choice(form_id, ["A", "B"], correct=["A"], points=-1)


def test_a_graded_choice_question_needs_its_answer_key(client: Client) -> None:
    form_id = client.new_form()
    with pytest.raises(AssertionError, match="correct_answers is required"):
        client.add_choice(form_id, ["A", "B"], correct=[])


def test_update_mask_is_required(client: Client) -> None:
    form_id = client.new_form()
    answer = batch(client, form_id, {"updateFormInfo": {"info": {"title": "New"}}})
    google_error(answer, 400, "INVALID_ARGUMENT", "updateMask cannot be empty")
    answer = batch(
        client, form_id, {"updateSettings": {"settings": {"quizSettings": {"isQuiz": False}}}}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "updateMask cannot be empty")
    client.add_choice(form_id, ["A", "B"])
    answer = batch(
        client, form_id, {"updateItem": {"item": {"title": "x"}, "location": {"index": 0}}}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "updateMask cannot be empty")


def test_update_mask_paths_are_checked(client: Client) -> None:
    form_id = client.new_form()
    answer = batch(
        client, form_id, {"updateFormInfo": {"info": {"title": "New"}, "updateMask": "titel"}}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", 'Invalid field mask path: "titel"')
    client.add_choice(form_id, ["A", "B"])
    answer = batch(
        client,
        form_id,
        {
            "updateItem": {
                "item": {"title": "x"},
                "location": {"index": 0},
                "updateMask": "questionItem.colour",
            }
        },
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "questionItem.colour")


def test_create_item_location_must_be_in_range(client: Client) -> None:
    form_id = client.new_form()
    answer = batch(
        client, form_id, {"createItem": {"item": {"textItem": {}}, "location": {"index": 1}}}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "Index 1 must be between 0 and 0")
    answer = batch(client, form_id, {"createItem": {"item": {"textItem": {}}}})
    google_error(answer, 400, "INVALID_ARGUMENT", "location.index is required")


def test_move_and_delete_item_locations_must_exist(client: Client) -> None:
    form_id = client.new_form()
    client.add_choice(form_id, ["A"])
    answer = batch(client, form_id, {"deleteItem": {"location": {"index": 1}}})
    google_error(answer, 400, "INVALID_ARGUMENT", "Index 1")
    answer = batch(
        client,
        form_id,
        {"moveItem": {"originalLocation": {"index": 0}, "newLocation": {"index": 3}}},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "Index 3")


def test_form_batch_update_is_all_or_nothing(client: Client) -> None:
    form_id = client.new_form()
    before = client.ok("GET", f"/v1/forms/{form_id}")
    answer = batch(
        client,
        form_id,
        {"updateFormInfo": {"info": {"title": "Renamed"}, "updateMask": "title"}},
        {"createItem": {"item": {"textItem": {}}, "location": {"index": 5}}},
    )
    google_error(answer, 400, "INVALID_ARGUMENT")
    assert client.ok("GET", f"/v1/forms/{form_id}") == before


def test_set_publish_settings_needs_both_flags(client: Client) -> None:
    form_id = client.new_form()
    answer = client.call(
        "POST",
        f"/v1/forms/{form_id}:setPublishSettings",
        {"publishSettings": {"publishState": {"isPublished": True}}},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "both is_published and is_accepting_responses")


def test_accepting_responses_while_unpublished_is_rejected(client: Client) -> None:
    form_id = client.new_form()
    answer = client.call(
        "POST",
        f"/v1/forms/{form_id}:setPublishSettings",
        {"publishSettings": {"publishState": {"isPublished": False, "isAcceptingResponses": True}}},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "unpublished")


def test_choice_options_must_be_unique_and_typed(client: Client) -> None:
    form_id = client.new_form()
    with pytest.raises(AssertionError, match="unique"):
        client.add_choice(form_id, ["A", "A"])
    with pytest.raises(AssertionError, match="RADIO, CHECKBOX or DROP_DOWN"):
        client.add_choice(form_id, ["A", "B"], kind="CHOICE_TYPE_UNSPECIFIED")


def test_responses_filter_must_be_a_timestamp_comparison(client: Client) -> None:
    form_id = client.new_form()
    answer = client.call("GET", f"/v1/forms/{form_id}/responses", params={"filter": "score > 3"})
    google_error(answer, 400, "INVALID_ARGUMENT", "Invalid filter")


# --- Sheets rules ---------------------------------------------------------------------------


def test_value_writes_need_value_input_option(client: Client, sheet_id: str) -> None:
    answer = client.call("PUT", f"/v4/spreadsheets/{sheet_id}/values/A1", {"values": [["x"]]})
    google_error(answer, 400, "INVALID_ARGUMENT", "'valueInputOption' is required")
    answer = client.call(
        "POST", f"/v4/spreadsheets/{sheet_id}/values/A1:append", {"values": [["x"]]}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "'valueInputOption' is required")
    answer = client.call(
        "POST",
        f"/v4/spreadsheets/{sheet_id}/values:batchUpdate",
        {"data": [{"range": "A1", "values": [["x"]]}]},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "'valueInputOption' is required")


def test_an_unknown_sheet_in_a_range_cannot_be_parsed(client: Client, sheet_id: str) -> None:
    answer = client.call("GET", f"/v4/spreadsheets/{sheet_id}/values/'Kết quả'!A1:B2")
    google_error(answer, 400, "INVALID_ARGUMENT", "Unable to parse range: 'Kết quả'!A1:B2")


def test_a_duplicate_sheet_title_is_rejected(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "POST",
        f"/v4/spreadsheets/{sheet_id}:batchUpdate",
        {"requests": [{"addSheet": {"properties": {"title": "Lịch thi"}}}]},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", 'A sheet with the name "Lịch thi" already exists')


def test_a_write_past_the_grid_is_rejected(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "PUT",
        f"/v4/spreadsheets/{sheet_id}/values/A1000",
        {"values": [["x"], ["y"]]},
        {"valueInputOption": "RAW"},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "exceeds grid limits. Max rows: 1000")


def test_sheets_batch_update_is_all_or_nothing(
    client: Client, sheet_id: str, fake_google: FakeGoogle
) -> None:
    answer = client.call(
        "POST",
        f"/v4/spreadsheets/{sheet_id}:batchUpdate",
        {
            "requests": [
                {"addSheet": {"properties": {"title": "Kết quả"}}},
                {"deleteSheet": {"sheetId": 424242}},
            ]
        },
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "No grid with id: 424242")
    titles = [s["properties"]["title"] for s in fake_google.spreadsheet(sheet_id)["sheets"]]
    assert titles == ["Lịch thi"]


# --- ids, sharing, switches, sign-in --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v4/spreadsheets/nope"),
        ("GET", "/v4/spreadsheets/nope/values/A1"),
        ("GET", "/drive/v3/files/nope"),
        ("GET", "/v1/forms/nope"),
        ("GET", "/v1/forms/nope/responses"),
    ],
)
def test_an_unknown_id_is_not_found(client: Client, method: str, path: str) -> None:
    google_error(client.call(method, path), 404, "NOT_FOUND")


def test_a_file_not_shared_with_the_caller_is_denied(
    fake_google: FakeGoogle, sheet_id: str
) -> None:
    owner = Client(fake_google, OWNER)
    form_id = owner.new_form()
    stranger = Client(fake_google, "stranger@example.com")
    for path in (
        f"/v4/spreadsheets/{sheet_id}",
        f"/v1/forms/{form_id}",
        f"/drive/v3/files/{sheet_id}",
    ):
        google_error(
            stranger.call("GET", path),
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
        )
    fake_google.share(form_id, "stranger@example.com", role="reader")
    assert stranger.ok("GET", f"/v1/forms/{form_id}")["formId"] == form_id
    google_error(stranger.call("GET", f"/v1/forms/{form_id}/responses"), 403, "PERMISSION_DENIED")
    fake_google.share(sheet_id, "stranger@example.com", role="reader")
    assert stranger.ok("GET", f"/v4/spreadsheets/{sheet_id}")["spreadsheetId"] == sheet_id
    answer = stranger.call(
        "PUT",
        f"/v4/spreadsheets/{sheet_id}/values/A1",
        {"values": [["x"]]},
        {"valueInputOption": "RAW"},
    )
    google_error(answer, 403, "PERMISSION_DENIED")


def test_a_disabled_api_answers_service_disabled(
    fake_google: FakeGoogle, client: Client, sheet_id: str
) -> None:
    fake_google.disable_api("forms")
    answer = client.call("POST", "/v1/forms", {"info": {"title": "Quiz"}})
    google_error(answer, 403, "PERMISSION_DENIED", "Google Forms API has not been used")
    assert answer.json()["error"]["details"][0]["reason"] == "SERVICE_DISABLED"
    assert client.call("GET", f"/v4/spreadsheets/{sheet_id}").status_code == 200


def test_a_request_without_a_valid_token_is_unauthenticated(
    fake_google: FakeGoogle, sheet_id: str
) -> None:
    answer = requests.get(
        f"{fake_google.url}/v4/spreadsheets/{sheet_id}",
        headers={"Authorization": "Bearer forged"},
        timeout=10,
    )
    google_error(answer, 401, "UNAUTHENTICATED")


def test_an_unknown_refresh_token_is_an_invalid_grant(fake_google: FakeGoogle) -> None:
    answer = requests.post(
        f"{fake_google.url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "1//revoked",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def _jwt_grant(url: str, email: str, key: rsa.RSAPrivateKey) -> requests.Response:
    now = int(time.time())
    claims = {"iss": email, "aud": GOOGLE_TOKEN_URI, "scope": "x", "iat": now, "exp": now + 3600}
    assertion = jwt.encode(crypt.RSASigner.from_string(private_pem(key)), claims).decode()
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    return requests.post(
        f"{url}/token", data={"grant_type": grant, "assertion": assertion}, timeout=10
    )


def test_a_jwt_signed_with_an_unknown_key_is_refused(
    fake_google: FakeGoogle, tmp_path: Path
) -> None:
    robot = "bot@example.iam.gserviceaccount.com"
    fake_google.service_account_file(tmp_path / "sa.json", email=robot)
    assert _jwt_grant(fake_google.url, robot, session_key()).status_code == 200
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answer = _jwt_grant(fake_google.url, robot, other)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid JWT Signature.",
    }


# --- members' submissions ---------------------------------------------------------------------


def test_an_unpublished_form_refuses_submissions(fake_google: FakeGoogle, client: Client) -> None:
    form_id = client.new_form(unpublished="true")
    qid = client.add_choice(form_id, ["A", "B"])
    with pytest.raises(ApiError) as caught:
        fake_google.submit(form_id, {qid: ["A"]})
    assert (caught.value.code, caught.value.status) == (403, "PERMISSION_DENIED")


def test_a_form_not_accepting_responses_refuses_submissions(
    fake_google: FakeGoogle, client: Client
) -> None:
    form_id = client.new_form()
    qid = client.add_choice(form_id, ["A", "B"])
    client.ok(
        "POST",
        f"/v1/forms/{form_id}:setPublishSettings",
        {"publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": False}}},
    )
    with pytest.raises(ApiError, match="no longer accepting") as caught:
        fake_google.submit(form_id, {qid: ["A"]})
    assert caught.value.code == 403


def test_a_choice_that_is_not_an_option_is_rejected(
    fake_google: FakeGoogle, client: Client
) -> None:
    form_id = client.new_form()
    qid = client.add_choice(form_id, ["A", "B"])
    with pytest.raises(ApiError, match='"C" is not an option') as caught:
        fake_google.submit(form_id, {qid: ["C"]})
    assert (caught.value.code, caught.value.status) == (400, "INVALID_ARGUMENT")


def test_a_required_question_must_be_answered(fake_google: FakeGoogle, client: Client) -> None:
    form_id = client.new_form()
    required = client.add_choice(form_id, ["A", "B"], required=True)
    optional = client.add_choice(form_id, ["A", "B"], index=1)
    with pytest.raises(ApiError, match=f"Question {required} is required"):
        fake_google.submit(form_id, {optional: ["A"]})
    assert fake_google.responses(form_id) == []


def test_a_fields_selection_must_name_real_fields(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "GET", f"/v4/spreadsheets/{sheet_id}", params={"fields": "sheets(propertys)"}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "Invalid field selection sheets.propertys")
    answer = client.call("GET", "/drive/v3/files", params={"fields": "files(id,nam)"})
    google_error(answer, 400, "INVALID_ARGUMENT", "Invalid field selection files.nam")


def test_a_stale_required_revision_is_refused(client: Client) -> None:
    form_id = client.new_form()
    revision = client.ok("GET", f"/v1/forms/{form_id}")["revisionId"]
    rename = {"updateFormInfo": {"info": {"title": "Mới"}, "updateMask": "title"}}
    answer = client.call(
        "POST",
        f"/v1/forms/{form_id}:batchUpdate",
        {
            "requests": [rename],
            "writeControl": {"requiredRevisionId": revision},
            "includeFormInResponse": True,
        },
    )
    assert answer.status_code == 200 and answer.json()["form"]["info"]["title"] == "Mới"
    answer = client.call(
        "POST",
        f"/v1/forms/{form_id}:batchUpdate",
        {"requests": [rename], "writeControl": {"requiredRevisionId": revision}},
    )
    google_error(answer, 400, "FAILED_PRECONDITION", revision)


def test_drive_refuses_read_only_fields_and_incomplete_permissions(client: Client) -> None:
    form_id = client.new_form()
    answer = client.call("PATCH", f"/drive/v3/files/{form_id}", {"id": "other"})
    message = google_error(answer, 403, "PERMISSION_DENIED", "not directly writable")
    assert answer.json()["error"]["errors"][0]["reason"] == "fieldNotWritable", message
    answer = client.call(
        "POST", f"/drive/v3/files/{form_id}/permissions", {"role": "reader", "type": "user"}
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "emailAddress")
    answer = client.call(
        "POST",
        f"/drive/v3/files/{form_id}/permissions",
        {"role": "boss", "type": "user", "emailAddress": "a@example.com"},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "role")


def test_a_value_range_must_match_the_url_range(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "PUT",
        f"/v4/spreadsheets/{sheet_id}/values/A1:B1",
        {"range": "C5:D5", "values": [["x", "y"]]},
        {"valueInputOption": "RAW"},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "Requested writing within range")
    answer = client.call(
        "PUT",
        f"/v4/spreadsheets/{sheet_id}/values/A1:B1",
        {"values": [["x", "y", "z"]]},
        {"valueInputOption": "RAW"},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "tried writing to column [C]")


def test_a_cell_holds_at_most_50000_characters(client: Client, sheet_id: str) -> None:
    answer = client.call(
        "PUT",
        f"/v4/spreadsheets/{sheet_id}/values/A2",
        {"values": [["x" * 50001]]},
        {"valueInputOption": "RAW"},
    )
    google_error(answer, 400, "INVALID_ARGUMENT", "more than the maximum of 50000 characters")
    client.ok(
        "PUT",
        f"/v4/spreadsheets/{sheet_id}/values/A2",
        {"values": [["x" * 50000]]},
        {"valueInputOption": "RAW"},
    )


def test_batch_updates_need_requests_of_exactly_one_kind(client: Client, sheet_id: str) -> None:
    path = f"/v4/spreadsheets/{sheet_id}:batchUpdate"
    google_error(
        client.call("POST", path, {"requests": []}),
        400,
        "INVALID_ARGUMENT",
        "Must specify at least one request.",
    )
    google_error(
        client.call("POST", path, {"requests": [{}]}),
        400,
        "INVALID_ARGUMENT",
        "Invalid requests[0]: No request set.",
    )
    both = {"deleteSheet": {"sheetId": 0}, "addSheet": {"properties": {"title": "x"}}}
    google_error(
        client.call("POST", path, {"requests": [both]}), 400, "INVALID_ARGUMENT", "oneof field"
    )
    form_id = client.new_form()
    google_error(batch(client, form_id, {}), 400, "INVALID_ARGUMENT", "No request set.")
