"""GoogleSheet through the fake Google over HTTP, with the real gspread underneath."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from automation import auth, googlebackend, report
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.ports import CellWrite, ChartSpec, InputError, SheetTab
from automation.sheets import GoogleSheet

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = "admin@example.com"


def no_sleep(_: float) -> None:
    """Backoff waits are skipped in tests; their lengths are checked where they matter."""


@pytest.fixture
def setup(fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[Any, Settings, str]:
    """A spreadsheet the admin owns, with the three secretary tabs, and settings to reach it."""
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    credentials = tmp_path / "credentials.json"
    fake_google.authorized_user_file(credentials, email=ADMIN, scopes=auth.SIGN_IN_SCOPES)
    spreadsheet_id = fake_google.create_spreadsheet(ADMIN, "Thi trắc nghiệm", {
        "Câu hỏi": [["Câu hỏi", "A", "B", "Đáp án", "Đã dùng"],
                    ["Năm thành lập Đảng?", "1930", "1945", "A"]],
        "Đảng viên": [["Họ và tên", "Email"], ["Nguyễn Văn A", "a@example.com"]],
        "Lịch thi": [["Kỳ thi", "Mở lúc", "Trạng thái"], ["2026-11", "29/11/2026 19:30"]],
    })
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=credentials))
    return fake_google, settings, spreadsheet_id


def open_sheet(settings: Settings, **overrides: Any) -> GoogleSheet:
    sheet, _ = googlebackend.connect(settings, sleep=no_sleep, **overrides)
    return sheet


def api_calls(fake: Any, since: int = 0) -> list[str]:
    """The Sheets / Drive / Forms calls the fake saw (not the token refreshes)."""
    return [f"{r['method']} {r['path']}" for r in fake.requests()[since:]
            if not r["path"].startswith(("/token", "/_fake"))]


def test_read_is_one_request_for_what_the_secretary_sees(setup: Any) -> None:
    fake, settings, _ = setup
    sheet = open_sheet(settings)
    before = len(fake.requests())
    tabs = sheet.read(["Câu hỏi", "Đảng viên", "Lịch thi", "Không có"])
    assert tabs["Câu hỏi"][1] == ["Năm thành lập Đảng?", "1930", "1945", "A"]
    assert tabs["Đảng viên"] == [["Họ và tên", "Email"], ["Nguyễn Văn A", "a@example.com"]]
    assert "Không có" not in tabs
    calls = api_calls(fake, before)
    assert len(calls) == 1 and "includeGridData=true" in calls[0]
    assert sheet.tab_titles() == ["Câu hỏi", "Đảng viên", "Lịch thi"]


def test_date_order_follows_the_spreadsheet_locale(setup: Any) -> None:
    _, settings, spreadsheet_id = setup
    assert open_sheet(settings).date_order == "mdy"  # a new sheet's locale: en_US
    client = googlebackend.sheets_client(settings, sleep=no_sleep)
    client.batch_update(spreadsheet_id, {"requests": [{"updateSpreadsheetProperties": {
        "properties": {"locale": "vi_VN"}, "fields": "locale"}}]})
    assert open_sheet(settings).date_order == "dmy"


def test_a_date_time_cell_reads_as_its_value_whatever_its_pattern(setup: Any) -> None:
    _, settings, _ = setup
    sheet = open_sheet(settings)
    assert sheet.date_order == "mdy"
    opens = datetime(2026, 12, 5, 19, 30)  # shown 05/12/2026 19:30: day first, in a US sheet
    sheet.write_tabs([SheetTab("Lịch cũ", [["Kỳ thi", "Mở lúc", "Số câu"], ["2026-12", opens, 10]],
                               header_row=1, number_formats={1: "dd/mm/yyyy hh:mm"})])
    rows = sheet.read(["Lịch cũ"])["Lịch cũ"]
    assert rows == [["Kỳ thi", "Mở lúc", "Số câu"], ["2026-12", opens, "10"]]


def test_update_cells_writes_raw_so_a_formula_stays_text(setup: Any) -> None:
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    before = len(fake.requests())
    sheet.update_cells([
        CellWrite("Lịch thi", 2, 3, "Đã chuẩn bị"),
        CellWrite("Lịch thi", 2, 4, '=HYPERLINK("http://evil.example","bấm vào")'),
        CellWrite("Câu hỏi", 2, 5, 12),
    ])
    assert len(api_calls(fake, before)) == 1
    values = fake.spreadsheet_values(spreadsheet_id, "Lịch thi")
    assert values[1][2:4] == ["Đã chuẩn bị", '=HYPERLINK("http://evil.example","bấm vào")']
    client = googlebackend.sheets_client(settings, sleep=no_sleep)
    formulas = client.values_get(spreadsheet_id, "'Lịch thi'!D2",
                                 params={"valueRenderOption": "FORMULA"})
    assert formulas["values"] == [['=HYPERLINK("http://evil.example","bấm vào")']]


def test_update_cells_writes_a_datetime_as_a_real_date_time_in_one_request(setup: Any) -> None:
    """Mở thực tế / Đóng lúc: a date-time cell shown dd/mm/yyyy hh:mm:ss in the configured
    zone (whatever the sheet's locale), that reads back as the same moment."""
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    opened = datetime(2026, 11, 29, 5, 30, 15, tzinfo=ZoneInfo("UTC"))  # 12:30:15 in Hà Nội
    before = len(fake.requests())
    sheet.update_cells([CellWrite("Lịch thi", 2, 8, opened), CellWrite("Lịch thi", 2, 3, "Đang mở"),
                        CellWrite("Lịch thi", 2, 4, "=1+1")])
    calls = api_calls(fake, before)
    assert len(calls) == 1 and ":batchUpdate" in calls[0]  # one request, the grid grown in it
    book = googlebackend.gspread_client(settings, sleep=no_sleep).open_by_key(spreadsheet_id)
    tab = book.worksheet("Lịch thi")
    assert tab.acell("H2").value == "29/11/2026 12:30:15"  # formatted, in the sheet's zone
    serial = tab.acell("H2", value_render_option="UNFORMATTED_VALUE").value
    assert serial == pytest.approx((datetime(2026, 11, 29, 12, 30, 15) - datetime(1899, 12, 30)
                                    ).total_seconds() / 86400)
    assert tab.acell("D2", value_render_option="FORMULA").value == "=1+1"  # text, not a formula
    assert tab.acell("C2").value == "Đang mở"
    rows = open_sheet(settings).read(["Lịch thi"])["Lịch thi"]
    assert rows[1][7] == datetime(2026, 11, 29, 12, 30, 15)  # the same moment, local wall time


def test_a_number_written_to_a_service_cell_stays_a_number(setup: Any) -> None:
    _, settings, spreadsheet_id = setup
    open_sheet(settings).update_cells([CellWrite("Câu hỏi", 2, 5, 12)])
    book = googlebackend.gspread_client(settings, sleep=no_sleep).open_by_key(spreadsheet_id)
    assert book.worksheet("Câu hỏi").acell("E2", value_render_option="UNFORMATTED_VALUE"
                                           ).value == 12


def test_init_replaces_a_new_spreadsheets_empty_sheet1(setup: Any) -> None:
    fake, settings, _ = setup
    new_id, _ = googlebackend.create_spreadsheet(settings, "Thi 2027", sleep=no_sleep)
    assert [s["properties"]["title"] for s in fake.spreadsheet(new_id)["sheets"]] == ["Sheet1"]
    client = googlebackend.sheets_client(settings, sleep=no_sleep)
    sheet = GoogleSheet(client, new_id, tz=TZ)
    created = sheet.add_tabs(report.template_tabs("vi", opens_at=datetime(2027, 1, 10, 19, 30)))
    titles = [s["properties"]["title"] for s in fake.spreadsheet(new_id)["sheets"]]
    assert titles == created == sheet.tab_titles() and "Sheet1" not in titles


def test_a_sheet1_holding_anything_is_kept(setup: Any) -> None:
    fake, settings, _ = setup
    new_id, _ = googlebackend.create_spreadsheet(settings, "Thi 2027", sleep=no_sleep)
    client = googlebackend.sheets_client(settings, sleep=no_sleep)
    client.values_update(new_id, "Sheet1!A1", params={"valueInputOption": "RAW"},
                         body={"values": [["ghi chú của bí thư"]]})
    GoogleSheet(client, new_id, tz=TZ).add_tabs(report.template_tabs("vi"))
    assert "Sheet1" in [s["properties"]["title"] for s in fake.spreadsheet(new_id)["sheets"]]


def result_tab(title: str, people: int) -> SheetTab:
    opened = datetime(2026, 11, 29, 19, 30, tzinfo=TZ)
    rows: list[list[Any]] = [["Kỳ thi", "2026-11"], ["Mở lúc", opened], [],
                             ["Hạng", "Họ và tên", "Điểm (/10)", "Nộp lúc"]]
    rows += [[i + 1, f"=HYPERLINK(\"x\",\"{i}\")" if i == 0 else f"Người {i}",
              10 - i % 10, opened] for i in range(people)]
    return SheetTab(
        title=title, rows=rows, header_row=4, bold_rows=frozenset({1}),
        highlight_rows=frozenset({5}), column_widths=(6, 30, 10, 20),
        number_formats={2: "0.00", 3: "dd/mm/yyyy hh:mm:ss"},
        chart=ChartSpec("Phân bố điểm", label_column=1, value_column=2, first_row=5,
                        last_row=4 + people),
    )


def test_write_tabs_is_one_batch_update_with_the_values(setup: Any) -> None:
    """Made, formatted and filled in one request: Google applies it whole or not at all,
    so a crash (or a spent budget) never leaves a tab made but empty."""
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    before = len(fake.requests())
    sheet.write_tabs([result_tab("Kết quả 2026-11", 30), result_tab("Bài làm 2026-11", 3)])
    calls = api_calls(fake, before)
    assert calls == [f"POST /v4/spreadsheets/{spreadsheet_id}:batchUpdate"]
    values = fake.spreadsheet_values(spreadsheet_id, "Kết quả 2026-11")
    assert values[4][1] == '=HYPERLINK("x","0")'  # untrusted text stays text
    assert values[1][1] == "11/29/2026 19:30:00"  # a real date, in the sheet's (en_US) order
    assert values[4][3] == "29/11/2026 19:30:00"
    grid = googlebackend.sheets_client(settings, sleep=no_sleep).spreadsheets_get(
        spreadsheet_id, params={"ranges": "'Kết quả 2026-11'!C6", "includeGridData": "true",
                                "fields": "sheets(data(rowData(values(userEnteredFormat))))"})
    cell = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert cell["userEnteredFormat"]["numberFormat"] == {"type": "NUMBER", "pattern": "0.00"}
    assert len(values) == 34
    meta = googlebackend.sheets_client(settings, sleep=no_sleep).spreadsheets_get(
        spreadsheet_id, params={"fields": "sheets(properties,charts)"})
    result = next(s for s in meta["sheets"] if s["properties"]["title"] == "Kết quả 2026-11")
    assert result["properties"]["gridProperties"]["frozenRowCount"] == 4
    assert len(result.get("charts", [])) == 1


def test_write_tabs_replaces_a_tab_wholly_and_keeps_its_place(setup: Any) -> None:
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    sheet.write_tabs([result_tab("Kết quả 2026-11", 30)])
    sheet.update_cells([CellWrite("Lịch thi", 2, 3, "Đã xếp hạng")])  # the cache is still right
    sheet.write_tabs([result_tab("Kết quả 2026-11", 2)])
    assert len(fake.spreadsheet_values(spreadsheet_id, "Kết quả 2026-11")) == 6
    assert sheet.tab_titles() == ["Câu hỏi", "Đảng viên", "Lịch thi", "Kết quả 2026-11"]
    fresh = open_sheet(settings)
    assert fresh.tab_titles() == sheet.tab_titles()
    meta = googlebackend.sheets_client(settings, sleep=no_sleep).spreadsheets_get(
        spreadsheet_id, params={"fields": "sheets(properties,charts)"})
    assert [len(s.get("charts", [])) for s in meta["sheets"]] == [0, 0, 0, 1]


def test_a_large_write_is_split_under_the_payload_limit(setup: Any) -> None:
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    sheet.max_payload = 4000
    before = len(fake.requests())
    sheet.write_tabs([result_tab("Kết quả 2026-11", 200)])
    writes = api_calls(fake, before)
    assert len(writes) > 1 and all(c.endswith(":batchUpdate") for c in writes)
    values = fake.spreadsheet_values(spreadsheet_id, "Kết quả 2026-11")
    assert len(values) == 204 and values[203][1] == "Người 199"


def test_add_tabs_creates_only_the_missing_ones(setup: Any) -> None:
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    template = [
        SheetTab("Questions", [["Question", "A", "B"]], header_row=1),  # exists, in Vietnamese
        SheetTab("Lịch thi", [["Kỳ thi", "Mở lúc"]], header_row=1),
        SheetTab("Hướng dẫn", [["Cách dùng"], ["Điền câu hỏi vào trang Câu hỏi."]]),
    ]
    assert sheet.add_tabs(template) == ["Hướng dẫn"]
    assert fake.spreadsheet_values(spreadsheet_id, "Hướng dẫn")[1] == [
        "Điền câu hỏi vào trang Câu hỏi."]
    assert fake.spreadsheet_values(spreadsheet_id, "Lịch thi")[1][0] == "2026-11"  # untouched
    before = len(fake.requests())
    assert sheet.add_tabs(template) == []
    assert api_calls(fake, before) == []


def test_a_renamed_tab_is_named_with_the_way_to_restore_it(setup: Any) -> None:
    _, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    client = googlebackend.sheets_client(settings, sleep=no_sleep)
    schedule = next(s for s in client.spreadsheets_get(spreadsheet_id)["sheets"]
                    if s["properties"]["title"] == "Lịch thi")
    client.batch_update(spreadsheet_id, {"requests": [{"updateSheetProperties": {
        "properties": {"sheetId": schedule["properties"]["sheetId"], "title": "Lich cu"},
        "fields": "title"}}]})
    assert "Lịch thi" not in sheet.read(["Câu hỏi", "Lịch thi"])  # the cache was refreshed
    with pytest.raises(InputError, match=r"Lịch thi.*automation init"):
        sheet.update_cells([CellWrite("Lịch thi", 2, 3, "Đang mở")])


def test_init_template_tabs_are_created_with_their_drop_downs(setup: Any) -> None:
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    opens = datetime(2026, 12, 20, 19, 30, tzinfo=TZ)
    assert sheet.add_tabs(report.template_tabs("vi", opens_at=opens)) == []  # all three exist
    client = googlebackend.sheets_client(settings, sleep=no_sleep)
    empty = client.request("post", "https://www.googleapis.com/drive/v3/files", json={
        "name": "Trống", "mimeType": "application/vnd.google-apps.spreadsheet"}).json()["id"]
    blank = GoogleSheet(client, empty, tz=TZ)
    created = blank.add_tabs(report.template_tabs("vi", opens_at=opens))
    assert created == ["Câu hỏi", "Đảng viên", "Lịch thi"]
    assert fake.spreadsheet_values(empty, "Lịch thi")[0][:2] == ["Kỳ thi", "Mở lúc"]
    grid = client.spreadsheets_get(empty, params={
        "ranges": "'Lịch thi'!C2", "includeGridData": "true",
        "fields": "sheets(data(rowData(values(dataValidation))))"})
    rule = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]["dataValidation"]
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == [
        str(n) for n in range(5, 11)]
    del spreadsheet_id


def test_new_tabs_are_added_last_in_the_order_given(setup: Any) -> None:
    _, settings, _ = setup
    sheet = open_sheet(settings)
    sheet.write_tabs([SheetTab("Kết quả 2026-11", [["a"]]), SheetTab("Bài làm 2026-11", [["b"]]),
                      SheetTab("Thống kê câu hỏi", [["c"]])])
    assert open_sheet(settings).tab_titles()[3:] == [
        "Kết quả 2026-11", "Bài làm 2026-11", "Thống kê câu hỏi"]


def test_a_service_tab_deleted_meanwhile_is_simply_written_again(setup: Any) -> None:
    fake, settings, spreadsheet_id = setup
    sheet = open_sheet(settings)
    sheet.write_tabs([result_tab("Kết quả 2026-11", 3)])
    client = googlebackend.sheets_client(settings, sleep=no_sleep)
    stale = next(s for s in client.spreadsheets_get(spreadsheet_id)["sheets"]
                 if s["properties"]["title"] == "Kết quả 2026-11")
    client.batch_update(spreadsheet_id, {"requests": [
        {"deleteSheet": {"sheetId": stale["properties"]["sheetId"]}}]})
    sheet.write_tabs([result_tab("Kết quả 2026-11", 2)])
    assert len(fake.spreadsheet_values(spreadsheet_id, "Kết quả 2026-11")) == 6


def test_gspread_objects_work_over_the_same_plumbing(setup: Any) -> None:
    fake, settings, spreadsheet_id = setup
    book = googlebackend.gspread_client(settings, sleep=no_sleep).open_by_key(spreadsheet_id)
    fake.fault(r"GET .*/values/", status=503, times=2)
    assert book.worksheet("Đảng viên").get_all_values()[1] == ["Nguyễn Văn A", "a@example.com"]
