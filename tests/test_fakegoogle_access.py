"""The fake's model of who may call what: scopes per method (from the discovery documents),
drive.file reaching only the app's files, the Drive permission lifecycle, the publish rules,
and what Drive says about a file that Sheets edited."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from tests.fakegoogle import FakeGoogle
from tests.fakegoogle.client import Client
from tests.fakegoogle.oauth import SCOPE_PREFIX

OWNER = "secretary@example.com"
NARROW = [SCOPE_PREFIX + "spreadsheets", SCOPE_PREFIX + "drive.file"]


def error_of(answer: requests.Response, code: int) -> dict[str, Any]:
    assert answer.status_code == code, answer.text
    return dict(answer.json()["error"])


def test_a_token_without_any_of_a_methods_scopes_is_refused_in_googles_shape(
    fake_google: FakeGoogle,
) -> None:
    sheets_only = Client(fake_google, OWNER, scopes=[SCOPE_PREFIX + "spreadsheets"])
    error = error_of(sheets_only.call("POST", "/v1/forms", {"info": {"title": "Q"}}), 403)
    assert error["status"] == "PERMISSION_DENIED"
    assert error["message"] == "Request had insufficient authentication scopes."
    (detail,) = error["details"]
    assert detail["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert detail["metadata"]["service"] == "forms.googleapis.com"
    drive = error_of(sheets_only.call("GET", "/drive/v3/files"), 403)
    assert drive["errors"][0]["reason"] == "insufficientPermissions"
    sheet_id = fake_google.create_spreadsheet(OWNER, "Thi")
    assert sheets_only.call("GET", f"/v4/spreadsheets/{sheet_id}").status_code == 200


def test_drive_file_reaches_only_the_files_the_app_made_or_was_given(
    fake_google: FakeGoogle,
) -> None:
    app = Client(fake_google, OWNER, scopes=NARROW)
    by_hand = fake_google.create_spreadsheet(OWNER, "Made in the Sheets UI")
    made = app.ok("POST", "/drive/v3/files", {"name": "Made by the app",
                                             "mimeType": "application/vnd.google-apps.form"})
    listed = app.ok("GET", "/drive/v3/files", params={"fields": "files(id)"})["files"]
    assert [f["id"] for f in listed] == [made["id"]]
    error = error_of(app.call("GET", f"/drive/v3/files/{by_hand}"), 404)
    assert error["errors"][0]["reason"] == "notFound"
    assert app.call("GET", f"/v4/spreadsheets/{by_hand}").status_code == 200  # spreadsheets
    form = app.ok("POST", "/v1/forms", {"info": {"title": "Q"}})  # forms through drive.file
    assert app.ok("GET", f"/v1/forms/{form['formId']}")["formId"] == form["formId"]
    fake_google.open_with_app(by_hand)
    assert app.call("GET", f"/drive/v3/files/{by_hand}").status_code == 200
    everything = Client(fake_google, OWNER, scopes=[SCOPE_PREFIX + "drive"])
    assert len(everything.ok("GET", "/drive/v3/files")["files"]) == 3


def test_unpublishing_alone_forces_not_accepting(client_form: tuple[Client, str]) -> None:
    client, form_id = client_form
    answer = client.ok("POST", f"/v1/forms/{form_id}:setPublishSettings",
                       {"publishSettings": {"publishState": {"isPublished": False}}})
    assert answer["publishSettings"]["publishState"] == {
        "isPublished": False, "isAcceptingResponses": False}


@pytest.fixture
def client_form(fake_google: FakeGoogle) -> tuple[Client, str]:
    client = Client(fake_google, OWNER)
    return client, client.new_form(quiz=False, unpublished="true")


def test_responders_can_be_added_only_to_a_published_form(
    client_form: tuple[Client, str],
) -> None:
    client, form_id = client_form
    responders = {"type": "anyone", "role": "reader", "view": "published"}
    path = f"/drive/v3/files/{form_id}/permissions"
    error = error_of(client.call("POST", path, responders), 400)
    assert error["errors"][0]["reason"] == "invalidSharingRequest"
    client.ok("POST", f"/v1/forms/{form_id}:setPublishSettings", {"publishSettings": {
        "publishState": {"isPublished": True, "isAcceptingResponses": True}}})
    assert client.ok("POST", path, responders)["type"] == "anyone"


def test_a_permission_is_created_listed_read_and_deleted(client_form: tuple[Client, str]) -> None:
    client, form_id = client_form
    path = f"/drive/v3/files/{form_id}/permissions"
    made = client.ok("POST", path, {"type": "user", "role": "writer",
                                    "emailAddress": "pho@example.com"},
                     params={"sendNotificationEmail": "false"})
    read = client.ok("GET", f"{path}/{made['id']}", params={"fields": "id,role,emailAddress"})
    assert read == {"id": made["id"], "role": "writer", "emailAddress": "pho@example.com"}
    listed = client.ok("GET", path)["permissions"]
    assert made["id"] in [p["id"] for p in listed]
    assert client.call("DELETE", f"{path}/{made['id']}").status_code == 204
    error = error_of(client.call("GET", f"{path}/{made['id']}"), 404)
    assert error["errors"][0]["reason"] == "notFound"
    owner = next(p for p in client.ok("GET", path)["permissions"] if p["role"] == "owner")
    assert client.call("DELETE", f"{path}/{owner['id']}").status_code == 403


def test_sharing_refusals_use_drives_reasons(fake_google: FakeGoogle,
                                             client_form: tuple[Client, str]) -> None:
    client, form_id = client_form
    path = f"/drive/v3/files/{form_id}/permissions"
    fake_google.without_google_account("no-account@example.org")
    user = {"type": "user", "role": "writer", "emailAddress": "no-account@example.org"}
    error = error_of(client.call("POST", path, user, {"sendNotificationEmail": "false"}), 400)
    assert error["errors"][0]["reason"] == "invalidSharingRequest"
    assert "no Google account associated with this email address" in error["message"]
    assert client.call("POST", path, user).status_code == 200  # an invitation email is sent
    fake_google.forbid_anyone_sharing("example.com")
    anyone = error_of(client.call("POST", path, {"type": "anyone", "role": "reader"}), 400)
    assert anyone["errors"][0]["reason"] == "publishOutNotPermitted"


def test_about_names_the_signed_in_user_and_needs_fields(fake_google: FakeGoogle) -> None:
    app = Client(fake_google, OWNER, scopes=NARROW)
    assert app.ok("GET", "/drive/v3/about", params={"fields": "user(emailAddress,displayName)"}
                  ) == {"user": {"emailAddress": OWNER, "displayName": "secretary"}}
    assert error_of(app.call("GET", "/drive/v3/about"), 400)["errors"][0]["reason"] == "required"


def test_a_sheets_edit_moves_the_files_modified_time_and_version(fake_google: FakeGoogle) -> None:
    client = Client(fake_google, OWNER)
    sheet_id = fake_google.create_spreadsheet(OWNER, "Thi", {"Lịch thi": [["Kỳ thi"]]})

    def drive() -> dict[str, Any]:
        return dict(client.ok("GET", f"/drive/v3/files/{sheet_id}",
                              params={"fields": "modifiedTime,version"}))

    before = drive()
    time.sleep(0.002)
    client.ok("PUT", f"/v4/spreadsheets/{sheet_id}/values/'Lịch thi'!A2",
              {"values": [["2026-11"]]}, {"valueInputOption": "RAW"})
    after = drive()
    assert after["modifiedTime"] > before["modifiedTime"]
    assert int(after["version"]) > int(before["version"])
    client.ok("POST", f"/v4/spreadsheets/{sheet_id}:batchUpdate", {"requests": [
        {"updateSpreadsheetProperties": {"properties": {"title": "Thi 2"}, "fields": "title"}}]})
    assert int(drive()["version"]) > int(after["version"])


def test_drive_names_the_last_editor_and_whether_it_is_the_caller(fake_google: FakeGoogle) -> None:
    """Drive's ``lastModifyingUser`` (its ``me`` as for ``owners``): a committee's
    service tells a secretary's edit from its own writes by it."""
    owner, other = Client(fake_google, OWNER), Client(fake_google, "admin@example.com")
    sheet_id = fake_google.create_spreadsheet(OWNER, "Thi", {"Lịch thi": [["Kỳ thi"]]})
    fake_google.share(sheet_id, "admin@example.com")

    def last(client: Client) -> dict[str, Any]:
        return dict(client.ok("GET", f"/drive/v3/files/{sheet_id}",
                              params={"fields": "lastModifyingUser(me,emailAddress)"}))

    assert last(owner) == {"lastModifyingUser": {"me": True, "emailAddress": OWNER}}
    other.ok("PUT", f"/v4/spreadsheets/{sheet_id}/values/'Lịch thi'!A2",
             {"values": [["2026-11"]]}, {"valueInputOption": "RAW"})
    assert last(owner)["lastModifyingUser"] == {"me": False, "emailAddress": "admin@example.com"}
    assert last(other)["lastModifyingUser"]["me"] is True


def test_a_refresh_may_narrow_its_grant_never_widen_it(fake_google: FakeGoogle,
                                                        tmp_path: Any) -> None:
    """RFC 6749 §6: the scope of a refresh "MUST NOT include any scope not originally
    granted"; omitted, it is the original grant."""
    info = json.loads(fake_google.authorized_user_file(
        tmp_path / "token.json", scopes=NARROW).read_text(encoding="utf-8"))
    form = {"grant_type": "refresh_token", "refresh_token": info["refresh_token"],
            "client_id": info["client_id"], "client_secret": info["client_secret"]}

    def refresh(**more: str) -> requests.Response:
        return requests.post(info["token_uri"], data={**form, **more}, timeout=10)

    assert set(refresh().json()["scope"].split()) == set(NARROW)
    assert refresh(scope=NARROW[0]).json()["scope"] == NARROW[0]
    wider = refresh(scope=" ".join([*NARROW, SCOPE_PREFIX + "drive"]))
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"
