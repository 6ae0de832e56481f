"""The monthly self-assessment (rule 5 of the rating) through its real forms.

Local: members answer the web form over real HTTP (the real server, a phone's
HTTP client). Google: members answer the form through the fake Google's
member route. Both: the form's life is the engine's (prepared, open, closed,
written), the answers land in the month's ``Tự đánh giá`` column, the chi
ủy's own marks decide the points, and a wrong personal code counts for nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.backends import forms_db
from automation.layout import MEMBERS as MEMBERS_TAB
from automation.localforms import LocalForms
from automation.phone import MemberClient
from automation.webform import FormServer
from tests.googlecell import GoogleCell
from tests.localcell import LocalCell, local

AN, BINH, CUONG = "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"
CODES = {AN: "MA-AN", BINH: "MA-BINH", CUONG: "MA-CUONG"}
RATING = {"self_assessment": True, "open_day": 25, "days_open": 5}
OPENS = local("25/03/2027 00:00")
CLOSES = OPENS + timedelta(days=5)

Cell = LocalCell | GoogleCell


@pytest.fixture(params=["local", "google"])
def cell(request: pytest.FixtureRequest, tmp_path: Path) -> Cell:
    made: Cell
    if request.param == "google":
        made = GoogleCell(request.getfixturevalue("fake_google"), tmp_path, rating=RATING)
        made.init()
    else:
        made = LocalCell(tmp_path, rating=RATING)
        assert made.run("init") == 0
    made.write_tab(MEMBERS_TAB, [{"name": n, "code": c} for n, c in CODES.items()])
    made.schedule([])
    return made


def ledger(cell: Cell) -> dict[str, str]:
    """The month's row of ``Phiếu tự đánh giá``, by header."""
    rows = cell.grid("Phiếu tự đánh giá")
    return dict(zip(rows[0], rows[1], strict=False))


def answers(title_of: dict[int, str], comment_title: str, not_met: set[int],
            comment: str) -> dict[str, list[str]]:
    chosen = {title: ["Chưa đạt" if n in not_met else "Đạt"] for n, title in title_of.items()}
    return {**chosen, comment_title: [comment]} if comment else chosen


def answer_locally(cell: LocalCell, at: datetime, who: str, code: str, not_met: set[int],
                   comment: str) -> int:
    """A member's phone: open the link, give name and code, answer, submit (real HTTP)."""
    forms = LocalForms(forms_db(cell.settings), public_url="", clock=lambda: at)
    try:
        with FormServer(forms) as server:
            phone = MemberClient(server.base_url)
            link = ledger(cell)["Link làm bài"]
            phone.open_form("/f/" + link.rsplit("/", 1)[1])
            page = phone.start(who, code=code)
            titles = {int(q.title.split(".")[0]): q.title for q in page.questions
                      if q.title[0].isdigit()}
            comment_title = next(q.title for q in page.questions if not q.title[0].isdigit())
            return phone.submit(who, answers(titles, comment_title, not_met, comment)).status
    finally:
        forms.close_db()


def answer_on_google(cell: GoogleCell, at: datetime, who: str, code: str, not_met: set[int],
                     comment: str) -> None:
    form_id = ledger(cell)["Mã biểu mẫu"]
    form = cell.fake.form(form_id)
    by_title = {item["title"]: item["questionItem"]["question"]["questionId"]
                for item in form["items"] if "questionItem" in item}
    titles = {int(t.split(".")[0]): t for t in by_title if t[0].isdigit()}
    name = next(t for t in by_title if t in ("Họ và tên", "Your name"))
    code_title = next(t for t in by_title if by_title[t] == "c0de0001")
    comment_title = next(t for t in by_title if not t[0].isdigit() and t not in (name, code_title))
    chosen = answers(titles, comment_title, not_met, comment)
    cell.fake.submit(form_id, {**{by_title[t]: v for t, v in chosen.items()},
                               by_title[name]: [who], "c0de0001": [code]}, submit_time=at)


def test_a_month_of_self_assessment_through_its_form(cell: Cell) -> None:
    assert cell.tick(local("01/03/2027 08:00")) == 0, cell.last_output
    row = ledger(cell)
    assert row["Tháng"] == "2027-03" and row["Trạng thái"] in ("", "Chờ")
    assert "Đánh giá 2027-03" in cell.titles()

    assert cell.tick(OPENS - timedelta(hours=12)) == 0, cell.last_output
    assert ledger(cell)["Trạng thái"] == "Đã chuẩn bị" and ledger(cell)["Link làm bài"]
    assert cell.tick(OPENS) == 0, cell.last_output
    assert ledger(cell)["Trạng thái"] == "Đang mở"

    during = OPENS + timedelta(days=2)
    answer = answer_locally if isinstance(cell, LocalCell) else answer_on_google
    answer(cell, during, AN, CODES[AN], set(), "Cần học thêm Nghị quyết 01.")  # type: ignore[arg-type]
    answer(cell, during, BINH, "SAI", set(), "")  # type: ignore[arg-type]  # an impostor's code
    answer(cell, during + timedelta(hours=1), BINH, CODES[BINH], {3}, "")  # type: ignore[arg-type]
    # The chi ủy marks An meanwhile: her marks, not the self-assessment, decide the points.
    cell.mark("Đánh giá 2027-03", {AN: {**{str(n): "Đạt" for n in range(1, 6)},
                                        "6": "Chưa đạt"}})

    assert cell.tick(CLOSES) == 0, cell.last_output
    assert ledger(cell)["Trạng thái"] == "Đã ghi kết quả"
    month = cell.grid("Đánh giá 2027-03")
    header = next(r for r in month if r and r[0] == "Họ và tên")
    self_column = header.index("Tự đánh giá")
    by_name = {r[0]: r for r in month if r and r[0]}
    assert by_name[AN][self_column] == "6/6 — ý kiến: Cần học thêm Nghị quyết 01."
    assert by_name[BINH][self_column] == "5/6 — chưa đạt: 3"  # her own, not the impostor's
    assert by_name[CUONG][self_column] == ""  # did not answer
    assert by_name[AN][header.index("Điểm")] in ("83.33", "83,33")  # the chi ủy's 5 of 6
    before = cell.fingerprint()
    assert cell.tick(CLOSES + timedelta(days=1)) == 0
    assert cell.fingerprint() == before  # written once


def test_the_form_holds_no_score_and_closes_on_time(cell: Cell, fake_google: Any = None) -> None:
    """A survey is never graded, and its life follows the engine (missed when never opened)."""
    cell.tick(local("01/03/2027 08:00"))
    cell.tick(OPENS - timedelta(hours=12))
    assert cell.tick(CLOSES + timedelta(hours=1)) == 0  # the service was down all week
    row = ledger(cell)
    assert row["Trạng thái"] == "Lỡ lịch" and row["Mở thực tế"] == ""
