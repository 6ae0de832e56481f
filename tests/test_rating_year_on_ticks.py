"""A year of the "6 tốt" rating on ticks alone, on both backends, read back as the secretary
reads it: month tabs made at each month's start, the chi ủy's marks followed, a member who
joins in June, a half-rated month, a disciplined month, two quiz rounds, and the proposal.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from automation.layout import MEMBERS as MEMBERS_TAB
from tests.googlecell import GoogleCell
from tests.localcell import LocalCell, local, question_rows

AN, BINH, CUONG, DUNG = "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"
ALL = dict.fromkeys(("1", "2", "3", "4", "5", "6"), "Đạt")
FIVE = {**ALL, "4": "Chưa đạt"}  # 5 of 6: 83.33 points
FOUR = {**ALL, "2": "Chưa đạt", "5": "Chưa đạt"}  # 4 of 6: 66.67 points
HALF = {"1": "Đạt", "2": "Đạt", "3": "Chưa đạt"}  # 4, 5, 6 still blank
QUIZ = {3: local("15/03/2027 19:30"), 9: local("15/09/2027 19:30")}

Cell = LocalCell | GoogleCell


@pytest.fixture(params=["local", "google"])
def cell(request: pytest.FixtureRequest, tmp_path: Path) -> Cell:
    made: Cell
    if request.param == "google":
        made = GoogleCell(request.getfixturevalue("fake_google"), tmp_path)
        made.init()
    else:
        made = LocalCell(tmp_path)
        assert made.run("init") == 0
    made.questions(question_rows(10))
    made.members([AN, BINH, CUONG])
    made.schedule([{"round": f"2027-{m:02d}", "opens_at": f"{t:%d/%m/%Y %H:%M}", "questions": 5}
                   for m, t in QUIZ.items()])
    return made


def number(text: str) -> float | str:
    """A number as the sheet shows it (``100``, ``100.00``, ``83,33``), or the text."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def marks_of(month: int) -> dict[str, dict[str, object]]:
    """What the chi ủy fills in for ``month``."""
    marks: dict[str, dict[str, object]] = {AN: ALL, BINH: FIVE, CUONG: ALL, "Chi bộ": ALL}
    if month == 5:
        marks[BINH] = HALF  # left half-rated
    if month == 3:
        marks[CUONG] = {**ALL, "Kỷ luật": "Có"}  # a disciplined month
    if month >= 6:
        marks[DUNG] = FOUR
    return marks


def test_a_year_of_ratings_on_ticks_alone(cell: Cell) -> None:
    for month in range(1, 13):
        start = local(f"01/{month:02d}/2027 07:00")
        if month == 6:
            cell.write_tab(MEMBERS_TAB, [{"name": n} for n in (AN, BINH, CUONG, DUNG)])
        assert cell.tick(start) == 0, cell.last_output
        title = f"Đánh giá 2027-{month:02d}"
        assert title in cell.titles(), cell.titles()
        rows = cell.grid(title)
        names = [row[0] for row in rows if row and row[0]]
        assert names[-1] == "Chi bộ" and (DUNG in names) == (month >= 6), names
        cell.mark(title, marks_of(month))
        assert cell.tick(start + timedelta(days=20)) == 0, cell.last_output
        if month in QUIZ:
            opens = QUIZ[month]
            cell.tick(opens - timedelta(hours=1))
            cell.tick(opens)
            cell.answer(f"2027-{month:02d}", AN, started=opens,
                        submitted=opens + timedelta(seconds=60))
            if month == 3:
                cell.answer("2027-03", BINH, wrong=1, started=opens,
                            submitted=opens + timedelta(seconds=70))
            cell.tick(opens + timedelta(minutes=5))

        scored = {row[0]: row for row in cell.grid(title) if row and row[0]}
        header = next(row for row in cell.grid(title) if row and row[0] == "Họ và tên")
        points, level = header.index("Điểm"), header.index("Xếp loại tháng")
        assert number(scored[AN][points]) == 100 and scored[AN][level] == "Đạt 6 tốt"
        if month == 5:
            assert scored[BINH][points] == "" and scored[BINH][level] == "Chưa đủ: 4, 5, 6"
        else:
            assert number(scored[BINH][points]) == 83.33 and scored[BINH][level] == "Tốt"
        if month >= 6:
            assert number(scored[DUNG][points]) == 66.67 and scored[DUNG][level] == "Đạt"

    before = cell.fingerprint()
    assert cell.tick(local("31/12/2027 20:00")) == 0
    assert cell.fingerprint() == before  # nothing changed: nothing written

    year = cell.grid("Xếp loại 2027")
    text = "\n".join(" | ".join(row) for row in year)
    assert text.startswith("ĐỀ XUẤT XẾP LOẠI CHẤT LƯỢNG NĂM 2027")
    assert "bản đề xuất để chi bộ xem xét" in text  # a proposal, for the cell's meeting
    rows = {row[1]: [*row[:7], str(number(row[7])), *row[8:10], str(number(row[10]) or ""),
                     *row[11:]]
            for row in year if len(row) > 11 and row[1] and row[2].isdigit()}
    # name: months rated, months per level (6 tốt, tốt, đạt, chưa đạt), average, months
    # disciplined, quiz rounds taken (of 2 held), quiz average, proposal.
    assert rows[AN][2:12] == ["12", "12", "0", "0", "0", "100", "0", "2", "10",
                              "Hoàn thành xuất sắc nhiệm vụ"]
    assert rows[BINH][2:12] == ["11", "0", "11", "0", "0", "83.33", "0", "1", "8",
                                "Hoàn thành tốt nhiệm vụ"]  # May was left half-rated
    assert rows[CUONG][2:12] == ["12", "12", "0", "0", "0", "100", "1", "0", "",
                                 "Hoàn thành tốt nhiệm vụ"]  # capped by March's discipline
    assert rows[DUNG][2:12] == ["7", "0", "0", "7", "0", "66.67", "0", "0", "",
                                "Hoàn thành nhiệm vụ"]  # joined in June: 7 months
    assert rows["Chi bộ"][-1] == "Hoàn thành xuất sắc nhiệm vụ"
    # Rule 4: 1 excellent is more than 20 % of the 2 good ones: said in a line of its own.
    assert any(row[0].startswith("LƯU Ý: 1 đảng viên được đề xuất Hoàn thành xuất sắc")
               for row in year)
