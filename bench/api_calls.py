"""How many Google API requests a round costs, at 10, 1,000 and 5,000 responses.

Plays a 10-question round with the real tick (``Quiz.tick``) and the google
adapters against the fake Google (in-process, real HTTP): the round is
prepared the day before (not counted), then counted from a fresh start of the
service (sign-in, spreadsheet metadata) through the tick that opens it and the
tick that closes and ranks it. Members' submissions go through the fake's
member route and are not counted; above 1,000 responses members submit more
than once (listed as repeated), as the roster stays at 1,000 names.
Goal: the same count at every size except one more responses.list page per
5,000 responses, and at most 20 in all: opening and closing each keep their
first moment on the form (a Drive get and update), and opening shares the form
with its responders, who can be added only once it is published (two Drive
calls); service cells are one spreadsheets.batchUpdate per step.

    python -m bench.api_calls
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automation import auth, googlebackend
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.layout import Status
from automation.ports import SheetTab
from automation.tick import Quiz
from tests.fakegoogle import FakeGoogle

SIZES = (10, 1_000, 5_000)
QUESTIONS = 10
ADMIN = "admin@example.com"
MAX_MEMBERS = 1_000


def _kind(method: str, path: str) -> str:
    """A short name for one request, for the breakdown."""
    bare = path.split("?")[0]
    if "includeGridData=true" in path:
        return "spreadsheets.get (read tabs)"
    for marker, name in (
        ("/token", "oauth token"),
        ("values:batchUpdate", "values.batchUpdate"),
        (":setPublishSettings", "setPublishSettings"),
        ("/permissions", "drive permissions"),
        ("/responses", "responses.list"),
        (":batchUpdate", "spreadsheets.batchUpdate"),
    ):
        if marker in bare:
            return name
    if bare.startswith("/v1/forms/"):
        return "forms.get"
    if bare.startswith("/drive/v3/files/"):  # the form's opened / closed marks
        return "drive files.get" if method == "GET" else "drive files.update"
    if bare.startswith("/v4/spreadsheets/"):
        return "spreadsheets.get (metadata)"
    return f"{method} {bare}"


def measure(fake: FakeGoogle, responses: int, folder: Path) -> Counter[str]:
    """One round at ``responses`` submissions, played by the real tick: requests by kind."""
    fake.reset()
    credentials = fake.authorized_user_file(
        folder / f"token-{responses}.json", email=ADMIN, scopes=auth.SIGN_IN_SCOPES
    )
    members = [f"Đảng viên {i}" for i in range(min(responses, MAX_MEMBERS))]
    spreadsheet_id = fake.create_spreadsheet(
        ADMIN,
        "Thi trắc nghiệm",
        {
            "Câu hỏi": [
                ["Câu hỏi", "A", "B", "C", "D", "Đáp án", "Đã dùng"],
                *(
                    [f"Câu hỏi số {q + 1}?", "A đúng", "B sai", "C sai", "D sai", "A"]
                    for q in range(QUESTIONS)
                ),
            ],
            "Đảng viên": [["Họ và tên"]],
            "Lịch thi": [
                ["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu", "Trạng thái"],
                ["2026-11", "29/11/2026 19:30", QUESTIONS, 30],
            ],
        },
        locale="vi_VN",
    )
    settings = Settings(
        backend="google",
        google=GoogleSettings(spreadsheet_id=spreadsheet_id, credentials=credentials),
    )
    opens = datetime(2026, 11, 29, 19, 30, tzinfo=settings.tz)
    sheet, forms = googlebackend.connect(settings, sleep=lambda _: None)
    # The roster, larger than a new tab's 1,000 rows: written with the adapter, not counted.
    sheet.write_tabs([SheetTab("Đảng viên", [["Họ và tên"], *([m] for m in members)])])
    Quiz(sheet, forms, settings, owner=spreadsheet_id).tick(opens - timedelta(hours=1))  # prepared

    start = len(fake.requests())
    moment = {"now": opens}  # the forms service's clock follows the ticks' own time
    sheet, forms = googlebackend.connect(  # a fresh start
        settings, sleep=lambda _: None, clock=lambda: moment["now"]
    )
    quiz = Quiz(sheet, forms, settings, owner=spreadsheet_id)
    opened = quiz.tick(opens)
    assert [c.after for c in opened.changes] == [Status.OPEN], opened
    form_id = quiz.load().rounds[0].form_id
    question_ids = {
        i["title"]: i["questionItem"]["question"]["questionId"] for i in fake.form(form_id)["items"]
    }
    for i in range(responses):  # members answer: not Google API calls of ours
        fake.submit(
            form_id,
            submit_time=opens + timedelta(seconds=60 + i % 200),
            answers={
                question_ids["Họ và tên"]: [members[i % len(members)]],
                **{
                    question_ids[f"Câu hỏi số {q + 1}?"]: ["A đúng" if (i + q) % 3 else "B sai"]
                    for q in range(QUESTIONS)
                },
            },
        )
    moment["now"] = opens + timedelta(minutes=10)
    ranked = quiz.tick(moment["now"])
    assert [c.after for c in ranked.changes] == [Status.CLOSED, Status.RANKED], ranked
    result = quiz.results["2026-11"]
    assert len(result.ranked) + len(result.unranked) == responses
    log = [r for r in fake.requests()[start:] if not r["path"].startswith("/_fake")]
    return Counter(_kind(r["method"], r["path"]) for r in log)


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
    print(f"{'seconds (whole run)':<{width}} " + " ".join(f"{results[s][1]:>7.1f}" for s in SIZES))


if __name__ == "__main__":
    main()
