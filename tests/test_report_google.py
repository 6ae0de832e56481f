"""The tabs the secretary reads, written to a Google Sheet: the fake Google over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from automation import googlebackend, report
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.model import Member, Question
from automation.ports import FormResponse
from automation.ranking import rank_round, to_submission
from automation.sheets import GoogleSheet

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = "admin@example.com"
OPENED = datetime(2023, 3, 14, 19, 30, tzinfo=TZ)
QUESTION = Question(2, "Năm thành lập Đảng?", ("1930", "1945"), frozenset("A"))


def no_sleep(_: float) -> None:
    """Backoff waits are skipped; their lengths are checked in the Google tests."""


@pytest.fixture
def sheet(fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GoogleSheet:
    """A spreadsheet of a US-locale account (its own dates month first)."""
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    credentials = tmp_path / "credentials.json"
    fake_google.authorized_user_file(credentials, email=ADMIN)
    spreadsheet_id = fake_google.create_spreadsheet(ADMIN, "Thi", {"Lịch thi": [["Kỳ thi"]]})
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=credentials))
    opened, _ = googlebackend.connect(settings, sleep=no_sleep)
    assert isinstance(opened, GoogleSheet)
    return opened


def ranked(people: int) -> Any:
    members = [Member(i + 2, f"Đảng viên {i + 1}") for i in range(people)]
    responses = [
        FormResponse(f"r{i}", m.name, OPENED + timedelta(seconds=40 + (i + 1) // 2),
                     {QUESTION.text: ("1930" if i % 4 else "1945",)})
        for i, m in enumerate(members)
    ]
    return rank_round(
        round_id="2023-03", questions=[QUESTION], members=members,
        submissions=[to_submission(r, [QUESTION]) for r in responses],
        opened_at=OPENED, deadline=OPENED + timedelta(seconds=90), closed_at=OPENED,
    )


def grid(sheet: GoogleSheet, title: str, fields: str) -> dict[str, Any]:
    """One tab as the Sheets API gives it, with the cells' formats."""
    answer = sheet.client.spreadsheets_get(sheet.id, params={
        "ranges": f"'{title}'", "includeGridData": "true", "fields": f"sheets({fields})",
    })
    return dict(answer["sheets"][0])


def test_the_results_tab_on_google_counts_whole_people_and_shows_times_as_the_table_does(
    sheet: GoogleSheet,
) -> None:
    result = ranked(10)  # 7 right (ranks 1, 1, 3 …), 3 wrong: at most 7 share a score
    tab = report.results_tab(result, language="vi", tz=TZ)
    sheet.write_tabs([tab])

    found = grid(sheet, tab.title, "charts,data(rowData(values(formattedValue,userEnteredFormat)))")
    (chart,) = found["charts"]
    basic = chart["spec"]["basicChart"]
    (axis,) = basic["axis"]
    # The API has no tick step: the axis is pinned to 0..7, whole people, bars labelled.
    assert axis == {"position": "LEFT_AXIS", "viewWindowOptions": {
        "viewWindowMode": "EXPLICIT", "viewWindowMin": 0, "viewWindowMax": 7}}
    assert basic["series"][0]["dataLabel"] == {"type": "DATA", "placement": "OUTSIDE_END"}
    anchor = chart["position"]["overlayPosition"]["anchorCell"]
    assert (anchor["rowIndex"] + 1, anchor["columnIndex"]) == (tab.chart.anchor_row, 3)

    rows = found["data"][0]["rowData"]

    def cell(row: int, column: int) -> dict[str, Any]:
        return rows[row - 1]["values"][column - 1]

    # The header block's times: shown day first like the Nộp lúc column, in a US sheet too.
    assert cell(2, 6)["formattedValue"] == "14/03/2023 19:30:00"
    assert cell(2, 6)["userEnteredFormat"]["numberFormat"]["pattern"] == "dd/mm/yyyy hh:mm:ss"
    assert cell(2, 6)["userEnteredFormat"]["horizontalAlignment"] == "LEFT"
    assert cell(1, 1)["userEnteredFormat"]["textFormat"] == {"bold": True, "fontSize": 14}
    h = tab.header_row
    winner = cell(h + 1, 2)
    assert winner["formattedValue"] == "Đảng viên 2 — Về nhất"
    assert winner["userEnteredFormat"]["textFormat"]["bold"] is True
    assert cell(h + 2, 2)["formattedValue"] == "Đảng viên 3 — Về nhất"  # tied at rank 1
    assert cell(h + 1, 1)["userEnteredFormat"]["horizontalAlignment"] == "CENTER"
    assert cell(h + 1, 7)["userEnteredFormat"]["wrapStrategy"] == "WRAP"
    assert cell(h, 5)["userEnteredFormat"]["wrapStrategy"] == "WRAP"  # the header row
    # Read back as the season table reads it: plain names.
    back = sheet.read([tab.title])[tab.title]
    assert [s.name for s in report.read_round_scores("2023-03", back)[:2]] == [
        "Đảng viên 2", "Đảng viên 3"]
