"""The round's life through the CLI, with a controlled clock, on both backends.

The same stories run on the local workbook and on Google (the fake Google over
HTTP): a whole round, a year of rounds, downtime across an opening or a
deadline, a rescheduled round, a re-ranked round and a bank that is short.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.layout import MEMBERS as MEMBERS_TAB
from automation.layout import QUESTIONS, SCHEDULE
from tests.googlecell import GoogleCell
from tests.localcell import LocalCell, local, question_rows

OPENS = local("10/03/2023 14:00")
FIVE = {"round": "2023-03", "opens_at": "10/03/2023 14:00", "questions": 5, "seconds": 30}
DEADLINE = OPENS + timedelta(seconds=5 * 30 + 60)
MEMBERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em"]


Cell = LocalCell | GoogleCell


def new_cell(request: pytest.FixtureRequest, folder: Path) -> Cell:
    """An empty cell on the backend the test is parametrized with."""
    if request.param == "google":
        google = GoogleCell(request.getfixturevalue("fake_google"), folder)
        google.init()
        return google
    cell = LocalCell(folder)
    assert cell.run("init") == 0
    return cell


@pytest.fixture(params=["local", "google"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Cell:
    return new_cell(request, tmp_path)


@pytest.fixture
def cell(empty: Cell) -> Cell:
    empty.questions(question_rows(12))
    empty.members(MEMBERS)
    empty.schedule([FIVE])
    return empty


def test_a_whole_round_on_ticks_alone(cell: Cell) -> None:
    assert cell.tick(OPENS - timedelta(hours=25)) == 0
    assert cell.rounds()["2023-03"]["status"] == ""  # nothing due yet

    assert cell.tick(OPENS - timedelta(hours=23)) == 0
    prepared = cell.rounds()["2023-03"]
    assert prepared["status"] == "Đã chuẩn bị"
    assert prepared["form_link"].startswith(("http://quiz.local/f/", "https://docs.google.com/"))
    assert list(cell.used().values()) == ["2023-03"] * 5

    assert cell.tick(OPENS) == 0
    opened = cell.rounds()["2023-03"]
    assert opened["status"] == "Đang mở" and opened["opened_at"]

    cell.answer(
        "2023-03", "Nguyễn Văn An", wrong=1, started=OPENS, submitted=OPENS + timedelta(seconds=90)
    )
    cell.answer("2023-03", "Trần Thị Bình", started=OPENS, submitted=OPENS + timedelta(seconds=100))
    cell.answer(
        "2023-03",
        "Lê Văn Cường",
        wrong=1,
        started=OPENS + timedelta(seconds=10),
        submitted=OPENS + timedelta(seconds=90),
    )
    cell.answer("2023-03", "Lê Văn Cường", started=OPENS, submitted=OPENS + timedelta(seconds=120))
    cell.answer(
        "2023-03", "Phạm Thị Dung", started=OPENS, submitted=DEADLINE + timedelta(seconds=5)
    )

    assert cell.tick(DEADLINE - timedelta(seconds=1)) == 0
    assert cell.rounds()["2023-03"]["status"] == "Đang mở"
    assert cell.tick(DEADLINE) == 0
    done = cell.rounds()["2023-03"]
    assert done["status"] == "Đã xếp hạng" and done["closed_at"]

    # Bình: 10 points; An and Cường: 8 points at the same second share rank 2.
    assert cell.ranked("2023-03") == [
        (1, "Trần Thị Bình", 10),
        (2, "Lê Văn Cường", 8),
        (2, "Nguyễn Văn An", 8),
    ]
    text = cell.text("Kết quả 2023-03")
    assert "Phạm Thị Dung" in text and "Nộp muộn" in text
    assert "Nộp lại" in text
    assert "Chưa tham gia" in text and "Võ Văn Em" in text
    titles = cell.titles()
    assert {"Bài làm 2023-03", "Thống kê câu hỏi", "Tổng kết 2023"} <= set(titles)

    # Later ticks change nothing.
    before = cell.fingerprint()
    assert cell.tick(DEADLINE + timedelta(days=3)) == 0
    assert cell.fingerprint() == before


def test_downtime_across_the_opening_misses_the_round_and_a_new_time_reschedules_it(
    cell: Cell,
) -> None:
    cell.tick(OPENS - timedelta(hours=2))
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"
    cell.tick(DEADLINE + timedelta(minutes=5))  # the service was down at the meeting
    missed = cell.rounds()["2023-03"]
    assert missed["status"] == "Lỡ lịch" and "Mở lúc" in str(missed["note"])
    assert missed["opened_at"] == ""

    moved = OPENS + timedelta(days=7)
    cell.edit(SCHEDULE, 2, "opens_at", moved.replace(tzinfo=None))
    cell.tick(moved - timedelta(minutes=1))
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"
    cell.tick(moved)
    again = cell.rounds()["2023-03"]
    assert again["status"] == "Đang mở"
    assert again["form_id"] == missed["form_id"]  # the same form, never a second one


def test_downtime_across_the_deadline_closes_and_ranks_after_the_restart(cell: Cell) -> None:
    cell.tick(OPENS)
    cell.answer("2023-03", "Nguyễn Văn An", started=OPENS, submitted=OPENS + timedelta(seconds=60))
    cell.answer(
        "2023-03", "Trần Thị Bình", wrong=2, started=OPENS, submitted=OPENS + timedelta(seconds=70)
    )
    cell.tick(DEADLINE + timedelta(hours=5))
    assert cell.rounds()["2023-03"]["status"] == "Đã xếp hạng"
    assert cell.ranked("2023-03") == [(1, "Nguyễn Văn An", 10), (2, "Trần Thị Bình", 6)]


def test_rank_again_after_the_secretary_corrects_an_answer_key(cell: Cell) -> None:
    cell.tick(OPENS)
    cell.answer("2023-03", "Nguyễn Văn An", started=OPENS, submitted=OPENS + timedelta(seconds=60))
    cell.answer(
        "2023-03", "Trần Thị Bình", wrong=1, started=OPENS, submitted=OPENS + timedelta(seconds=50)
    )
    cell.tick(DEADLINE)
    assert cell.ranked("2023-03")[0] == (1, "Nguyễn Văn An", 10)

    # The key of the first question of the round was wrong: A was right all along.
    row = min(cell.used())
    cell.edit(QUESTIONS, row, "answer", "A")
    cell.edit(SCHEDULE, 2, "status", "Xếp hạng lại")
    assert cell.tick(DEADLINE + timedelta(days=1)) == 0
    assert cell.rounds()["2023-03"]["status"] == "Đã xếp hạng"
    assert cell.ranked("2023-03") == [(1, "Trần Thị Bình", 10), (2, "Nguyễn Văn An", 8)]


def test_a_short_bank_gives_an_error_note_then_the_round_goes_on_once_fixed(
    cell: Cell,
) -> None:
    cell.questions(question_rows(3))
    assert cell.tick(OPENS - timedelta(hours=1)) == 1
    errored = cell.rounds()["2023-03"]
    assert errored["status"] == "Lỗi"
    assert "thiếu 2 câu" in str(errored["note"])
    assert errored["form_id"] == ""

    before = cell.fingerprint()
    cell.tick(OPENS - timedelta(minutes=50))  # the same problem: nothing rewritten
    assert cell.fingerprint() == before

    cell.questions(question_rows(8))
    assert cell.tick(OPENS - timedelta(minutes=30)) == 0
    fixed = cell.rounds()["2023-03"]
    assert fixed["status"] == "Đã chuẩn bị" and fixed["form_id"]
    assert not fixed["note"]


def test_an_unreadable_opening_time_is_noted_on_its_row(cell: Cell) -> None:
    cell.schedule([FIVE, {"round": "2023-04", "opens_at": "31/02/2023 14:00"}])
    assert cell.tick(OPENS - timedelta(hours=1)) == 1
    rounds = cell.rounds()
    assert rounds["2023-04"]["status"] == "Lỗi" and "Mở lúc" in str(rounds["2023-04"]["note"])
    assert rounds["2023-03"]["status"] == "Đã chuẩn bị"


def test_a_year_of_eight_rounds_runs_on_ticks_alone(empty: Cell) -> None:
    cell = empty
    cell.questions(question_rows(45))
    cell.members(MEMBERS)
    months = [1, 2, 3, 4, 6, 8, 10, 12]
    opens = {f"2023-{m:02d}": local(f"15/{m:02d}/2023 14:00") for m in months}
    cell.schedule(
        [{"round": r, "opens_at": f"{t:%d/%m/%Y %H:%M}", "questions": 5} for r, t in opens.items()]
    )
    for index, (round_id, at) in enumerate(opens.items()):
        cell.tick(at - timedelta(days=3))  # idle
        cell.tick(at - timedelta(hours=12))  # prepare
        cell.tick(at)  # open
        winner = MEMBERS[index % len(MEMBERS)]
        cell.answer(round_id, winner, started=at, submitted=at + timedelta(seconds=60))
        for other in MEMBERS:
            if other != winner:
                cell.answer(
                    round_id, other, wrong=1, started=at, submitted=at + timedelta(seconds=80)
                )
        cell.tick(at + timedelta(minutes=4))  # close and rank
    rounds = cell.rounds()
    assert all(rounds[r]["status"] == "Đã xếp hạng" for r in opens), rounds
    used = list(cell.used().values())
    assert len(used) == 40 and all("," not in u for u in used)  # never reused
    season = cell.text("Tổng kết 2023")
    assert all(name in season for name in MEMBERS)
    stats = cell.text("Thống kê câu hỏi").splitlines()
    assert sum(1 for line in stats if line.startswith("2023-")) == 40


def test_an_english_cell_gets_english_statuses_and_tabs(tmp_path: Path) -> None:
    cell = LocalCell(tmp_path, language="en")
    assert cell.run("init") == 0
    assert "Questions" in cell.titles()
    cell.write_tab(QUESTIONS, question_rows(6), language="en")
    cell.write_tab(MEMBERS_TAB, [{"name": n} for n in MEMBERS], language="en")
    cell.write_tab(SCHEDULE, [FIVE], language="en")
    cell.tick(OPENS)
    assert cell.rounds()["2023-03"]["status"] == "Open"
    cell.answer("2023-03", "Nguyễn Văn An", started=OPENS, submitted=OPENS + timedelta(seconds=60))
    cell.tick(DEADLINE)
    assert cell.rounds()["2023-03"]["status"] == "Ranked"
    text = cell.text("Results 2023-03")
    assert "Rank | Name | Score (/10)" in text and "Not taken part" in text
    assert {"Responses 2023-03", "Question stats", "Season 2023"} <= set(cell.titles())


@pytest.fixture(params=["local", "google"])
def email_cell(request: pytest.FixtureRequest, tmp_path: Path) -> Cell:
    """A cell whose members say who they are by their (verified, on Google) email."""
    cell: Cell
    if request.param == "google":
        cell = GoogleCell(request.getfixturevalue("fake_google"), tmp_path, identity="email")
        cell.init()
    else:
        cell = LocalCell(tmp_path, identity="email")
        assert cell.run("init") == 0
    cell.questions(question_rows(8))
    cell.write_tab(MEMBERS_TAB, [{"name": n, "email": e} for n, e in EMAILS.items()])
    cell.schedule([FIVE])
    return cell


EMAILS = {"Nguyễn Văn An": "an@example.com", "Trần Thị Bình": "Binh.Tran@Example.com",
          "Lê Văn Cường": "cuong@example.com"}


def test_a_whole_round_with_email_identity(email_cell: Cell) -> None:
    cell = email_cell
    assert cell.tick(OPENS) == 0, cell.last_output
    bình = "binh.tran@example.com"  # the same address, as the phone or Google spells it
    if isinstance(cell, GoogleCell):
        cell.answer("2023-03", "", email="an@example.com", at=OPENS + timedelta(seconds=80))
        cell.answer("2023-03", "", email=bình, wrong=1, at=OPENS + timedelta(seconds=60))
        cell.answer("2023-03", "", email="stranger@example.com", at=OPENS + timedelta(seconds=70))
    else:
        cell.answer("2023-03", "an@example.com", started=OPENS,
                    submitted=OPENS + timedelta(seconds=80))
        cell.answer("2023-03", bình, wrong=1, started=OPENS,
                    submitted=OPENS + timedelta(seconds=60))
    assert cell.tick(DEADLINE) == 0, cell.last_output
    # Ranked by score under the roster's names, matched by email.
    assert cell.ranked("2023-03") == [(1, "Nguyễn Văn An", 10), (2, "Trần Thị Bình", 8)]
    text = cell.text("Kết quả 2023-03")
    assert "Lê Văn Cường" in text.split("Chưa tham gia")[1]
    if isinstance(cell, GoogleCell):
        assert "stranger@example.com" in text and "Không có trong danh sách" in text


def test_google_failing_after_every_retry_exits_3_and_notes_the_round(
    fake_google: Any, tmp_path: Path
) -> None:
    cell = GoogleCell(fake_google, tmp_path)
    cell.init()
    cell.questions(question_rows(8))
    cell.members(MEMBERS)
    cell.schedule([FIVE])
    fake_google.fault(r"POST /v1/forms", status=503, times=100)
    assert cell.tick(OPENS - timedelta(hours=1)) == 3, cell.last_output
    assert "Google Forms API" in cell.last_output and "Traceback" not in cell.last_output
    row = cell.rounds()["2023-03"]
    assert row["status"] == "Lỗi" and "thử lại" in row["note"]
    fake_google.app.faults.clear()  # Google answers again
    assert cell.tick(OPENS - timedelta(minutes=30)) == 0, cell.last_output
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"


VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
                        re.IGNORECASE)


def test_an_english_cell_reads_english_in_every_message(tmp_path: Path) -> None:
    """No Vietnamese default, word or form of plural in what the admin reads."""
    cell = LocalCell(tmp_path, language="en")
    assert cell.run("init") == 0
    english = [f"Member {n}" for n in range(1, 4)]
    rows = [{**r, "question": f"Question {n}: which document says {n}?", "A": f"Wrong {n}",
             "B": f"Right {n}", "C": f"Other {n}", "source": f"Document {n}"}
            for n, r in enumerate(question_rows(6), start=1)]
    cell.write_tab(QUESTIONS, rows, language="en")
    cell.write_tab(MEMBERS_TAB, [{"name": n} for n in english[:1]], language="en")
    cell.write_tab(SCHEDULE, [FIVE], language="en")
    outputs = []
    for args in (("check",), ("status",), ("check", "2023-03"), ("doctor",)):
        cell.run(*args)
        outputs.append(cell.last_output)
    cell.tick(OPENS)
    outputs.append(cell.last_output)
    cell.tick(DEADLINE)
    outputs.append(cell.last_output)
    cell.run("rank", "2099-01")
    outputs.append(cell.last_output)
    cell.run("tick", "--now", "yesterday")
    outputs.append(cell.last_output)
    text = "\n".join(outputs)
    assert not VIETNAMESE.search(text), VIETNAMESE.findall(text)
    assert "1 member," in outputs[0] and "6 questions" in outputs[0] and "1 round." in outputs[0]
    assert "(s)" not in text
    assert not re.search(r"\b1 (?:question|member|round|problem)s\b", text), text


def test_a_round_renamed_after_it_opened_is_ranked_from_its_own_form(cell: Cell) -> None:
    """The secretary renames the round (its id could not name a tab, say) while it is open."""
    assert cell.tick(OPENS) == 0
    cell.answer("2023-03", "Nguyễn Văn An", started=OPENS, submitted=OPENS + timedelta(seconds=60))
    cell.answer("2023-03", "Trần Thị Bình", wrong=2, started=OPENS,
                submitted=OPENS + timedelta(seconds=70))
    cell.edit(SCHEDULE, 2, "round", "2023-03b")
    assert cell.tick(DEADLINE) == 0, cell.last_output
    assert cell.rounds()["2023-03b"]["status"] == "Đã xếp hạng"
    # The form's own questions are found again: the answers are graded, not all wrong.
    assert cell.ranked("2023-03b") == [(1, "Nguyễn Văn An", 10), (2, "Trần Thị Bình", 6)]


def test_a_round_id_that_cannot_name_a_tab_is_an_error_to_fix_never_a_connection_error(
    cell: Cell,
) -> None:
    cell.schedule([FIVE, {"round": "2027/04", "opens_at": "10/04/2027 14:00", "questions": 5}])
    assert cell.run("check") == 1
    assert "2027/04" in cell.last_output and "Kết quả 2027/04" in cell.last_output
    assert cell.tick(OPENS - timedelta(hours=1)) == 1
    row = cell.rounds()["2027/04"]
    assert row["status"] == "Lỗi" and "2027-04" in row["note"] and "kết nối" not in row["note"]
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"  # the other round goes on


@pytest.mark.parametrize("bad", ["2027\\04", "2027?04", "2027*04", "[2027-04]", "2027:04",
                                 "Hội nghị " + "chuyên đề " * 12])
def test_check_names_every_round_id_that_cannot_be_a_tab_title(cell: Cell, bad: str) -> None:
    """Each character a tab title cannot hold, and an id too long for ``Kết quả <id>``
    (31 characters in a workbook, 100 in a Google Sheet)."""
    cell.schedule([FIVE, {"round": bad, "opens_at": "10/04/2027 14:00", "questions": 5}])
    assert cell.run("check") == 1, cell.last_output
    assert bad.strip()[:30] in cell.last_output and "Lịch thi" in cell.last_output, cell.last_output
    assert "Traceback" not in cell.last_output


def test_personal_codes_through_a_round(cell: Cell) -> None:
    """Rule 9: an impostor's guessed code is listed, never ranked, and codes never reach
    the Responses tab; the member's own answer still counts."""
    # Codes no other cell of the tabs can hold by chance (ids and times are hex and digits).
    codes = {"Nguyễn Văn An": "MA-AN-Q", "Trần Thị Bình": "MA-BINH-W", "Lê Văn Cường": "MA-CUONG"}
    cell.write_tab(MEMBERS_TAB, [{"name": n, "code": c} for n, c in codes.items()])
    assert cell.tick(OPENS) == 0, cell.last_output
    cell.answer("2023-03", "Trần Thị Bình", started=OPENS,
                submitted=OPENS + timedelta(seconds=30), code="ĐOÁN-MÒ")  # someone else
    cell.answer("2023-03", "Trần Thị Bình", wrong=1, started=OPENS,
                submitted=OPENS + timedelta(seconds=80))  # Bình herself, her own code
    cell.answer("2023-03", "Nguyễn Văn An", started=OPENS,
                submitted=OPENS + timedelta(seconds=60))
    assert cell.tick(DEADLINE) == 0, cell.last_output
    assert cell.ranked("2023-03") == [(1, "Nguyễn Văn An", 10), (2, "Trần Thị Bình", 8)]
    results = cell.text("Kết quả 2023-03")
    assert "Sai mã" in results.split("Có bài làm nhưng không xếp hạng")[1]
    responses = cell.text("Bài làm 2023-03")
    assert "Sai mã" in responses and "Đúng" in responses
    assert not any(code in responses for code in (*codes.values(), "ĐOÁN-MÒ"))
    # Ranked again from the Responses tab alone (no form to ask): the verdicts hold.
    if isinstance(cell, LocalCell):
        cell.edit(SCHEDULE, 2, "form_id", "")
        cell.edit(SCHEDULE, 2, "status", "Xếp hạng lại")
        assert cell.tick(DEADLINE + timedelta(days=1)) == 0, cell.last_output
        assert cell.ranked("2023-03") == [(1, "Nguyễn Văn An", 10), (2, "Trần Thị Bình", 8)]
