"""A cell's ``Thi chung``: made with a note on every header, kept in step with the registry.

The plan writes only what changes, copies a new plan only while the cell's round has
not opened, keeps a round taken off the registry, and reads the rounds back as the
bank reads ``Lịch thi`` (including through a real workbook).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from automation.joint import REMOVED, LedgerPlan, clashes, joint_ledger_tab, plan_joint_ledger
from automation.layout import JOINT_ROUNDS, SCHEDULE, Status
from automation.model import Round
from automation.ports import CellWrite
from automation.text import Cell
from automation.workbook import LocalWorkbook
from tests.test_bank import QUIZ, SCHEDULE_HEADERS, TZ
from tests.test_rating_month import apply

T = "Thi chung"
FEB = datetime(2027, 2, 16, 19, 30, tzinfo=TZ)
MAR = datetime(2027, 3, 16, 19, 30, tzinfo=TZ)


def joint(round_id: str, opens_at: datetime, count: int = 10, seconds: int = 30,
          row: int = 2) -> Round:
    """A round as the registry's Lịch thi chung gives it."""
    return Round(row=row, round_id=round_id, opens_at=opens_at, question_count=count,
                 seconds_per_question=seconds)


JOINT = (joint("2027-02-chung", FEB, 6), joint("2027-03-chung", MAR, 8, 20, row=3))


def plan(rows: Sequence[Sequence[Cell]] | None, rounds: Sequence[Round] = JOINT,
         language: str = "vi", **kwargs: object) -> LedgerPlan:
    return plan_joint_ledger(rows, rounds, language, tz=TZ, quiz=QUIZ,
                             **kwargs)  # type: ignore[arg-type]


def applied(rows: Sequence[Sequence[Cell]] | None, writes: Sequence[CellWrite]
            ) -> list[list[Cell]]:
    """The tab after the writes, as a spreadsheet would hold it."""
    return apply([list(r) for r in rows or []], writes)


def ledger(*rows: list[Cell]) -> list[list[Cell]]:
    return [list(SCHEDULE_HEADERS), *rows]


# --- the new tab ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_new_tab_has_every_column_a_note_on_each_and_a_row_per_round(language: str) -> None:
    tab = joint_ledger_tab(JOINT, language, tz=TZ)
    assert tab.title == ("Joint rounds" if language == "en" else "Thi chung")
    assert tab.rows[0] == [c.header(language) for c in SCHEDULE.columns]
    assert set(tab.notes) == {(1, c) for c in range(1, 11)}
    assert tab.rows[1:] == [["2027-02-chung", FEB, 6, 30], ["2027-03-chung", MAR, 8, 20]]
    assert "Lịch thi chung" in tab.notes[(1, 1)] or "Joint schedule" in tab.notes[(1, 1)]
    assert tab.validations == ()


def test_the_new_tab_needs_no_write_and_gives_the_joint_rounds_pending() -> None:
    tab = joint_ledger_tab(JOINT, "vi", tz=TZ)
    done = plan(tab.rows)
    assert done.writes == []
    assert done.problems == []
    assert done.rounds == [replace(JOINT[0], row=2), replace(JOINT[1], row=3)]
    assert (done.place.title, done.place.width) == (T, 10)
    assert done.place.columns == {c.key: i for i, c in enumerate(SCHEDULE.columns, start=1)}


def test_a_tab_just_made_empty_gets_its_header_and_rows() -> None:
    done = plan(None)
    header = [w for w in done.writes if w.row == 1]
    assert [w.value for w in header] == [c.header("vi") for c in JOINT_ROUNDS.columns]
    assert applied(None, done.writes)[1:] == [["2027-02-chung", FEB, 6, 30],
                                              ["2027-03-chung", MAR, 8, 20]]
    assert [r.row for r in done.rounds] == [2, 3]


# --- keeping in step ----------------------------------------------------------------------


def test_a_new_joint_round_gets_a_row_after_the_last_one() -> None:
    rows = ledger(["2027-02-chung", FEB, 6, 30, "Đã xếp hạng", "https://f/1", "f1",
                   FEB + timedelta(seconds=1), FEB + timedelta(minutes=5)], [], [None])
    done = plan(rows)
    assert done.writes == [CellWrite(T, 3, 1, "2027-03-chung"), CellWrite(T, 3, 2, MAR),
                           CellWrite(T, 3, 3, 8), CellWrite(T, 3, 4, 20)]
    ranked, new = done.rounds
    assert (ranked.status, ranked.form_id, ranked.opened_at) == (
        Status.RANKED, "f1", FEB + timedelta(seconds=1))
    assert (new.row, new.round_id, new.status) == (3, "2027-03-chung", Status.PENDING)


@pytest.mark.parametrize("status", [None, "Chờ", "Đã chuẩn bị", "Lỡ lịch", "Lỗi"])
def test_a_moved_round_is_copied_while_the_cells_round_has_not_opened(
        status: str | None) -> None:
    rows = ledger(["2027-02-chung", "10/02/2027 19:30", 5, 25, status, "https://f/1", "f1"],
                  ["2027-03-chung", MAR, 8, 20])
    done = plan(rows)
    assert done.writes == [CellWrite(T, 2, 2, FEB), CellWrite(T, 2, 3, 6),
                           CellWrite(T, 2, 4, 30)]
    moved = done.rounds[0]
    assert (moved.opens_at, moved.question_count, moved.seconds_per_question) == (FEB, 6, 30)
    assert moved.form_id == "f1"  # its state is the engine's: untouched


@pytest.mark.parametrize(("status", "opened", "closed"), [
    ("Đang mở", FEB, None),
    ("Đã đóng", FEB, FEB + timedelta(minutes=5)),
    ("Đã xếp hạng", FEB, FEB + timedelta(minutes=5)),
    ("Xếp hạng lại", FEB, FEB + timedelta(minutes=5)),
    ("Lỗi", FEB, None),  # an error after it opened
    ("Đã chuẩn bị", FEB, None),  # the form opened while the sheet lagged
    ("Lỡ lịch", None, FEB),
    ("gibberish", None, None),  # unknown: it may have opened
])
def test_a_round_that_opened_keeps_the_plan_it_opened_with(
        status: str, opened: datetime | None, closed: datetime | None) -> None:
    early = datetime(2027, 2, 10, 19, 30, tzinfo=TZ)
    rows = ledger(["2027-02-chung", early, 5, 25, status, "https://f/1", "f1", opened, closed],
                  ["2027-03-chung", MAR, 8, 20])
    done = plan(rows)
    assert done.writes == []
    if status != "gibberish":
        assert (done.rounds[0].opens_at, done.rounds[0].question_count) == (early, 5)


def test_the_registrys_spelling_of_a_time_is_the_same_moment_whatever_the_cell_shows() -> None:
    rows = ledger(["2027-02-chung", "16/02/2027 19:30", "6", 30.0],
                  ["2027-03-chung", datetime(2027, 3, 16, 19, 30), 8, 20])  # naive: the zone's
    assert plan(rows).writes == []


def test_an_unreadable_planning_cell_of_a_round_not_opened_is_mended() -> None:
    rows = ledger(["2027-02-chung", "tối thứ Ba", "mười", 30], ["2027-03-chung", MAR, 8, 20])
    done = plan(rows)
    assert done.writes == [CellWrite(T, 2, 2, FEB), CellWrite(T, 2, 3, 6)]
    assert done.problems == []
    assert done.rounds[0].opens_at == FEB


def test_a_round_taken_off_the_registry_keeps_its_row_and_is_not_held() -> None:
    rows = ledger(["2027-02-chung", FEB, 6, 30, "Đã chuẩn bị", "https://f/1", "f1"],
                  ["2027-03-chung", MAR, 8, 20])
    done = plan(rows, rounds=JOINT[1:])
    assert done.writes == [CellWrite(T, 2, 10, REMOVED("vi"))]
    assert [r.round_id for r in done.rounds] == ["2027-03-chung"]
    again = plan(applied(rows, done.writes), rounds=JOINT[1:])
    assert again.writes == []
    back = plan(applied(rows, done.writes))
    assert back.writes == [CellWrite(T, 2, 10, "")]
    assert [r.round_id for r in back.rounds] == ["2027-02-chung", "2027-03-chung"]


def test_a_round_taken_off_after_it_opened_lives_on_to_its_ranking() -> None:
    rows = ledger(["2027-02-chung", FEB, 6, 30, "Đang mở", "https://f/1", "f1", FEB],
                  ["2027-03-chung", MAR, 8, 20])
    done = plan(rows, rounds=JOINT[1:])
    assert done.writes == []
    assert [(r.round_id, r.status) for r in done.rounds] == [
        ("2027-02-chung", Status.OPEN), ("2027-03-chung", Status.PENDING)]


def test_missing_columns_are_added_at_the_end_of_the_header() -> None:
    header = ["Kỳ thi", "Mở lúc", "Ghi chú riêng", "Trạng thái"]
    rows = [header, ["2027-02-chung", FEB, "x", "Chờ"], ["2027-03-chung", MAR]]
    done = plan(rows)
    added = [w for w in done.writes if w.row == 1]
    assert [(w.column, w.value) for w in added] == [
        (5, "Số câu"), (6, "Giây mỗi câu"), (7, "Link làm bài"), (8, "Mã biểu mẫu"),
        (9, "Mở thực tế"), (10, "Đóng lúc"), (11, "Ghi chú")]
    rest = [w for w in done.writes if w.row > 1]
    assert rest == [CellWrite(T, 2, 5, 6), CellWrite(T, 2, 6, 30), CellWrite(T, 3, 5, 8),
                    CellWrite(T, 3, 6, 20)]
    assert plan(applied(rows, done.writes)).writes == []


def test_an_english_ledger_reads_the_same_and_adds_english_headers() -> None:
    header = ["Round", "Opens at", "Questions", "Seconds per question", "Status"]
    rows = [header, ["2027-02-chung", FEB, 6, 30, "Open"], ["2027-03-chung", MAR, 8, 20]]
    done = plan(rows, language="en", title="Joint rounds")
    assert [w.value for w in done.writes] == ["Form link", "Form id", "Opened at", "Closed at",
                                              "Note"]
    assert [r.status for r in done.rounds] == [Status.OPEN, Status.PENDING]


def test_a_row_that_cannot_be_read_is_a_problem_named_where_it_is() -> None:
    rows = ledger(["2027-02-chung", FEB, 6, 30, "Xong"], ["2027-03-chung", MAR, 8, 20],
                  ["2027-03-CHUNG", MAR, 8, 20])
    done = plan(rows)
    assert done.writes == []
    assert [(p.tab, p.row, p.column) for p in done.problems] == [
        (T, 2, "Trạng thái"), (T, 4, "Kỳ thi")]
    assert "đã có ở dòng 3" in done.problems[1].message
    assert [r.round_id for r in done.rounds] == ["2027-03-chung"]


def test_the_ledger_round_trips_through_a_real_workbook(tmp_path: Path) -> None:
    book = LocalWorkbook(tmp_path / "chi-bo.xlsx")
    book.add_tabs([joint_ledger_tab(JOINT[:1], "vi", tz=TZ)])
    assert plan(book.read([T])[T], rounds=JOINT[:1]).writes == []
    moved = (replace(JOINT[0], opens_at=FEB + timedelta(hours=1)), JOINT[1])
    done = plan(book.read([T])[T], rounds=moved)
    book.update_cells(done.writes)
    again = plan(book.read([T])[T], rounds=moved)
    assert again.writes == []
    assert [(r.row, r.round_id, r.opens_at) for r in again.rounds] == [
        (2, "2027-02-chung", FEB + timedelta(hours=1)), (3, "2027-03-chung", MAR)]
    assert again.rounds == done.rounds


# --- a cell's own rounds and the joint ones -----------------------------------------------


def test_a_cells_own_round_with_a_joint_rounds_id_is_named_on_its_row() -> None:
    own = [joint("2027-01", FEB, row=2), joint("2027-02-CHUNG", FEB, row=3)]
    (problem,) = clashes(own, JOINT, "vi")
    assert (problem.tab, problem.row, problem.column) == ("Lịch thi", 3, "Kỳ thi")
    assert 'cùng trang "Kết quả 2027-02-CHUNG"' in problem.message
    assert 'ví dụ "2027-02-CHUNG-cb"' in problem.message
    assert clashes(own[:1], JOINT, "en") == []
