"""What the fake does with valid requests: Sheets values, Drive queries, Forms grading and
responses, and the controls tests use (faults, request log, reset, state file)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakegoogle import FakeGoogle
from tests.fakegoogle.client import Client

OWNER = "secretary@example.com"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def client(fake_google: FakeGoogle) -> Client:
    return Client(fake_google, OWNER)


def values(client: Client, sid: str, text: str, **params: Any) -> Any:
    return client.ok("GET", f"/v4/spreadsheets/{sid}/values/{text}", params=params)


# --- Sheets values --------------------------------------------------------------------------


def test_user_entered_values_are_typed_and_raw_values_stay_text(
    client: Client, fake_google: FakeGoogle
) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", None)
    row = ["12", "3.5", "TRUE", "=1+2", "2025-03-01", "'007", "xin chào"]
    client.ok(
        "PUT",
        f"/v4/spreadsheets/{sid}/values/A1",
        {"values": [row]},
        {"valueInputOption": "USER_ENTERED"},
    )
    client.ok(
        "PUT", f"/v4/spreadsheets/{sid}/values/A2", {"values": [row]}, {"valueInputOption": "RAW"}
    )
    unformatted = values(client, sid, "A1:G2", valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert unformatted[0] == [12, 3.5, True, 3, 45717, "007", "xin chào"]
    assert unformatted[1] == row
    formatted = values(client, sid, "A1:G1")["values"][0]
    assert formatted == ["12", "3.5", "TRUE", "3", "2025-03-01", "007", "xin chào"]
    formulas = values(client, sid, "A1:G1", valueRenderOption="FORMULA")["values"][0]
    assert formulas[3] == "=1+2"


def test_major_dimension_columns_reads_and_writes_by_column(
    client: Client, fake_google: FakeGoogle
) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", None)
    client.ok(
        "PUT",
        f"/v4/spreadsheets/{sid}/values/B2:C3",
        {"majorDimension": "COLUMNS", "values": [["a", "b"], ["c", "d"]]},
        {"valueInputOption": "RAW"},
    )
    assert values(client, sid, "B2:C3")["values"] == [["a", "c"], ["b", "d"]]
    assert values(client, sid, "B2:C3", majorDimension="COLUMNS")["values"] == [
        ["a", "b"],
        ["c", "d"],
    ]


@pytest.mark.parametrize("title", ["Kết quả tháng 3", "It's", "Sheet 'A'!", "Điểm"])
def test_quoted_unicode_and_doubled_quote_titles(
    client: Client, fake_google: FakeGoogle, title: str
) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", {title: [["x"]]})
    quoted = "'" + title.replace("'", "''") + "'"
    answer = values(client, sid, f"{quoted}!A1:B2")
    assert answer["values"] == [["x"]]
    assert answer["range"] == f"{quoted}!A1:B2"
    assert fake_google.spreadsheet_values(sid, title) == [["x"]]


def test_plain_titles_come_back_unquoted(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", {"Bank": [["x"]]})
    assert values(client, sid, "Bank")["range"] == "Bank!A1:Z1000"


def test_append_finds_the_table_and_writes_below_it(
    client: Client, fake_google: FakeGoogle
) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", {"Kết quả": [["Họ tên", "Điểm"], ["An", 9]]})
    answer = client.ok(
        "POST",
        f"/v4/spreadsheets/{sid}/values/'Kết quả'!A1:append",
        {"values": [["Bình", 8]]},
        {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
    )
    assert answer["tableRange"] == "'Kết quả'!A1:B2"
    assert answer["updates"]["updatedRange"] == "'Kết quả'!A3:B3"
    assert fake_google.spreadsheet_values(sid, "Kết quả")[-1] == ["Bình", "8"]
    assert (
        fake_google.spreadsheet(sid)["sheets"][0]["properties"]["gridProperties"]["rowCount"]
        == 1001
    )


def test_clear_keeps_formats_and_batch_get_reads_several_ranges(
    client: Client, fake_google: FakeGoogle
) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", {"A": [["1", "2"], ["3", "4"]]})
    client.ok(
        "POST",
        f"/v4/spreadsheets/{sid}:batchUpdate",
        {
            "requests": [
                {
                    "repeatCell": {
                        "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                }
            ]
        },
    )
    cleared = client.ok("POST", f"/v4/spreadsheets/{sid}/values/A!A1:B1:clear", {})
    assert cleared["clearedRange"] == "A!A1:B1"
    got = client.ok(
        "GET", f"/v4/spreadsheets/{sid}/values:batchGet", params={"ranges": ["A!A1:B1", "A!A2:B2"]}
    )
    assert [v.get("values") for v in got["valueRanges"]] == [None, [["3", "4"]]]
    grid = client.ok(
        "GET",
        f"/v4/spreadsheets/{sid}",
        params={"ranges": "A!A1", "fields": "sheets.data.rowData.values.userEnteredFormat"},
    )
    assert grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"] == {
        "textFormat": {"bold": True}
    }


def test_batch_update_requests_are_stored(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", {"A": [["Họ tên", "Điểm"]]})
    chart = {
        "spec": {"title": "Điểm", "basicChart": {"chartType": "COLUMN"}},
        "position": {
            "overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 1, "columnIndex": 3}}
        },
    }
    rule = {
        "ranges": [{"sheetId": 0, "startColumnIndex": 1, "endColumnIndex": 2}],
        "booleanRule": {
            "condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "8"}]},
            "format": {"textFormat": {"bold": True}},
        },
    }
    reply = client.ok(
        "POST",
        f"/v4/spreadsheets/{sid}:batchUpdate",
        {
            "requests": [
                {
                    "mergeCells": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 5,
                            "endRowIndex": 6,
                            "startColumnIndex": 0,
                            "endColumnIndex": 3,
                        },
                        "mergeType": "MERGE_ALL",
                    }
                },
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": 0,
                            "dimension": "COLUMNS",
                            "startIndex": 0,
                            "endIndex": 1,
                        },
                        "properties": {"pixelSize": 240},
                        "fields": "pixelSize",
                    }
                },
                {
                    "autoResizeDimensions": {
                        "dimensions": {
                            "sheetId": 0,
                            "dimension": "COLUMNS",
                            "startIndex": 1,
                            "endIndex": 2,
                        }
                    }
                },
                {"addConditionalFormatRule": {"rule": rule, "index": 0}},
                {
                    "setBasicFilter": {
                        "filter": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 2}}
                    }
                },
                {"addChart": {"chart": chart}},
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                },
                {
                    "updateSpreadsheetProperties": {
                        "properties": {"title": "Thi tháng 3"},
                        "fields": "title",
                    }
                },
            ]
        },
    )
    assert reply["replies"][5]["addChart"]["chart"]["chartId"] > 0
    sheet = fake_google.spreadsheet(sid)["sheets"][0]
    assert sheet["merges"] == [
        {"startRowIndex": 5, "endRowIndex": 6, "startColumnIndex": 0, "endColumnIndex": 3}
    ]
    assert sheet["conditionalFormats"][0]["booleanRule"]["condition"]["type"] == "NUMBER_GREATER"
    assert sheet["basicFilter"]["range"]["endRowIndex"] == 2
    assert sheet["charts"][0]["spec"]["title"] == "Điểm"
    assert sheet["properties"]["gridProperties"]["frozenRowCount"] == 1
    columns = client.ok(
        "GET", f"/v4/spreadsheets/{sid}", params={"fields": "sheets.data.columnMetadata"}
    )
    assert columns["sheets"][0]["data"][0]["columnMetadata"][0] == {"pixelSize": 240}
    assert fake_google.file(sid)["name"] == "Thi tháng 3"


# --- Drive ----------------------------------------------------------------------------------


def test_drive_query_by_name_mime_type_trashed_and_app_properties(
    client: Client, fake_google: FakeGoogle
) -> None:
    form_a = client.new_form("Tháng 3")
    form_b = client.new_form("Tháng 4")
    client.ok("PATCH", f"/drive/v3/files/{form_a}", {"appProperties": {"round": "2025-03"}})
    client.ok(
        "PATCH",
        f"/drive/v3/files/{form_b}",
        {"appProperties": {"round": "2025-04"}, "trashed": True},
    )
    fake_google.create_spreadsheet(OWNER, "Tháng 3", None)

    def names(q: str) -> list[str]:
        found = client.ok(
            "GET", "/drive/v3/files", params={"q": q, "fields": "files(id,name,appProperties)"}
        )
        return sorted(f["id"] for f in found["files"])

    forms_q = "mimeType='application/vnd.google-apps.form'"
    assert names(f"{forms_q} and trashed=false") == [form_a]
    assert names(f"{forms_q} and appProperties has {{ key='round' and value='2025-04' }}") == [
        form_b
    ]
    assert names(f"name = 'Tháng 3' and {forms_q}") == [form_a]
    assert len(names("name contains 'Tháng' and trashed = false")) == 2
    answer = client.call("GET", "/drive/v3/files", params={"q": "name === 'x'"})
    assert answer.status_code == 400


def test_permissions_including_the_published_view(client: Client, fake_google: FakeGoogle) -> None:
    form_id = client.new_form()
    created = client.ok(
        "POST",
        f"/drive/v3/files/{form_id}/permissions",
        {"type": "anyone", "role": "reader", "view": "published"},
    )
    assert created == {
        "kind": "drive#permission",
        "id": "anyoneWithLink",
        "type": "anyone",
        "role": "reader",
    }
    client.ok(
        "POST",
        f"/drive/v3/files/{form_id}/permissions",
        {"type": "user", "role": "writer", "emailAddress": "deputy@example.com"},
    )
    plain = client.ok(
        "GET", f"/drive/v3/files/{form_id}/permissions", params={"fields": "permissions(role,view)"}
    )
    assert {"role": "reader", "view": "published"} not in plain["permissions"]
    published = client.ok(
        "GET",
        f"/drive/v3/files/{form_id}/permissions",
        params={"includePermissionsForView": "published", "fields": "permissions(role,view)"},
    )
    assert {"role": "reader", "view": "published"} in published["permissions"]
    assert (
        Client(fake_google, "deputy@example.com").ok("GET", f"/v1/forms/{form_id}")["formId"]
        == form_id
    )
    responder = Client(fake_google, "member@example.com")
    member = {
        "type": "user",
        "role": "reader",
        "view": "published",
        "emailAddress": "member@example.com",
    }
    client.ok("POST", f"/drive/v3/files/{form_id}/permissions", member)
    assert responder.call("GET", f"/v1/forms/{form_id}").status_code == 403  # answers, cannot read


def test_delete_removes_the_file_and_what_it_holds(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", None)
    assert client.ok("DELETE", f"/drive/v3/files/{sid}") is None
    assert client.call("GET", f"/v4/spreadsheets/{sid}").status_code == 404


# --- Forms ----------------------------------------------------------------------------------


def test_forms_create_answers_like_google(client: Client) -> None:
    form = client.ok(
        "POST", "/v1/forms", {"info": {"title": "Thi tháng 3"}}, {"unpublished": "true"}
    )
    assert set(form) >= {"formId", "info", "revisionId", "responderUri", "publishSettings"}
    assert form["info"] == {"title": "Thi tháng 3", "documentTitle": "Thi tháng 3"}
    assert form["publishSettings"] == {
        "publishState": {"isPublished": False, "isAcceptingResponses": False}
    }
    published = client.ok("POST", "/v1/forms", {"info": {"title": "x"}})
    assert published["publishSettings"]["publishState"]["isAcceptingResponses"] is True


def test_items_get_eight_hex_ids_unless_given(client: Client) -> None:
    form_id = client.new_form()
    reply = client.ok(
        "POST",
        f"/v1/forms/{form_id}:batchUpdate",
        {
            "requests": [
                {
                    "createItem": {
                        "item": {"title": "A", "questionItem": {"question": {"textQuestion": {}}}},
                        "location": {"index": 0},
                    }
                },
                {
                    "createItem": {
                        "item": {
                            "itemId": "0000abcd",
                            "title": "B",
                            "questionItem": {
                                "question": {"questionId": "0000beef", "textQuestion": {}}
                            },
                        },
                        "location": {"index": 1},
                    }
                },
            ]
        },
    )
    first, second = (r["createItem"] for r in reply["replies"])
    assert re.fullmatch(r"[0-9a-f]{8}", first["itemId"])
    assert re.fullmatch(r"[0-9a-f]{8}", first["questionId"][0])
    assert second == {"itemId": "0000abcd", "questionId": ["0000beef"]}


def test_responses_are_graded_like_google(client: Client, fake_google: FakeGoogle) -> None:
    form_id = client.new_form()
    radio = client.add_choice(form_id, ["A", "B", "C"], correct=["B"], points=2)
    boxes = client.add_choice(
        form_id, ["1", "2", "3"], correct=["1", "3"], kind="CHECKBOX", index=1
    )
    drop = client.add_choice(form_id, ["x", "y"], correct=["y"], kind="DROP_DOWN", index=2)
    response = fake_google.submit(form_id, {radio: ["B"], boxes: ["3", "1"], drop: ["x"]})
    answers = response["answers"]
    assert answers[radio]["grade"] == {"score": 2, "correct": True}
    assert answers[boxes]["grade"] == {"score": 1, "correct": True}
    assert answers[drop]["grade"] == {"score": 0, "correct": False}
    assert answers[radio]["textAnswers"] == {"answers": [{"value": "B"}]}
    assert response["totalScore"] == 3
    assert "respondentEmail" not in response
    listed = client.ok("GET", f"/v1/forms/{form_id}/responses")["responses"]
    assert listed == [response]
    got = client.ok("GET", f"/v1/forms/{form_id}/responses/{response['responseId']}")
    assert got == response


def test_respondent_email_only_when_the_form_collects_it(
    client: Client, fake_google: FakeGoogle
) -> None:
    form_id = client.new_form()
    qid = client.add_choice(form_id, ["A", "B"])
    client.ok(
        "POST",
        f"/v1/forms/{form_id}:batchUpdate",
        {
            "requests": [
                {
                    "updateSettings": {
                        "settings": {"emailCollectionType": "VERIFIED"},
                        "updateMask": "emailCollectionType",
                    }
                }
            ]
        },
    )
    response = fake_google.submit(form_id, {qid: ["A"]}, email="an@example.com")
    assert response["respondentEmail"] == "an@example.com"


def test_responses_paginate_and_filter_by_timestamp(
    client: Client, fake_google: FakeGoogle
) -> None:
    form_id = client.new_form(quiz=False)
    qid = client.add_choice(form_id, ["A", "B"])
    start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    for minute in range(7):
        fake_google.submit(form_id, {qid: ["A"]}, submit_time=start + timedelta(minutes=minute))
    path = f"/v1/forms/{form_id}/responses"
    first = client.ok("GET", path, params={"pageSize": 3})
    assert len(first["responses"]) == 3 and first["nextPageToken"]
    rest = client.ok("GET", path, params={"pageSize": 5, "pageToken": first["nextPageToken"]})
    assert len(rest["responses"]) == 4 and "nextPageToken" not in rest
    assert len(client.ok("GET", path)["responses"]) == 7
    at = "2025-03-01T08:03:00Z"
    assert len(client.ok("GET", path, params={"filter": f"timestamp >= {at}"})["responses"]) == 4
    assert len(client.ok("GET", path, params={"filter": f"timestamp > {at}"})["responses"]) == 3


def test_update_move_and_delete_items(client: Client) -> None:
    form_id = client.new_form()
    first = client.add_choice(form_id, ["A", "B"], correct=["A"])
    client.add_choice(form_id, ["C", "D"], index=1)
    question = {
        "questionId": first,
        "choiceQuestion": {"type": "RADIO", "options": [{"value": "A"}, {"value": "B"}]},
        "grading": {"pointValue": 5, "correctAnswers": {"answers": [{"value": "B"}]}},
    }
    update = {
        "item": {"title": "Câu 1", "questionItem": {"question": question}},
        "location": {"index": 0},
        "updateMask": "title,questionItem.question.grading",
    }
    move = {"originalLocation": {"index": 0}, "newLocation": {"index": 1}}
    client.ok(
        "POST",
        f"/v1/forms/{form_id}:batchUpdate",
        {"requests": [{"updateItem": update}, {"moveItem": move}]},
    )
    items = client.ok("GET", f"/v1/forms/{form_id}")["items"]
    assert items[1]["title"] == "Câu 1"
    assert items[1]["questionItem"]["question"]["grading"]["pointValue"] == 5
    client.ok(
        "POST",
        f"/v1/forms/{form_id}:batchUpdate",
        {"requests": [{"deleteItem": {"location": {"index": 0}}}]},
    )
    assert [i["title"] for i in client.ok("GET", f"/v1/forms/{form_id}")["items"]] == ["Câu 1"]


# --- controls -------------------------------------------------------------------------------


def test_faults_fail_matching_requests_the_given_number_of_times(
    client: Client, fake_google: FakeGoogle
) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", None)
    fake_google.fault(r"^GET /v4/spreadsheets/", status=429, times=2)
    statuses = [client.call("GET", f"/v4/spreadsheets/{sid}").status_code for _ in range(3)]
    assert statuses == [429, 429, 200]
    assert client.call("GET", f"/v4/spreadsheets/{sid}").json().get("spreadsheetId") == sid


def test_a_fault_can_add_latency_over_http(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", None)
    answer = requests.post(
        f"{fake_google.url}/_fake/faults",
        json={"match": "GET /v4", "status": 0, "times": 1, "delay_s": 0.3},
        timeout=10,
    )
    assert answer.status_code == 200
    began = time.monotonic()
    assert client.call("GET", f"/v4/spreadsheets/{sid}").status_code == 200
    assert time.monotonic() - began >= 0.3


def test_the_request_log_and_reset(client: Client, fake_google: FakeGoogle) -> None:
    client.call("GET", "/v4/spreadsheets/missing", params={"includeGridData": "false"})
    log = requests.get(f"{fake_google.url}/_fake/requests", timeout=10).json()["requests"]
    assert log == [
        {"method": "GET", "path": "/v4/spreadsheets/missing?includeGridData=false", "status": 404}
    ]
    fake_google.create_spreadsheet(OWNER, "Thi", None)
    assert requests.post(f"{fake_google.url}/_fake/reset", timeout=10).status_code == 200
    assert fake_google.requests() == []
    assert fake_google.state.files == {}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_module(port: int, state: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegoogle", "--port", str(port), "--state", str(state)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    assert "listening on" in process.stdout.readline()
    return process


def test_module_run_keeps_state_in_the_file_across_restarts(tmp_path: Path) -> None:
    port, state = free_port(), tmp_path / "state.json"
    base = f"http://127.0.0.1:{port}"
    process = run_module(port, state)
    try:
        info = requests.post(
            f"{base}/_fake/authorized_user", json={"email": OWNER}, timeout=10
        ).json()
        assert info["token_uri"] == f"{base}/token"
        token = requests.post(
            info["token_uri"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": info["refresh_token"],
                "client_id": info["client_id"],
                "client_secret": info["client_secret"],
            },
            timeout=10,
        )
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        made = requests.post(
            f"{base}/v1/forms", json={"info": {"title": "Giữ lại"}}, headers=bearer, timeout=10
        ).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    process = run_module(port, state)
    try:
        answer = requests.get(f"{base}/v1/forms/{made['formId']}", headers=bearer, timeout=10)
        assert answer.json()["info"]["title"] == "Giữ lại"
        listed = requests.get(f"{base}/drive/v3/files", headers=bearer, timeout=10).json()
        assert [f["id"] for f in listed["files"]] == [made["formId"]]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_fields_selects_parts_of_any_answer(client: Client) -> None:
    form_id = client.new_form("Thi")
    client.add_choice(form_id, ["A", "B"])
    got = client.ok("GET", f"/v1/forms/{form_id}", params={"fields": "formId,items(itemId)"})
    assert set(got) == {"formId", "items"}
    assert set(got["items"][0]) == {"itemId"}


def test_typed_dates_follow_the_spreadsheet_locale(client: Client, fake_google: FakeGoogle) -> None:
    typed = [["29/11/2026 19:30", "05/03/2025"]]
    vi = fake_google.create_spreadsheet(OWNER, "Thi", {"Lịch": typed}, locale="vi_VN")
    us = fake_google.create_spreadsheet(OWNER, "Thi", {"Lịch": typed})
    assert values(client, vi, "Lịch!A1:B1", valueRenderOption="UNFORMATTED_VALUE")["values"] == [
        [46355.8125, 45721]
    ]
    assert values(client, us, "Lịch!A1:B1", valueRenderOption="UNFORMATTED_VALUE")["values"] == [
        ["29/11/2026 19:30", 45780]
    ]
    assert fake_google.spreadsheet_values(vi, "Lịch") == typed
    grid = client.ok(
        "GET",
        f"/v4/spreadsheets/{vi}",
        params={
            "ranges": "Lịch!A1",
            "fields": "sheets.data.rowData.values(effectiveValue,effectiveFormat.numberFormat)",
        },
    )
    cell = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert cell == {
        "effectiveValue": {"numberValue": 46355.8125},
        "effectiveFormat": {"numberFormat": {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"}},
    }


def test_sheet_titles_in_ranges_ignore_case(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", {"Kết quả": [["x"]]})
    assert values(client, sid, "'kết QUẢ'!A1")["values"] == [["x"]]


def test_a_chunked_request_body_is_read_whole(client: Client, fake_google: FakeGoogle) -> None:
    body = json.dumps({"info": {"title": "Thi theo từng khúc"}}).encode()
    answer = requests.post(
        f"{fake_google.url}/v1/forms",
        data=iter([body[:10], body[10:]]),
        headers={"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.json()["info"]["title"] == "Thi theo từng khúc"


def test_formulas_follow_the_cells_they_read(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(
        OWNER, "Thi", {"A": [["2", "3", "=SUM(A1:B1)*2", '=A1&"đ"']]}
    )
    assert values(client, sid, "A!A1:D1")["values"] == [["2", "3", "10", "2đ"]]
    client.ok(
        "PUT", f"/v4/spreadsheets/{sid}/values/A!A1", {"values": [[5]]}, {"valueInputOption": "RAW"}
    )
    assert values(client, sid, "A!C1:D1", valueRenderOption="UNFORMATTED_VALUE")["values"] == [
        [16, "5đ"]
    ]
    client.ok(
        "PUT",
        f"/v4/spreadsheets/{sid}/values/A!E1",
        {"values": [["=VLOOKUP(1,A1:B1,2)"]]},
        {"valueInputOption": "USER_ENTERED"},
    )
    assert values(client, sid, "A!E1")["values"] == [["#NAME?"]]


def test_a_star_selects_every_field(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", None)
    whole = client.ok("GET", f"/drive/v3/files/{sid}", params={"fields": "*"})
    assert {"id", "name", "mimeType", "owners", "createdTime", "modifiedTime"} <= set(whole)
    listed = client.ok("GET", "/drive/v3/files", params={"fields": "files(*)"})
    assert listed["files"][0]["owners"][0]["me"] is True


def test_spreadsheets_create_with_tabs_and_first_cells(
    client: Client, fake_google: FakeGoogle
) -> None:
    cells = [
        {"userEnteredValue": {"stringValue": "Họ tên"}},
        {"userEnteredValue": {"formulaValue": "=1+1"}, "note": "tổng"},
    ]
    body = {
        "properties": {"title": "Thi", "locale": "vi_VN"},
        "sheets": [
            {
                "properties": {
                    "title": "Kết quả",
                    "gridProperties": {"rowCount": 10, "columnCount": 4},
                },
                "data": [{"startRow": 1, "rowData": [{"values": cells}]}],
            },
            {"properties": {"title": "Ngân hàng"}},
        ],
    }
    made = client.ok("POST", "/v4/spreadsheets", body)
    assert [s["properties"]["title"] for s in made["sheets"]] == ["Kết quả", "Ngân hàng"]
    assert made["properties"]["locale"] == "vi_VN"
    assert fake_google.spreadsheet_values(made["spreadsheetId"], "Kết quả") == [[], ["Họ tên", "2"]]
    assert fake_google.file(made["spreadsheetId"])["owners"][0]["emailAddress"] == OWNER
    clash = {"sheets": [{"properties": {"title": "A"}}, {"properties": {"title": "a"}}]}
    assert client.call("POST", "/v4/spreadsheets", clash).status_code == 400


def test_number_patterns_shape_formatted_values(client: Client, fake_google: FakeGoogle) -> None:
    sid = fake_google.create_spreadsheet(OWNER, "Thi", {"A": [[9.5, 1234567.891, 0.256]]})
    patterns = ["0.00", "#,##0.0", "0.0%"]
    requests_ = [
        {
            "repeatCell": {
                "range": {
                    "sheetId": 0,
                    "startRowIndex": 0,
                    "endRowIndex": 1,
                    "startColumnIndex": i,
                    "endColumnIndex": i + 1,
                },
                "cell": {"userEnteredFormat": {"numberFormat": {"type": "NUMBER", "pattern": p}}},
                "fields": "userEnteredFormat.numberFormat",
            }
        }
        for i, p in enumerate(patterns)
    ]
    client.ok("POST", f"/v4/spreadsheets/{sid}:batchUpdate", {"requests": requests_})
    assert values(client, sid, "A!A1:C1")["values"] == [["9.50", "1,234,567.9", "25.6%"]]
    assert values(client, sid, "A!A1:C1", valueRenderOption="UNFORMATTED_VALUE")["values"] == [
        [9.5, 1234567.891, 0.256]
    ]
