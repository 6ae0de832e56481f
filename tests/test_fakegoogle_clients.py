"""Real client libraries, unmodified, work against the fake over HTTP.

gspread hard-codes Google's hosts, so its requests go through an AuthorizedSession that
swaps the host for the fake's (as the project's backend does); googleapiclient is built
from its shipped discovery documents with an api_endpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gspread
import pytest
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from tests.fakegoogle import FakeGoogle

OWNER = "secretary@example.com"
SCOPES = ["https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/forms.body"]
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


class FakeHostSession(AuthorizedSession):
    """Sends gspread's requests to the fake instead of Google's hosts."""

    def __init__(self, credentials: Any, base_url: str) -> None:
        super().__init__(credentials)
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                url = self.base_url + url[len(host) :]
        return super().request(method, url, *args, **kwargs)


def user_credentials(path: Path) -> Credentials:
    """google-auth ignores token_uri in authorized-user files, so it is applied here."""
    info = json.loads(path.read_text())
    return Credentials.from_authorized_user_info(info, SCOPES).with_token_uri(info["token_uri"])


def test_gspread_works_against_the_fake(fake_google: FakeGoogle, tmp_path: Path) -> None:
    credentials = user_credentials(fake_google.authorized_user_file(tmp_path / "token.json"))
    client = gspread.Client(credentials, session=FakeHostSession(credentials, fake_google.url))
    book = client.create("Thi trắc nghiệm")
    sheet = book.sheet1
    sheet.update_title("Ngân hàng câu hỏi")
    sheet.update([["Câu hỏi", "Đáp án"], ["Chi bộ họp mấy lần một tháng?", 1]], "A1")
    sheet.append_row(["Đảng viên có mấy quyền?", 4])
    results = book.add_worksheet("Kết quả", rows=20, cols=5)
    results.update_acell("A1", "Họ tên")
    sheet.format("A1:B1", {"textFormat": {"bold": True}})
    sheet.freeze(rows=1)
    assert sheet.get_all_records() == [
        {"Câu hỏi": "Chi bộ họp mấy lần một tháng?", "Đáp án": 1},
        {"Câu hỏi": "Đảng viên có mấy quyền?", "Đáp án": 4},
    ]
    reopened = client.open_by_key(book.id)
    assert [w.title for w in reopened.worksheets()] == ["Ngân hàng câu hỏi", "Kết quả"]
    assert reopened.worksheet("Kết quả").acell("A1").value == "Họ tên"
    assert fake_google.spreadsheet_values(book.id, "Ngân hàng câu hỏi")[2] == [
        "Đảng viên có mấy quyền?",
        "4",
    ]
    with pytest.raises(gspread.exceptions.APIError) as caught:
        results.update([["x"]], "'Không có'!A1")
    assert caught.value.response.status_code == 400
    fake_google.expire_tokens()  # an hour later: the session refreshes and goes on
    assert results.acell("A1").value == "Họ tên"
    assert [r["status"] for r in fake_google.requests()[-3:]] == [401, 200, 200]


def test_gspread_with_a_service_account_sees_only_what_is_shared(
    fake_google: FakeGoogle, tmp_path: Path
) -> None:
    robot = "quiz-bot@fake-project.iam.gserviceaccount.com"
    key = fake_google.service_account_file(tmp_path / "key.json", email=robot)
    credentials = service_account.Credentials.from_service_account_file(str(key), scopes=SCOPES)
    client = gspread.Client(credentials, session=FakeHostSession(credentials, fake_google.url))
    book_id = fake_google.create_spreadsheet(OWNER, "Thi", {"Lịch thi": [["Kỳ thi", "Mở"]]})
    with pytest.raises(PermissionError):  # gspread's own translation of Google's 403
        client.open_by_key(book_id)
    fake_google.share(book_id, robot)
    assert client.open_by_key(book_id).worksheet("Lịch thi").get_all_values() == [["Kỳ thi", "Mở"]]


def test_googleapiclient_forms_and_drive_work_against_the_fake(
    fake_google: FakeGoogle, tmp_path: Path
) -> None:
    credentials = user_credentials(fake_google.authorized_user_file(tmp_path / "token.json"))
    forms = build(
        "forms",
        "v1",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": fake_google.url + "/"},
    )
    drive = build(
        "drive",
        "v3",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": fake_google.url + "/drive/v3/"},
    )
    form = forms.forms().create(body={"info": {"title": "Thi tháng 3"}}, unpublished=True).execute()
    form_id = form["formId"]
    reply = (
        forms.forms()
        .batchUpdate(
            formId=form_id,
            body={
                "requests": [
                    {
                        "updateSettings": {
                            "settings": {"quizSettings": {"isQuiz": True}},
                            "updateMask": "quizSettings.isQuiz",
                        }
                    },
                    {
                        "createItem": {
                            "location": {"index": 0},
                            "item": {
                                "title": "Chi bộ họp mấy lần?",
                                "questionItem": {
                                    "question": {
                                        "required": True,
                                        "choiceQuestion": {
                                            "type": "RADIO",
                                            "options": [{"value": "1"}, {"value": "2"}],
                                        },
                                        "grading": {
                                            "pointValue": 1,
                                            "correctAnswers": {"answers": [{"value": "1"}]},
                                        },
                                    }
                                },
                            },
                        }
                    },
                ]
            },
        )
        .execute()
    )
    question_id = reply["replies"][1]["createItem"]["questionId"][0]
    forms.forms().setPublishSettings(
        formId=form_id,
        body={
            "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}}
        },
    ).execute()
    drive.files().update(fileId=form_id, body={"appProperties": {"round": "2025-03"}}).execute()
    fake_google.submit(form_id, {question_id: ["1"]})
    listed = (
        forms.forms()
        .responses()
        .list(formId=form_id, filter="timestamp >= 2000-01-01T00:00:00Z")
        .execute()
    )
    assert listed["responses"][0]["totalScore"] == 1
    found = (
        drive.files()
        .list(
            q="mimeType='application/vnd.google-apps.form' and "
            "appProperties has { key='round' and value='2025-03' }",
            fields="files(id,name,appProperties)",
        )
        .execute()
    )
    assert found["files"] == [
        {"id": form_id, "name": "Thi tháng 3", "appProperties": {"round": "2025-03"}}
    ]
    with pytest.raises(HttpError) as caught:
        forms.forms().get(formId="missing").execute()
    assert caught.value.resp.status == 404
