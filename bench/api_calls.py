"""How many Google API requests a round costs, at 10, 1,000 and 5,000 responses.

Runs the google adapters against the fake Google (in-process, real HTTP) in
the order the tick calls them for open + close + rank of a 10-question round:

    connect (token, spreadsheet metadata)
    open:  read secretary tabs · setPublishSettings · update_cells
    close: read secretary tabs · setPublishSettings · update_cells
    rank:  read secretary tabs · responses (forms.get + responses.list pages)
           · write_tabs (results, responses, question stats, season) · update_cells

Members' submissions go through the fake's member route and are not counted.
Goal: the same count at every size except one more responses.list page per
5,000 responses, and at most 15 in all.

    python -m bench.api_calls
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automation import googlebackend
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.ports import CellWrite, ChartSpec, FormQuestion, FormSpec, SheetTab
from tests.fakegoogle import FakeGoogle

SIZES = (10, 1_000, 5_000)
QUESTIONS = 10
ADMIN = "admin@example.com"
SECRETARY_TABS = ("Câu hỏi", "Đảng viên", "Lịch thi")


def _kind(method: str, path: str) -> str:
    """A short name for one request, for the breakdown."""
    bare = path.split("?")[0]
    if "includeGridData=true" in path:
        return "spreadsheets.get (read tabs)"
    for marker, name in (
        ("/token", "oauth token"),
        ("values:batchUpdate", "values.batchUpdate"), (":setPublishSettings", "setPublishSettings"),
        ("/responses", "responses.list"), (":batchUpdate", "spreadsheets.batchUpdate"),
    ):
        if marker in bare:
            return name
    if bare.startswith("/v1/forms/"):
        return "forms.get"
    if bare.startswith("/v4/spreadsheets/"):
        return "spreadsheets.get (metadata)"
    return f"{method} {bare}"


def _spec(spreadsheet_id: str, members: list[str]) -> FormSpec:
    questions = tuple(
        FormQuestion(f"Câu hỏi số {q + 1}?", ("A đúng", "B sai", "C sai", "D sai"), multi=False,
                     points=1, correct=("A đúng",), explanation="Vì A đúng.")
        for q in range(QUESTIONS)
    )
    return FormSpec(round_id="2026-11", owner=spreadsheet_id, title="Thi tháng 2026-11",
                    description="", identity="roster", member_names=tuple(members),
                    questions=questions, shuffle_options=True, seconds_allowed=QUESTIONS * 30)


def _result_tabs(responses: int, opened: datetime) -> list[SheetTab]:
    """Tabs of the contract's shape and size (the ranking itself is not what is measured)."""
    ranked = [[i + 1, f"Đảng viên {i}", round(10 - (i % 11) * 0.9, 2), 10 - i % 11,
               "4:05", opened + timedelta(seconds=i % 300), ""] for i in range(responses)]
    results = SheetTab(
        "Kết quả 2026-11",
        [["Kỳ thi", "2026-11"], ["Mở lúc", opened], [],
         ["Hạng", "Họ và tên", "Điểm (/10)", "Số câu đúng", "Thời gian làm bài", "Nộp lúc",
          "Ghi chú"], *ranked],
        header_row=4, highlight_rows=frozenset({5}), column_widths=(6, 28, 10, 10, 12, 20, 30),
        number_formats={2: "0.00", 5: "dd/mm/yyyy hh:mm:ss"},
        chart=ChartSpec("Phân bố điểm", 0, 1, 1, 3),
    )
    raw = SheetTab(
        "Bài làm 2026-11",
        [["Nộp lúc", "Họ và tên", *(f"Câu {q + 1}" for q in range(QUESTIONS))],
         *([opened + timedelta(seconds=i % 300), f"Đảng viên {i}", *("A" * QUESTIONS)]
           for i in range(responses))],
        header_row=1, number_formats={0: "dd/mm/yyyy hh:mm:ss"},
    )
    stats = SheetTab("Thống kê câu hỏi", [["Kỳ thi", "Câu hỏi", "% đúng", "Sai nhiều nhất"],
                                          *(["2026-11", f"Câu hỏi số {q + 1}?", 0.8, "B sai"]
                                            for q in range(QUESTIONS))], header_row=1)
    season = SheetTab("Tổng kết 2026", [["Hạng", "Họ và tên", "Số kỳ", "Tổng điểm"],
                                        *([i + 1, f"Đảng viên {i}", 1, 10] for i in
                                          range(min(responses, 200)))], header_row=1)
    return [results, raw, stats, season]


def measure(fake: FakeGoogle, responses: int, folder: Path) -> Counter[str]:
    """One round at ``responses`` submissions: the requests by kind, from connect to rank."""
    fake.reset()
    credentials = fake.authorized_user_file(folder / f"token-{responses}.json", email=ADMIN)
    members = [f"Đảng viên {i}" for i in range(responses)]
    spreadsheet_id = fake.create_spreadsheet(ADMIN, "Thi trắc nghiệm", {
        "Câu hỏi": [["Câu hỏi", "A", "B", "C", "D", "Đáp án", "Đã dùng"],
                    *([f"Câu hỏi số {q + 1}?", "A đúng", "B sai", "C sai", "D sai", "A"]
                      for q in range(QUESTIONS))],
        "Đảng viên": [["Họ và tên"]],
        "Lịch thi": [["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu", "Trạng thái"],
                     ["2026-11", "29/11/2026 19:30", QUESTIONS, 30, "Đã chuẩn bị"]],
    })
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=credentials))
    sheet, forms = googlebackend.connect(settings, sleep=lambda _: None)
    # The roster, larger than a new tab's 1,000 rows: written with the adapter, not counted.
    sheet.write_tabs([SheetTab("Đảng viên", [["Họ và tên"], *([m] for m in members)])])
    ref = forms.build(_spec(spreadsheet_id, members))  # prepared on the day before: not counted
    question_ids = {i["title"]: i["questionItem"]["question"]["questionId"]
                    for i in fake.form(ref.form_id)["items"]}

    start = len(fake.requests())
    sheet, forms = googlebackend.connect(settings, sleep=lambda _: None)
    opened = datetime.now(UTC)
    sheet.read(SECRETARY_TABS)
    forms.open(ref.form_id, opened + timedelta(minutes=6))
    sheet.update_cells([CellWrite("Lịch thi", 2, 5, "Đang mở")])
    for i, member in enumerate(members):  # members answer: not Google API calls of ours
        fake.submit(ref.form_id, answers={
            question_ids["Họ và tên"]: [member],
            **{question_ids[f"Câu hỏi số {q + 1}?"]: ["A đúng" if (i + q) % 3 else "B sai"]
               for q in range(QUESTIONS)},
        })
    sheet.read(SECRETARY_TABS)
    forms.close(ref.form_id)
    sheet.update_cells([CellWrite("Lịch thi", 2, 5, "Đã đóng")])
    sheet.read(SECRETARY_TABS)
    received = forms.responses(ref.form_id)
    assert len(received) == responses, (len(received), responses)
    sheet.write_tabs(_result_tabs(responses, opened))
    sheet.update_cells([CellWrite("Lịch thi", 2, 5, "Đã xếp hạng")])
    log = fake.requests()[start:]
    return Counter(_kind(r["method"], r["path"]) for r in log if not r["path"].startswith("/_fake"))


def main() -> None:
    fake = FakeGoogle.start()
    saved = os.environ.get(ENV_ENDPOINT)
    os.environ[ENV_ENDPOINT] = fake.url
    try:
        with tempfile.TemporaryDirectory() as folder:
            results = {}
            for size in SIZES:
                began = time.perf_counter()
                results[size] = (measure(fake, size, Path(folder)), time.perf_counter() - began)
    finally:
        fake.stop()
        if saved is None:
            os.environ.pop(ENV_ENDPOINT, None)
        else:
            os.environ[ENV_ENDPOINT] = saved
    kinds = sorted({k for counts, _ in results.values() for k in counts})
    width = max(len(k) for k in kinds)
    print("Google API requests for open + close + rank, 10 questions")
    print(f"{'request':<{width}} " + " ".join(f"{size:>7,}" for size in SIZES))
    for kind in kinds:
        print(f"{kind:<{width}} " + " ".join(f"{results[s][0][kind]:>7}" for s in SIZES))
    print(f"{'total':<{width}} " + " ".join(f"{sum(results[s][0].values()):>7}" for s in SIZES))
    print(f"{'seconds (whole run)':<{width}} "
          + " ".join(f"{results[s][1]:>7.1f}" for s in SIZES))


if __name__ == "__main__":
    main()
