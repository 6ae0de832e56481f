"""The local workbook on real .xlsx files: reads, writes, atomic save, backup, locks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from automation import report
from automation.bank import read_bank
from automation.config import QuizSettings
from automation.model import Member, Question, RoundResult
from automation.ports import (
    CellStyle,
    CellWrite,
    ChartSpec,
    FormResponse,
    InputError,
    SheetTab,
    Validation,
    WorkbookLocked,
)
from automation.ranking import rank_round, to_submission
from automation.selection import select_questions
from automation.workbook import LocalWorkbook

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REPO = Path(__file__).resolve().parent.parent
FORMULA_NAME = '=HYPERLINK("http://evil.example","Bấm vào đây")'


class FakeSleep:
    """Records the waits; optionally does something (a person closing Excel) after some."""

    def __init__(self, after: int | None = None, action=None) -> None:
        self.waits: list[float] = []
        self.after = after
        self.action = action

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.action is not None and len(self.waits) == self.after:
            self.action()


def secretary_workbook(path: Path) -> None:
    """A workbook as a secretary leaves it: a formula, a note, a style, an old results tab."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Câu hỏi"
    sheet.append(["Kỳ thi", "Câu hỏi", "A", "B", "Đáp án", "Đã dùng"])
    sheet.append([None, "Số mấy?", 1120, 22, "A"])
    sheet["G2"] = "=LEN(B2)"
    sheet["B2"].font = openpyxl.styles.Font(italic=True)
    sheet["B2"].comment = openpyxl.comments.Comment("của bí thư", "bt")
    members = book.create_sheet("Đảng viên")
    members.append(["Họ và tên", "Email"])
    members.append(["Nguyễn Văn An", "an@example.com"])
    old = book.create_sheet("Kết quả 2023-03")
    old.append(["cũ"] * 5)
    old.append(["cũ"] * 5)
    old.append(["cũ"] * 5)
    book.create_sheet("Lịch thi").append(["Kỳ thi", "Mở lúc"])
    book.save(path)


def snapshot(path: Path, title: str) -> list[tuple[object, ...]]:
    """Every cell of a tab as stored (formulas as formulas), with its style bits."""
    book = openpyxl.load_workbook(path)
    sheet = book[title]
    return [
        (c.coordinate, c.value, c.data_type, c.font.i, c.comment.text if c.comment else None)
        for row in sheet.iter_rows()
        for c in row
    ]


def result_tab(title: str = "Kết quả 2023-03", rows: int = 2) -> SheetTab:
    return SheetTab(
        title=title,
        rows=[["Hạng", "Họ và tên", "Điểm (/10)"], *[[i, f"Người {i}", 9.5] for i in range(rows)]],
        header_row=1,
    )


# --- reading ---------------------------------------------------------------------------


def test_read_gives_values_as_stored_and_trims_blank_edges(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    book = LocalWorkbook(path)
    opens = datetime(2023, 3, 14, 19, 30, tzinfo=TZ)
    tab = SheetTab(
        title="Dữ liệu",
        rows=[
            ["chữ", 1120, 8.25, True, opens, date(2023, 3, 1), None, ""],
            [],
            [None, "  khoảng trắng  "],
            [],
        ],
    )
    assert book.add_tabs([tab]) == ["Dữ liệu"]

    rows = book.read(["Dữ liệu", "Không có"])

    assert list(rows) == ["Dữ liệu"]
    first, blank, third = rows["Dữ liệu"]
    assert first[:4] == ["chữ", 1120, 8.25, True]
    assert type(first[1]) is int
    assert first[4] == datetime(2023, 3, 14, 19, 30)  # the wall time, as a sheet shows it
    assert first[5] == datetime(2023, 3, 1)
    assert len(first) == 6
    assert blank == []
    assert third == [None, "  khoảng trắng  "]


def test_read_sees_edits_made_between_calls(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    book = LocalWorkbook(path)
    assert book.read(["Đảng viên"])["Đảng viên"][1] == ["Nguyễn Văn An", "an@example.com"]

    edited = openpyxl.load_workbook(path)
    edited["Đảng viên"].append(["Trần Thị Bình"])
    edited.save(path)

    assert book.read(["Đảng viên"])["Đảng viên"][2] == ["Trần Thị Bình"]
    assert book.tab_titles() == ["Câu hỏi", "Đảng viên", "Kết quả 2023-03", "Lịch thi"]
    assert book.location() == str(path)


def test_read_of_a_missing_workbook_says_to_run_init(tmp_path: Path) -> None:
    book = LocalWorkbook(tmp_path / "none.xlsx")
    assert book.tab_titles() == []
    with pytest.raises(InputError, match="automation init"):
        book.read(["Câu hỏi"])


def test_a_file_that_is_not_a_workbook_is_named_with_its_backup(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    book = LocalWorkbook(path, language="en")
    book.write_tabs([result_tab()])  # leaves quiz.xlsx.bak
    path.write_bytes(b"not a zip at all")
    with pytest.raises(InputError) as caught:
        book.read(["Câu hỏi"])
    assert str(path) in str(caught.value) and "quiz.xlsx.bak" in str(caught.value)


# --- writing ---------------------------------------------------------------------------


def test_write_tabs_replaces_service_tabs_and_leaves_secretary_tabs_alone(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    before = {t: snapshot(path, t) for t in ("Câu hỏi", "Đảng viên", "Lịch thi")}
    book = LocalWorkbook(path)

    book.write_tabs([result_tab(rows=1), result_tab("Thống kê câu hỏi")])

    after = {t: snapshot(path, t) for t in ("Câu hỏi", "Đảng viên", "Lịch thi")}
    assert after == before
    assert ("G2", "=LEN(B2)", "f", False, None) in after["Câu hỏi"]  # formula kept
    assert ("B2", "Số mấy?", "s", True, "của bí thư") in after["Câu hỏi"]  # style and note kept
    # replaced where it stood; the new tab goes at the end
    assert book.tab_titles() == [
        "Câu hỏi",
        "Đảng viên",
        "Kết quả 2023-03",
        "Lịch thi",
        "Thống kê câu hỏi",
    ]
    assert book.read(["Kết quả 2023-03"])["Kết quả 2023-03"] == [
        ["Hạng", "Họ và tên", "Điểm (/10)"],
        [0, "Người 0", 9.5],
    ]


def test_update_cells_writes_only_those_cells(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    before = snapshot(path, "Câu hỏi")
    book = LocalWorkbook(path)
    closed = datetime(2023, 3, 14, 19, 36, 5, tzinfo=TZ)

    book.update_cells([CellWrite("Câu hỏi", 2, 6, "2023-03"), CellWrite("Lịch thi", 2, 9, closed)])

    after = snapshot(path, "Câu hỏi")
    assert [c for c in after if c[0] != "F2"] == [c for c in before if c[0] != "F2"]
    assert ("F2", "2023-03", "s", False, None) in after
    stored = openpyxl.load_workbook(path)["Lịch thi"]["I2"]
    assert stored.value == datetime(2023, 3, 14, 19, 36, 5)
    assert stored.number_format == "dd/mm/yyyy hh:mm:ss"


def test_update_cells_in_a_missing_tab_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    original = path.read_bytes()
    book = LocalWorkbook(path)
    with pytest.raises(InputError, match="không có trang tính 'Lịch'"):
        book.update_cells([CellWrite("Câu hỏi", 2, 6, "x"), CellWrite("Lịch", 2, 5, "Chờ")])
    assert path.read_bytes() == original


def test_formula_like_text_is_stored_as_text(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    book = LocalWorkbook(path)

    book.write_tabs([SheetTab(title="Bài làm 2023-03", rows=[["Tên"], [FORMULA_NAME], ["=1+1"]])])
    book.update_cells([CellWrite("Đảng viên", 3, 1, "=cmd|' /C calc'!A0")])

    stored = openpyxl.load_workbook(path)
    for cell, value in (
        (stored["Bài làm 2023-03"]["A2"], FORMULA_NAME),
        (stored["Bài làm 2023-03"]["A3"], "=1+1"),
        (stored["Đảng viên"]["A3"], "=cmd|' /C calc'!A0"),
    ):
        assert (cell.data_type, cell.value) == ("s", value)
    assert book.read(["Bài làm 2023-03"])["Bài làm 2023-03"][1] == [FORMULA_NAME]


def test_control_characters_in_respondents_text_do_not_break_the_save(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    book = LocalWorkbook(path)
    book.write_tabs([SheetTab(title="Bài làm 1", rows=[["Tên\x00\x07 lạ\ncó dòng"]])])
    assert book.read(["Bài làm 1"])["Bài làm 1"] == [["Tên lạ\ncó dòng"]]


def test_add_tabs_creates_the_folder_and_only_missing_tabs(tmp_path: Path) -> None:
    path = tmp_path / "data" / "sub" / "quiz.xlsx"
    book = LocalWorkbook(path)
    assert book.add_tabs([result_tab("Một"), result_tab("Hai")]) == ["Một", "Hai"]
    assert book.tab_titles() == ["Một", "Hai"]
    assert not book.backup_path.exists()  # nothing was there before

    book.write_tabs([SheetTab(title="Một", rows=[["đã sửa"]])])
    saved = path.read_bytes()
    assert book.add_tabs([result_tab("một"), result_tab("Hai")]) == []  # same name, any case
    assert path.read_bytes() == saved  # nothing to add: the file is not even rewritten
    assert book.add_tabs([result_tab("Ba"), result_tab("Một")]) == ["Ba"]
    assert book.read(["Một"])["Một"] == [["đã sửa"]]


def test_a_tab_name_excel_refuses_is_reported_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    original = path.read_bytes()
    book = LocalWorkbook(path, language="en")
    with pytest.raises(InputError, match="round id"):
        book.write_tabs([result_tab("Thống kê câu hỏi"), result_tab("Results 03/2023")])
    with pytest.raises(InputError):
        book.write_tabs([result_tab("Kết quả " + "x" * 30)])
    assert path.read_bytes() == original


def test_saving_keeps_the_previous_version_as_backup(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    os.chmod(path, 0o640)
    first = path.read_bytes()
    book = LocalWorkbook(path)

    book.write_tabs([result_tab(rows=1)])
    assert book.backup_path == tmp_path / "quiz.xlsx.bak"
    assert book.backup_path.read_bytes() == first
    second = path.read_bytes()

    book.update_cells([CellWrite("Lịch thi", 2, 1, "2023-04")])
    assert book.backup_path.read_bytes() == second  # overwritten by each save
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quiz.xlsx", "quiz.xlsx.bak"]
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o640  # the secretary's permissions are kept
        assert book.backup_path.stat().st_mode & 0o777 == 0o600  # it holds the answer keys


def test_a_save_cleans_up_what_an_interrupted_save_left(tmp_path: Path) -> None:
    """A save killed between writing its temporary file and swapping it in (power cut)."""
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    leftovers = [tmp_path / ".quiz.xlsx.k3j9_x.tmp", tmp_path / ".quiz.xlsx.a1b2.bak.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b"half a workbook")
    kept = tmp_path / ".other.xlsx.zz.tmp"  # another workbook's, left alone
    kept.write_bytes(b"not ours")
    LocalWorkbook(path).update_cells([CellWrite("Lịch thi", 2, 1, "2023-04")])
    assert not any(leftover.exists() for leftover in leftovers)
    assert kept.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.xlsx.zz.tmp", "quiz.xlsx", "quiz.xlsx.bak"]


def test_a_save_that_fails_midway_leaves_the_workbook_intact(tmp_path: Path) -> None:
    """The system refuses to let the new file grow past 30 kB, as a full disk would.

    The original is smaller than that, so only the write of the new version fails.
    """
    resource = pytest.importorskip("resource")  # the limit is a POSIX facility
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    original = path.read_bytes()
    assert len(original) < 30_000
    script = textwrap.dedent(
        f"""
        import random, resource, signal, string
        from pathlib import Path
        from automation.ports import SheetTab
        from automation.workbook import LocalWorkbook
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))
        noise = random.Random(1)
        rows = [["".join(noise.choices(string.ascii_letters, k=40)) for _ in range(8)]
                for _ in range(2_000)]
        try:
            LocalWorkbook(Path({str(path)!r})).write_tabs([SheetTab("Bài làm 2023-03", rows)])
        except OSError as error:
            print("failed:", error.errno, error)
        else:
            print("saved")
        """
    )
    assert resource.RLIMIT_FSIZE  # used in the child
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.startswith("failed:"), done.stdout + done.stderr
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quiz.xlsx"]  # no temp file left
    assert "Bài làm 2023-03" not in LocalWorkbook(path).tab_titles()


# --- locks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "lock_name"),
    [
        ("quiz.xlsx", "~$quiz.xlsx"),
        ("quiz.xlsx", ".~lock.quiz.xlsx#"),
        ("thi-trac-nghiem.xlsx", "~$i-trac-nghiem.xlsx"),
    ],
)
def test_a_lock_file_makes_it_wait_then_fail_without_change(
    tmp_path: Path, file_name: str, lock_name: str
) -> None:
    path = tmp_path / file_name
    secretary_workbook(path)
    (tmp_path / lock_name).write_text("Bí thư")
    original = path.read_bytes()
    sleep = FakeSleep()
    book = LocalWorkbook(path, lock_timeout=5, sleep=sleep)

    with pytest.raises(WorkbookLocked) as caught:
        book.write_tabs([result_tab()])
    with pytest.raises(WorkbookLocked):
        book.update_cells([CellWrite("Lịch thi", 2, 5, "Đã xếp hạng")])

    assert sum(sleep.waits[: len(sleep.waits) // 2]) == pytest.approx(5)
    assert path.read_bytes() == original
    message = str(caught.value)
    assert "đóng tệp" in message and "Không mất dữ liệu" in message and lock_name in message
    assert book.read(["Câu hỏi"])  # reading is still fine while it is open


def test_the_lock_message_in_english(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    (tmp_path / "~$quiz.xlsx").write_text("")
    book = LocalWorkbook(path, language="en", lock_timeout=0, sleep=FakeSleep())
    with pytest.raises(WorkbookLocked, match=re.escape("Close the file. Nothing is lost")):
        book.write_tabs([result_tab()])


def test_the_write_goes_through_once_the_file_is_closed_and_keeps_her_edits(
    tmp_path: Path,
) -> None:
    path = tmp_path / "quiz.xlsx"
    secretary_workbook(path)
    lock = tmp_path / "~$quiz.xlsx"
    lock.write_text("")

    def secretary_saves_and_closes() -> None:
        edited = openpyxl.load_workbook(path)
        edited["Đảng viên"].append(["Người mới"])
        edited.save(path)
        lock.unlink()

    sleep = FakeSleep(after=3, action=secretary_saves_and_closes)
    book = LocalWorkbook(path, lock_timeout=30, sleep=sleep)

    book.write_tabs([result_tab(rows=1)])

    assert len(sleep.waits) == 3
    tabs = book.read(["Đảng viên", "Kết quả 2023-03"])
    assert tabs["Đảng viên"][-1] == ["Người mới"]  # loaded after she saved, so kept
    assert tabs["Kết quả 2023-03"][1] == [0, "Người 0", 9.5]


def unprivileged(attempt: Callable[[], str]) -> str:
    """Run ``attempt`` as a user that file permissions apply to (root ignores them)."""
    if os.geteuid() != 0:
        return attempt()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        outcome = "crashed"
        try:
            os.setgid(65534)
            os.setuid(65534)  # nobody
            outcome = attempt()
        except BaseException as error:
            outcome = f"crashed: {error!r}"
        finally:
            os.write(writer, outcome.encode())
            os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    with os.fdopen(reader) as pipe:
        return pipe.read()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")
def test_a_folder_that_refuses_the_replace_is_reported_as_locked() -> None:
    # pytest's own folders are private to root; an unprivileged user needs a way in.
    with tempfile.TemporaryDirectory() as base:
        os.chmod(base, 0o755)
        refused_replace(Path(base) / "data")


def refused_replace(folder: Path) -> None:
    folder.mkdir()
    path = folder / "quiz.xlsx"
    secretary_workbook(path)
    original = path.read_bytes()
    os.chmod(folder, 0o555)

    def attempt() -> str:
        sleep = FakeSleep()
        try:
            LocalWorkbook(path, lock_timeout=3, sleep=sleep).write_tabs([result_tab()])
        except WorkbookLocked as locked:
            return f"locked after {sum(sleep.waits)}s: {locked}"
        return "saved"

    try:
        outcome = unprivileged(attempt)
    finally:
        os.chmod(folder, 0o755)
    assert outcome.startswith("locked after 3.0s") and "Excel" in outcome, outcome
    assert path.read_bytes() == original


@pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")
def test_a_file_that_cannot_be_opened_for_reading_is_reported_after_waiting() -> None:
    with tempfile.TemporaryDirectory() as base:
        os.chmod(base, 0o755)
        path = Path(base) / "quiz.xlsx"
        secretary_workbook(path)
        os.chmod(path, 0o000)

        def attempt() -> str:
            sleep = FakeSleep()
            try:
                LocalWorkbook(path, language="en", lock_timeout=2, sleep=sleep).read(["Câu hỏi"])
            except WorkbookLocked as locked:
                return f"locked after {sum(sleep.waits)}s: {locked}"
            return "read"

        outcome = unprivileged(attempt)
    assert outcome.startswith("locked after 2.0s: Could not read"), outcome


# --- formatting --------------------------------------------------------------------------


def test_sheet_tab_formatting_reaches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "quiz.xlsx"
    submitted = datetime(2023, 3, 14, 12, 31, 2, tzinfo=UTC)
    tab = SheetTab(
        title="Kết quả 2023-03",
        rows=[
            ["Kỳ thi", "2023-03"],
            [],
            ["Hạng", "Họ và tên", "Điểm (/10)", "Nộp lúc"],
            [1, "An", 9.5, submitted],
            [2, "Bình", 7.25, submitted + timedelta(seconds=4)],
            [],
            ["8", 1],
            ["9", 1],
        ],
        header_row=3,
        bold_rows=frozenset({1}),
        highlight_rows=frozenset({4}),
        column_widths=(8, 30),
        number_formats={0: "0", 2: "0.00", 3: "dd/mm/yyyy hh:mm:ss"},
        notes={(3, 3): "Điểm trên thang 10"},
        validations=(Validation(1, 4, 20, ("Có", "Không")),),
        chart=ChartSpec("Phân bố điểm", 0, 1, 7, 8),
    )
    LocalWorkbook(path).write_tabs([tab])

    sheet = openpyxl.load_workbook(path)["Kết quả 2023-03"]
    assert sheet.freeze_panes == "A4"
    assert sheet["A3"].font.b and sheet["D3"].font.b and sheet["A1"].font.b
    assert sheet["A4"].font.b and sheet["A4"].font.name == "Calibri"  # highlighted: bold too
    assert not sheet["A5"].font.b
    assert sheet["A4"].fill.fgColor.rgb.endswith("FFF2CC")
    assert sheet["D4"].fill.fgColor.rgb.endswith("FFF2CC")
    assert sheet["A5"].fill.fill_type is None
    assert sheet.column_dimensions["A"].width == 8
    assert sheet.column_dimensions["B"].width == 30
    assert sheet["C4"].number_format == "0.00"
    assert sheet["D4"].number_format == "dd/mm/yyyy hh:mm:ss"
    assert sheet["D4"].value == datetime(2023, 3, 14, 12, 31, 2)
    assert sheet["C3"].comment.text == "Điểm trên thang 10"
    rules = sheet.data_validations.dataValidation
    assert [(r.type, r.formula1, str(r.sqref)) for r in rules] == [("list", '"Có,Không"', "B4:B20")]
    assert len(sheet._charts) == 1


# --- the init template through a real file -------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_init_template_reads_back_as_a_clean_bank(tmp_path: Path, language: str) -> None:
    path = tmp_path / "quiz.xlsx"
    book = LocalWorkbook(path, language=language)
    tabs = report.template_tabs(language)
    assert book.add_tabs(tabs) == [t.title for t in tabs]

    rows = book.read(book.tab_titles())
    bank = read_bank(rows, quiz=QuizSettings(), tz=TZ, language=language)

    assert bank.problems == ()
    schedule = rows[tabs[2].title]
    assert isinstance(schedule[1][1], datetime)
    assert bank.rounds[0].opens_at == datetime(2027, 1, 12, 19, 30, tzinfo=TZ)
    assert len(select_questions(bank.questions, bank.rounds[0])) == 10
    assert any(q.multi for q in bank.questions)
    assert ("22", "1120", "5", "1") in [q.options for q in bank.questions]  # not "1120.0"

    stored = openpyxl.load_workbook(path)[tabs[2].title]
    assert stored["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert stored.column_dimensions["B"].number_format == "dd/mm/yyyy hh:mm"  # for new rows
    assert stored["A1"].comment is not None and stored.freeze_panes == "A2"
    assert [str(r.sqref) for r in stored.data_validations.dataValidation] == ["C2:C500"]


# --- the results tab on paper ------------------------------------------------------------

#: A4 landscape, less the workbook's margins (0.4 inch each side), in pixels at 96 dpi.
A4_LANDSCAPE_PIXELS = (297 / 25.4 - 2 * 0.4) * 96


def round_of_forty() -> tuple[RoundResult, list[Question]]:
    """40 members, 38 answer two questions: ties at the top, a late one, two absent."""
    questions = [
        Question(2, "Năm thành lập Đảng?", ("1930", "1945", "1954"), frozenset("A")),
        Question(3, "Chọn các văn bản của tỉnh", ("Chỉ thị 22", "Quy định 1120", "Luật"),
                 frozenset("AB")),
    ]
    members = [Member(i + 2, f"Đảng viên số {i + 1:02d}") for i in range(40)]
    opened = datetime(2023, 3, 14, 19, 30, tzinfo=TZ)
    responses = []
    for i, member in enumerate(members[:38]):
        right = {questions[0].text: ("1930",), questions[1].text: ("Chỉ thị 22", "Quy định 1120")}
        wrong = {questions[0].text: ("1945",), questions[1].text: ("Luật",)}
        answers = right if i % 3 else {**right, **dict(list(wrong.items())[i % 2 :])}
        seconds = 200 if i == 37 else 40 + (i + 1) // 2  # two by two at the same second
        responses.append(FormResponse(f"r{i}", member.name, opened + timedelta(seconds=seconds),
                                      answers))
    result = rank_round(
        round_id="2023-03", questions=questions, members=members,
        submissions=[to_submission(r, questions) for r in responses],
        opened_at=opened, deadline=opened + timedelta(seconds=2 * 30 + 60),
        closed_at=opened + timedelta(seconds=2 * 30 + 60),
    )
    return result, questions


def test_the_results_tab_prints_across_one_a4_page_with_its_header_on_every_page(
    tmp_path: Path,
) -> None:
    result, _ = round_of_forty()
    tab = report.results_tab(result, language="vi", tz=TZ)
    path = tmp_path / "quiz.xlsx"
    LocalWorkbook(path).write_tabs([tab])

    sheet = openpyxl.load_workbook(path)[tab.title]
    setup = sheet.page_setup
    assert (setup.orientation, str(setup.paperSize)) == ("landscape", sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # one page across, any height
    assert sheet.print_title_rows == "$6:$6" and sheet["A6"].value == "Hạng"
    assert sheet.oddFooter.center.text == "Kết quả 2023-03 — trang &P/&N"
    # Even unscaled the seven columns fit the paper across (Excel: 7 px a character + 5).
    pixels = sum(int(sheet.column_dimensions[c].width * 7 + 5) for c in "ABCDEFG")
    assert pixels <= A4_LANDSCAPE_PIXELS
    # The chart sits under the table's right-hand columns, on the same paper.
    (chart,) = sheet._charts
    assert chart.anchor._from.col == 3 and chart.anchor._from.col < 7


def test_the_winner_is_bold_highlighted_and_named_first_and_times_are_date_time_cells(
    tmp_path: Path,
) -> None:
    result, _ = round_of_forty()
    assert [e.rank for e in result.ranked[:3]] == [1, 1, 3]  # two share the first place
    tab = report.results_tab(result, language="vi", tz=TZ)
    path = tmp_path / "quiz.xlsx"
    LocalWorkbook(path).write_tabs([tab])

    sheet = openpyxl.load_workbook(path)[tab.title]
    for row in (7, 8):
        assert sheet[f"B{row}"].value.endswith(" — Về nhất")
        assert all(sheet[f"{c}{row}"].font.b for c in "ABCDEFG")
        assert all(sheet[f"{c}{row}"].fill.fgColor.rgb.endswith("FFF2CC") for c in "ABCDEFG")
    assert sheet["B9"].value == result.ranked[2].name and not sheet["B9"].font.b
    assert sheet["G7"].value == "Đồng hạng 1"
    # The header block's times: real date-time cells in the zone, shown like Nộp lúc.
    for cell, moment in (("F2", result.opened_at), ("F3", result.deadline),
                         ("F4", result.closed_at)):
        assert sheet[cell].value == moment.astimezone(TZ).replace(tzinfo=None)
        assert sheet[cell].number_format == "dd/mm/yyyy hh:mm:ss"
    assert sheet["F7"].number_format == "dd/mm/yyyy hh:mm:ss"
    assert sheet["A1"].font.sz == 14 and sheet["A1"].font.b
    # The season table reads the plain names back.
    rows = LocalWorkbook(path).read([tab.title])[tab.title]
    scores = report.read_round_scores("2023-03", rows)
    assert [s.name for s in scores[:2]] == [e.name for e in result.ranked[:2]]
    assert len(scores) == 37


def test_the_distribution_chart_counts_whole_people(tmp_path: Path) -> None:
    result, _ = round_of_forty()
    tab = report.results_tab(result, language="en", tz=TZ)
    path = tmp_path / "quiz.xlsx"
    LocalWorkbook(path).write_tabs([tab])

    (chart,) = openpyxl.load_workbook(path)[tab.title]._charts
    # 37 ranked: 24 with 10 points, 6 with 5, 7 with 0 → ticks every 5 people up to 25.
    assert chart.y_axis.majorUnit == 5
    assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0, 25)
    assert chart.y_axis.numFmt.formatCode == "0"
    labels = chart.dataLabels
    assert labels.showVal and not labels.showCatName and not labels.showSerName


def test_alignment_wrapping_and_row_heights_reach_the_file(tmp_path: Path) -> None:
    long = "Chỉ thị số 22 về tăng cường sự lãnh đạo của Đảng trong xây dựng đội ngũ cán bộ"
    tab = SheetTab(
        title="Thống kê câu hỏi",
        rows=[["Tiêu đề"], ["Câu số", "Câu hỏi", "Tỉ lệ đúng (%)"], [1, long, 75.0],
              [2, "Ngắn", 5]],
        header_row=2,
        column_widths=(8, 20, 10),
        alignments={0: "center"},
        wrap_columns=frozenset({1}),
        wrap_header=True,
        cell_styles={(1, 1): CellStyle(bold=True, size=14), (4, 3): CellStyle(align="left")},
    )
    path = tmp_path / "quiz.xlsx"
    LocalWorkbook(path).write_tabs([tab])

    sheet = openpyxl.load_workbook(path)[tab.title]
    assert sheet["A3"].alignment.horizontal == "center" and sheet["A2"].alignment.horizontal
    assert sheet["A1"].alignment.horizontal is None  # above the header: as it is
    assert sheet["B3"].alignment.wrap_text and sheet["B3"].alignment.vertical == "top"
    assert sheet["A3"].alignment.vertical == "top"  # the row's cells line up at the top
    assert sheet["C2"].alignment.wrap_text  # "Tỉ lệ đúng (%)" wraps over a narrow column
    # LibreOffice does not size wrapped rows when opening the file: the heights are written. The
    # 80 characters wrapped at spaces 20 wide take 5 lines of 15 points; the bold header
    # "Tỉ lệ đúng (%)" 10 wide takes 2.
    assert sheet.row_dimensions[3].height == 5 * 15
    assert sheet.row_dimensions[2].height == 2 * 15
    assert sheet.row_dimensions[4].height is None
    assert (sheet["A1"].font.b, sheet["A1"].font.sz) == (True, 14)
    assert sheet["C4"].alignment.horizontal == "left"
