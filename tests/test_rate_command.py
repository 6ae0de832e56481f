"""``automation rate [MONTH | YEAR]`` and the rating in English, through the command line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from automation.layout import MEMBERS as MEMBERS_TAB
from tests.googlecell import GoogleCell
from tests.localcell import LocalCell, local

AN, BINH = "Nguyễn Văn An", "Trần Thị Bình"
Cell = LocalCell | GoogleCell
ALL = dict.fromkeys(("1", "2", "3", "4", "5", "6"), "Đạt")


@pytest.fixture(params=["local", "google"])
def any_cell(request: pytest.FixtureRequest, tmp_path: Path) -> Cell:
    """``rate`` on either backend: init adds the article's criteria, the rating is on."""
    cell: Cell
    if request.param == "google":
        cell = GoogleCell(request.getfixturevalue("fake_google"), tmp_path)
        cell.init()
    else:
        cell = LocalCell(tmp_path)
        assert cell.run("init") == 0
    assert "Tiêu chí" in cell.titles()
    cell.members([AN, BINH])
    cell.schedule([])
    return cell


@pytest.fixture
def cell(tmp_path: Path) -> LocalCell:
    cell = LocalCell(tmp_path)
    assert cell.run("init") == 0
    assert "Tiêu chí" in cell.titles()  # init adds the article's criteria: the rating is on
    cell.members([AN, BINH])
    cell.schedule([])
    return cell


def test_rate_a_month_makes_its_tab_and_prints_it(any_cell: Cell) -> None:
    cell = any_cell
    assert cell.run("rate", "2027-03") == 0, cell.last_output
    assert "Đánh giá 2027-03" in cell.titles()
    rows = cell.grid("Đánh giá 2027-03")
    assert [r[0] for r in rows[1:] if r and r[0]] == [AN, BINH, "Chi bộ"]
    cell.mark("Đánh giá 2027-03", {AN: ALL, BINH: {**ALL, "6": "Chưa đạt"}})
    assert cell.run("rate", "2027-03") == 0, cell.last_output
    lines = cell.last_output.splitlines()
    assert lines[0] == "Đánh giá 2027-03"
    assert any(line.startswith(AN) and "100.00" in line and "Đạt 6 tốt" in line
               for line in lines)
    assert any(line.startswith(BINH) and "83.33" in line and "Tốt" in line for line in lines)


def test_rate_a_year_writes_the_proposal_and_prints_it(any_cell: Cell) -> None:
    cell = any_cell
    for month in range(1, 7):
        assert cell.run("rate", f"2027-{month:02d}") == 0
        cell.mark(f"Đánh giá 2027-{month:02d}", {AN: ALL, BINH: ALL, "Chi bộ": ALL})
    assert cell.run("rate", "2027") == 0, cell.last_output
    assert "Xếp loại 2027" in cell.titles()
    out = cell.last_output
    assert "Đề xuất xếp loại năm 2027" in out
    assert any(line.startswith(AN) and "Hoàn thành xuất sắc nhiệm vụ" in line
               for line in out.splitlines())


def test_rate_says_what_is_wrong(cell: LocalCell, tmp_path: Path) -> None:
    assert cell.run("rate", "tháng ba") == 2
    assert "2027-03" in cell.last_output  # shows how to write it
    bare = LocalCell(tmp_path / "bare")
    assert bare.run("init") == 0
    workbook = openpyxl.load_workbook(bare.workbook)
    del workbook["Tiêu chí"]
    workbook.save(bare.workbook)
    assert bare.run("rate") == 1
    assert "automation init" in bare.last_output  # the rating is off until Tiêu chí exists


def test_a_criterion_row_that_cannot_be_read_is_noted_on_its_row(cell: LocalCell) -> None:
    rows = cell.grid("Tiêu chí")
    header = rows[0]
    weight = header.index("Trọng số") + 1
    cell.set_cells("Tiêu chí", {(3, weight): "hai"})
    assert cell.run("check") == 1
    assert "Tiêu chí, dòng 3, cột Trọng số" in cell.last_output
    assert cell.tick(local("01/03/2027 08:00")) == 1
    noted = cell.grid("Tiêu chí")
    assert noted[0][-1] == "Ghi chú" and "Trọng số" in noted[2][-1]
    assert "Đánh giá 2027-03" not in cell.titles()  # nothing is scored until it is fixed
    cell.set_cells("Tiêu chí", {(3, weight): 2})
    assert cell.tick(local("01/03/2027 09:00")) == 0, cell.last_output
    assert cell.grid("Tiêu chí")[2][-1] == ""  # the note goes once it is fixed
    assert "Đánh giá 2027-03" in cell.titles()


def test_the_rating_in_english(tmp_path: Path) -> None:
    cell = LocalCell(tmp_path, language="en")
    assert cell.run("init") == 0
    assert "Criteria" in cell.titles()
    cell.write_tab(MEMBERS_TAB, [{"name": "Member One"}], language="en")
    assert cell.run("rate", "2027-03") == 0, cell.last_output
    assert "Rating 2027-03" in cell.titles()
    rows = cell.grid("Rating 2027-03")
    assert rows[0][0] == "Name" and [r[0] for r in rows[1:] if r[0]] == ["Member One", "Cell"]
    cell.mark("Rating 2027-03", {"Member One": dict.fromkeys("123456", "Met")})
    assert cell.run("rate", "2027") == 0, cell.last_output
    assert "Six good" in "\n".join(" ".join(r) for r in cell.grid("Rating 2027-03"))
    year = "\n".join(" ".join(r) for r in cell.grid("Rating 2027"))
    assert "Not enough months" in year and "Proposed rating 2027" in cell.last_output
