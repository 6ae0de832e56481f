"""Reading the secretary's tabs: records from clean rows, a problem for every defect.

Each defect kind has its own test (the ``DEFECTS`` table), checking the tab,
row and column named and that the message says what to do; the rest checks
what clean rows become, both languages, free column order and blank rows.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from automation.bank import parse_answer, read_bank
from automation.config import QuizSettings
from automation.layout import MEMBERS, QUESTIONS, SCHEDULE, Status
from automation.model import Bank, Problem
from automation.text import Cell

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QUIZ = QuizSettings(questions_per_round=10, seconds_per_question=30)

Tabs = dict[str, list[list[Cell]]]

QUESTION_HEADERS = ["Kỳ thi", "Câu hỏi", "A", "B", "C", "D", "Đáp án", "Điểm", "Nguồn",
                    "Giải thích", "Đã dùng"]
MEMBER_HEADERS = ["Họ và tên", "Email", "Ghi chú"]
SCHEDULE_HEADERS = ["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu", "Trạng thái", "Link làm bài",
                    "Mã biểu mẫu", "Mở thực tế", "Đóng lúc", "Ghi chú"]


def clean_tabs() -> Tabs:
    """A small clean workbook built from the article's own facts; rows 2.. are all valid."""
    return {
        "Câu hỏi": [
            list(QUESTION_HEADERS),
            ["2024-03", "Quy định số 1120 của Ban Chấp hành Đảng bộ tỉnh ban hành ngày nào?",
             datetime(2022, 6, 1), datetime(2022, 7, 13), "05/3/2023", None, "A", 1,
             "Quy định 1120", "Ban hành ngày 01-6-2022.", None],
            [None, "Chỉ thị số 22 của Tỉnh ủy ban hành ngày nào?", "01-6-2022", "13-7-2022",
             "01-01-2023", None, "b.", None, "Chỉ thị 22", None, "2024-01, 2024-02"],
            [None, "Quy định số mấy đặt ra bộ tiêu chí đánh giá, xếp loại cán bộ, công chức?",
             1120, 1121.0, 22, 5, "A", 2, "Quy định 1120"],
            [None, "Những văn bản nào chi bộ đã tổ chức tìm hiểu? (chọn tất cả)",
             "Chỉ thị số 22", "Kết luận số 01", "Nghị quyết số 99", None, "A, B"],
            [None, "Thời gian bình quân cho mỗi câu trả lời là bao nhiêu?", "30 giây",
             "60 giây", "90 giây", None, "a"],
        ],
        "Đảng viên": [
            list(MEMBER_HEADERS),
            ["Lê Quang Qui", "qui@example.vn", "Hạng nhất tháng 3"],
            ["Nguyễn Thị Lan", "lan@example.vn"],
            ["Trần Văn Bình"],
        ],
        "Lịch thi": [
            list(SCHEDULE_HEADERS),
            ["2024-03", "05/03/2024 14:00", 5, 30, "Đã xếp hạng", "https://forms.example/1",
             "f1", datetime(2024, 3, 5, 14, 0, 5), datetime(2024, 3, 5, 14, 4, 0), None],
            ["2024-04", datetime(2024, 4, 2, 14, 0), None, None, None],
        ],
    }


def read(tabs: Tabs, **kwargs: object) -> Bank:
    options: dict[str, object] = {"quiz": QUIZ, "tz": TZ}
    options.update(kwargs)
    return read_bank(tabs, **options)  # type: ignore[arg-type]


def set_cell(tabs: Tabs, tab: str, row: int, header: str, value: Cell) -> None:
    """Set the cell under ``header`` in sheet row ``row`` (1-based), growing the row."""
    rows = tabs[tab]
    while len(rows) < row:
        rows.append([])
    column = rows[0].index(header)
    cells = rows[row - 1]
    cells.extend([None] * (column + 1 - len(cells)))
    cells[column] = value


def only(bank: Bank) -> Problem:
    assert len(bank.problems) == 1, [p.describe() for p in bank.problems]
    return bank.problems[0]


def rows_of(bank: Bank) -> dict[str, set[int]]:
    return {
        "Câu hỏi": {q.row for q in bank.questions},
        "Đảng viên": {m.row for m in bank.members},
        "Lịch thi": {r.row for r in bank.rounds},
    }


# --- clean input ----------------------------------------------------------------


def test_clean_workbook_has_no_problem_and_every_row_is_a_record() -> None:
    bank = read(clean_tabs())
    assert bank.problems == ()
    assert [q.row for q in bank.questions] == [2, 3, 4, 5, 6]
    assert [m.row for m in bank.members] == [2, 3, 4]
    assert [r.round_id for r in bank.rounds] == ["2024-03", "2024-04"]


def test_values_are_read_as_the_secretary_sees_them() -> None:
    q1, q2, q3, q4, q5 = read(clean_tabs()).questions
    assert q1.options == ("01/06/2022", "13/07/2022", "05/3/2023")  # date cells as shown
    assert q1.round_id == "2024-03" and q1.source == "Quy định 1120"
    assert q1.explanation == "Ban hành ngày 01-6-2022."
    assert q2.answer == frozenset("B") and q2.points == 1 and q2.round_id is None
    assert q2.used_in == ("2024-01", "2024-02")
    assert q3.options == ("1120", "1121", "22", "5")  # numbers stay whole, never 1121.0
    assert q3.points == 2
    assert q4.answer == frozenset("AB") and q4.multi
    assert q5.answer == frozenset("A")


def test_members_and_rounds_are_typed_records() -> None:
    bank = read(clean_tabs())
    assert [(m.name, m.email) for m in bank.members] == [
        ("Lê Quang Qui", "qui@example.vn"), ("Nguyễn Thị Lan", "lan@example.vn"),
        ("Trần Văn Bình", ""),
    ]
    march, april = bank.rounds
    assert march.opens_at == datetime(2024, 3, 5, 14, 0, tzinfo=TZ)
    assert (march.question_count, march.seconds_per_question) == (5, 30)
    assert march.status is Status.RANKED
    assert (march.form_link, march.form_id) == ("https://forms.example/1", "f1")
    assert march.opened_at == datetime(2024, 3, 5, 14, 0, 5, tzinfo=TZ)
    assert march.closed_at == datetime(2024, 3, 5, 14, 4, tzinfo=TZ)
    assert april.opens_at == datetime(2024, 4, 2, 14, 0, tzinfo=TZ)  # naive cell: in tz
    assert (april.question_count, april.seconds_per_question) == (10, 30)  # config defaults
    assert april.status is Status.PENDING and april.opened_at is None


def test_defaults_come_from_the_quiz_settings() -> None:
    bank = read(clean_tabs(), quiz=QuizSettings(questions_per_round=7, seconds_per_question=45))
    april = bank.round("2024-04")
    assert april is not None
    assert (april.question_count, april.seconds_per_question) == (7, 45)


@pytest.mark.parametrize(
    ("typed", "letters"),
    [("B", "B"), ("b", "B"), ("B.", "B"), (" b) ", "B"), ("(C)", "C"), ("A, C", "AC"),
     ("a;c", "AC"), ("A ; C.", "AC"), ("A và C", "AC"), ("a and c", "AC"), ("A/C", "AC"),
     ("c + a", "AC"), ("A C", "AC"), ("F, A, A", "AF")],
)
def test_answer_forms_accepted(typed: str, letters: str) -> None:
    assert parse_answer(typed) == frozenset(letters)


def test_places_say_where_each_column_is() -> None:
    tabs = clean_tabs()
    tabs["Đảng viên"][0] = ["STT", "Họ và tên", None, "Email", "Đơn vị"]
    tabs["Đảng viên"][1:] = [[1, "Lê Quang Qui", None, "qui@example.vn", "Trường"]]
    bank = read(tabs)
    assert bank.problems == ()
    members = bank.places[MEMBERS.key]
    assert (members.title, members.header_row, members.width) == ("Đảng viên", 1, 5)
    assert dict(members.columns) == {"name": 2, "email": 4}
    schedule = bank.places[SCHEDULE.key]
    assert schedule.columns["status"] == 5 and schedule.width == len(SCHEDULE_HEADERS)
    assert bank.places[QUESTIONS.key].columns["used_in"] == 11


def test_missing_service_columns_are_not_a_problem() -> None:
    tabs = clean_tabs()
    tabs["Lịch thi"] = [["Kỳ thi", "Mở lúc"], ["2024-03", "07/03/2024 14:00"]]
    tabs["Câu hỏi"] = [[h for h in QUESTION_HEADERS if h != "Đã dùng"],
                       *(r[:10] for r in tabs["Câu hỏi"][1:])]
    bank = read(tabs)
    assert bank.problems == ()
    assert dict(bank.places[SCHEDULE.key].columns) == {"round": 1, "opens_at": 2}
    assert bank.places[SCHEDULE.key].width == 2
    assert bank.rounds[0].status is Status.PENDING
    assert "used_in" not in bank.places[QUESTIONS.key].columns


def english(tabs: Tabs) -> Tabs:
    """The same workbook with English tab titles and headers."""
    names = {"Câu hỏi": QUESTIONS, "Đảng viên": MEMBERS, "Lịch thi": SCHEDULE}
    translated: Tabs = {}
    for title, rows in tabs.items():
        spec = names[title]
        header = [spec.find_column(h).en for h in rows[0]]  # type: ignore[union-attr]
        translated[spec.en] = [header, *copy.deepcopy(rows[1:])]
    return translated


def test_english_titles_and_headers_read_the_same() -> None:
    vi = read(clean_tabs())
    en = read(english(clean_tabs()))
    assert en.problems == ()
    assert (en.questions, en.members, en.rounds) == (vi.questions, vi.members, vi.rounds)
    assert en.places[QUESTIONS.key].title == "Questions"


def test_headers_match_after_trimming_nfc_and_case_folding() -> None:
    tabs = clean_tabs()
    tabs["Đảng viên"][0] = ["  HỌ VÀ TÊN ", "email", "ghi chú"]
    tabs["Lịch thi"][0] = ["KỲ THI", "Mở  lúc", "số câu", " GIÂY MỖI CÂU", "status",
                           "link làm bài", "form id", "Mở thực tế", "ĐÓNG LÚC", "Note"]
    decomposed = "Ca\u0302u ho\u0309i"  # "Câu hỏi" typed with combining accents
    tabs["Câu hỏi"][0] = ["round", decomposed, "a", "b", "c", "d", "ANSWER", "Điểm", "Nguồn",
                          "Giải thích", "Used In"]
    bank = read(tabs)
    assert bank.problems == ()
    assert (len(bank.questions), len(bank.members), len(bank.rounds)) == (5, 3, 2)


def test_shuffled_columns_read_the_same() -> None:
    tabs = clean_tabs()
    order = [3, 0, 10, 6, 1, 9, 2, 8, 5, 4, 7]
    rows = tabs["Câu hỏi"]
    width = len(QUESTION_HEADERS)
    tabs["Câu hỏi"] = [[(r + [None] * width)[i] for i in order] for r in rows]
    bank = read(tabs)
    assert bank.problems == ()
    assert bank.questions == read(clean_tabs()).questions


def test_unknown_columns_are_ignored() -> None:
    tabs = clean_tabs()
    for i, row in enumerate(tabs["Câu hỏi"]):
        row[:0] = ["STT" if i == 0 else i]
        row.extend([None] * (12 - len(row)) + ["Người soạn" if i == 0 else "#REF!"])
    tabs["Câu hỏi"].append([99, None, None, None, None, None, None, None, None, None, None,
                            None, "chỉ ghi chú ở cột lạ"])
    bank = read(tabs)
    assert bank.problems == ()
    assert len(bank.questions) == 5


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers() -> None:
    tabs = clean_tabs()
    tabs["Đảng viên"][2:2] = [[], [None, None, None], ["  ", "", None]]
    bank = read(tabs)
    assert bank.problems == ()
    assert [m.row for m in bank.members] == [2, 6, 7]


def test_a_tab_with_only_headers_is_empty_not_wrong() -> None:
    tabs = clean_tabs()
    tabs["Câu hỏi"] = [QUESTION_HEADERS]
    bank = read(tabs)
    assert bank.problems == () and bank.questions == ()


def test_round_id_turned_into_a_date_still_matches() -> None:
    tabs = clean_tabs()
    set_cell(tabs, "Lịch thi", 2, "Kỳ thi", datetime(2024, 3, 1))  # Excel's "2024-03"
    set_cell(tabs, "Câu hỏi", 2, "Kỳ thi", date(2024, 3, 1))
    bank = read(tabs)
    assert bank.problems == ()
    assert bank.rounds[0].round_id == "2024-03"
    assert bank.questions[0].round_id == "2024-03"


def test_question_round_id_takes_the_schedules_spelling() -> None:
    tabs = clean_tabs()
    set_cell(tabs, "Lịch thi", 3, "Kỳ thi", "Tháng 4")
    set_cell(tabs, "Câu hỏi", 3, "Kỳ thi", " THÁNG  4 ")
    bank = read(tabs)
    assert bank.problems == ()
    assert bank.questions[1].round_id == "Tháng 4"


def test_without_a_schedule_question_rounds_are_not_second_guessed() -> None:
    tabs = clean_tabs()
    del tabs["Lịch thi"]
    bank = read(tabs)
    assert [(p.tab, p.row) for p in bank.problems] == [("Lịch thi", None)]
    assert len(bank.questions) == 5 and bank.rounds == ()


# --- one test per defect kind ---------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """A defect made in a clean workbook and the problem expected for it."""

    name: str
    make: Callable[[Tabs], None]
    where: tuple[str, int | None, str | None]
    says: str  # a phrase of the message that says what to do
    quiz: QuizSettings = QUIZ


def cell(tab: str, row: int, header: str, value: Cell) -> Callable[[Tabs], None]:
    return lambda tabs: set_cell(tabs, tab, row, header, value)


def drop_column(tab: str, header: str) -> Callable[[Tabs], None]:
    def make(tabs: Tabs) -> None:
        column = tabs[tab][0].index(header)
        for row in tabs[tab]:
            if column < len(row):
                del row[column]
    return make


def add_column(tab: str, header: str, values: list[Cell]) -> Callable[[Tabs], None]:
    def make(tabs: Tabs) -> None:
        width = max(len(r) for r in tabs[tab])
        for row, value in zip(tabs[tab], [header, *values], strict=False):
            row.extend([None] * (width - len(row)) + [value])
    return make


def both(*makes: Callable[[Tabs], None]) -> Callable[[Tabs], None]:
    def make(tabs: Tabs) -> None:
        for step in makes:
            step(tabs)
    return make


def add_tab(title: str, rows: list[list[Cell]]) -> Callable[[Tabs], None]:
    return lambda tabs: tabs.__setitem__(title, rows)


def drop_tab(title: str) -> Callable[[Tabs], None]:
    return lambda tabs: tabs.__delitem__(title)


Q, M, S = "Câu hỏi", "Đảng viên", "Lịch thi"

DEFECTS = [
    # the workbook and its headers
    Defect("tab missing", drop_tab(M), (M, None, None), "Hãy tạo trang này"),
    Defect("tab twice in both languages", add_tab("Members", [["Name"], ["Lê Quang Qui"]]),
           ("Members", None, None), 'xóa hoặc đổi tên trang "Members"'),
    Defect("required column missing", drop_column(Q, "Đáp án"), (Q, 1, "Đáp án"),
           'Hãy thêm một cột có tiêu đề "Đáp án"'),
    Defect("option column B missing", drop_column(Q, "B"), (Q, 1, "B"),
           'Hãy thêm một cột có tiêu đề "B"'),
    Defect("same header twice", add_column(M, "Name", ["Qui"]), (M, 1, "Name"),
           "hãy xóa cột thừa"),
    Defect("formula error in a cell", cell(Q, 4, "Điểm", "#REF!"), (Q, 4, "Điểm"),
           "Hãy sửa công thức"),
    # Câu hỏi
    Defect("question text blank", cell(Q, 3, "Câu hỏi", "  "), (Q, 3, "Câu hỏi"),
           "Hãy ghi nội dung câu hỏi"),
    Defect("fewer than 2 options", both(cell(Q, 6, "B", None), cell(Q, 6, "C", None)),
           (Q, 6, "B"), "Hãy ghi thêm phương án"),
    Defect("gap in options", cell(Q, 6, "B", ""), (Q, 6, "B"),
           "Hãy ghi các phương án liền nhau từ A"),
    Defect("duplicate options after normalisation", cell(Q, 5, "C", " chỉ thị  SỐ 22"),
           (Q, 5, "C"), "Hãy sửa để các phương án khác nhau"),
    Defect("answer blank", cell(Q, 6, "Đáp án", None), (Q, 6, "Đáp án"),
           "Hãy ghi chữ cái của phương án đúng"),
    Defect("answer letter after F", cell(Q, 6, "Đáp án", "G"), (Q, 6, "Đáp án"),
           'Đáp án "G" không phải là một phương án (A–F). Hãy ghi chữ cái của phương án đúng'),
    Defect("answer unreadable", cell(Q, 6, "Đáp án", "30 giây"), (Q, 6, "Đáp án"),
           "cách nhau bằng dấu phẩy, ví dụ A, C"),
    Defect("answer letters run together", cell(Q, 5, "Đáp án", "AB"), (Q, 5, "Đáp án"),
           "cách nhau bằng dấu phẩy, ví dụ A, C"),
    Defect("answer names a blank option", cell(Q, 6, "Đáp án", "D"), (Q, 6, "Đáp án"),
           "Hãy ghi phương án D hoặc sửa đáp án"),
    Defect("points zero", cell(Q, 4, "Điểm", 0), (Q, 4, "Điểm"), "Hãy ghi 1, 2, 3"),
    Defect("points not whole", cell(Q, 4, "Điểm", 1.5), (Q, 4, "Điểm"), "Hãy ghi 1, 2, 3"),
    Defect("round not in the schedule", cell(Q, 3, "Kỳ thi", "2024-13"), (Q, 3, "Kỳ thi"),
           "Hãy ghi đúng mã kỳ thi"),
    Defect("same question twice", cell(Q, 6, "Câu hỏi", "chỉ thị số 22 của tỉnh ủy ban hành "
                                                        "ngày  nào?"),
           (Q, 6, "Câu hỏi"), "trùng với câu hỏi ở dòng 3. Hãy xóa một trong hai câu"),
    # Đảng viên
    Defect("member name blank", cell(M, 5, "Email", "an@example.vn"), (M, 5, "Họ và tên"),
           "Hãy ghi họ và tên"),
    Defect("member name twice after normalisation",
           cell(M, 5, "Họ và tên", "  le\u0302 quang QUI"), (M, 5, "Họ và tên"),
           "trùng với tên ở dòng 2"),
    Defect("email malformed", cell(M, 3, "Email", "lan@example"), (M, 3, "Email"),
           "Hãy ghi đầy đủ một địa chỉ"),
    Defect("email required for identity email", lambda tabs: None, (M, 4, "Email"),
           "cần ghi email tài khoản Google",
           quiz=QuizSettings(identity="email")),
    Defect("email twice", cell(M, 4, "Email", "LAN@example.vn"), (M, 4, "Email"),
           "trùng với email ở dòng 3"),
    # Lịch thi
    Defect("round id blank", cell(S, 3, "Kỳ thi", None), (S, 3, "Kỳ thi"),
           "Hãy ghi mã kỳ thi"),
    Defect("round id twice", cell(S, 3, "Kỳ thi", "2024-03 "), (S, 3, "Kỳ thi"),
           "đã có ở dòng 2"),
    Defect("opening time blank", cell(S, 3, "Mở lúc", None), (S, 3, "Mở lúc"),
           "Hãy ghi ngày và giờ mở"),
    Defect("opening time unreadable", cell(S, 3, "Mở lúc", "chiều thứ Ba"), (S, 3, "Mở lúc"),
           "Hãy ghi theo dạng ngày/tháng/năm giờ:phút"),
    Defect("opening date impossible", cell(S, 3, "Mở lúc", "31/02/2024 14:00"),
           (S, 3, "Mở lúc"), "không phải là ngày giờ có thật"),
    Defect("opening date without a time", cell(S, 3, "Mở lúc", date(2024, 4, 2)),
           (S, 3, "Mở lúc"), "Hãy ghi cả giờ"),
    Defect("opening time without a date", cell(S, 3, "Mở lúc", time(14, 0)),
           (S, 3, "Mở lúc"), "Hãy ghi cả ngày"),
    Defect("question count out of range", cell(S, 3, "Số câu", 12), (S, 3, "Số câu"),
           "phải là số nguyên từ 5 đến 10"),
    Defect("seconds per question not a positive whole number",
           cell(S, 3, "Giây mỗi câu", "nửa phút"), (S, 3, "Giây mỗi câu"),
           "phải là số nguyên từ 5 đến 600"),
    Defect("unknown status", cell(S, 3, "Trạng thái", "Xong"), (S, 3, "Trạng thái"),
           "Hãy để trống (nghĩa là Chờ) hoặc ghi một trong: Chờ, Đã chuẩn bị"),
    Defect("opened at unreadable", cell(S, 2, "Mở thực tế", "lúc 2 giờ"),
           (S, 2, "Mở thực tế"), "Hãy ghi theo dạng"),
    Defect("closed at unreadable", cell(S, 2, "Đóng lúc", "99/99/2024 14:00"),
           (S, 2, "Đóng lúc"), "Hãy sửa lại"),
    Defect("closed before opened", cell(S, 2, "Đóng lúc", "05/03/2024 13:00"),
           (S, 2, "Đóng lúc"), "Hãy kiểm tra và sửa lại"),
]


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect_is_reported_where_it_is_with_what_to_do(defect: Defect) -> None:
    tabs = clean_tabs()
    clean_rows = rows_of(read(tabs))
    defect.make(tabs)
    bank = read(tabs, quiz=defect.quiz)
    problem = only(bank)
    assert (problem.tab, problem.row, problem.column) == defect.where
    assert defect.says in problem.message
    tab, row, _ = defect.where
    if row is not None and row > 1:  # a defective row is left out, the others kept
        assert rows_of(bank)[tab] == clean_rows[tab] - {row}


def test_there_are_at_least_twenty_defect_kinds() -> None:
    assert len({d.name for d in DEFECTS}) >= 20


@pytest.mark.parametrize("title", [Q, M, S])
def test_each_missing_tab_is_named_in_the_configured_language(title: str) -> None:
    tabs = clean_tabs()
    del tabs[title]
    assert only(read(tabs)).tab == title
    spec = {Q: QUESTIONS, M: MEMBERS, S: SCHEDULE}[title]
    assert only(read(tabs, language="en")).tab == spec.en


@pytest.mark.parametrize(
    ("title", "header"),
    [(Q, "Câu hỏi"), (Q, "A"), (Q, "Đáp án"), (M, "Họ và tên"), (S, "Kỳ thi"), (S, "Mở lúc")],
)
def test_each_required_column_missing_leaves_its_tab_unread(title: str, header: str) -> None:
    tabs = clean_tabs()
    drop_column(title, header)(tabs)
    bank = read(tabs)
    assert (only(bank).tab, only(bank).row, only(bank).column) == (title, 1, header)
    assert rows_of(bank)[title] == set()


def test_missing_column_is_named_in_english_when_configured() -> None:
    tabs = clean_tabs()
    drop_column(S, "Mở lúc")(tabs)
    problem = only(read(tabs, language="en"))
    assert problem.column == "Opens at"
    assert problem.message.startswith('The header row (row 1) has no "Opens at" column')


@pytest.mark.parametrize("value", [-1, "1.5", "hai", True, "0"])
def test_points_that_are_not_positive_whole_numbers(value: Cell) -> None:
    tabs = clean_tabs()
    set_cell(tabs, Q, 4, "Điểm", value)
    assert only(read(tabs)).column == "Điểm"


@pytest.mark.parametrize("value", [4, 11, 7.5, "mười", 0])
def test_question_counts_outside_5_to_10(value: Cell) -> None:
    tabs = clean_tabs()
    set_cell(tabs, S, 3, "Số câu", value)
    assert only(read(tabs)).column == "Số câu"


@pytest.mark.parametrize("value", [0, 4, 601, -30, 12.5])
def test_seconds_outside_5_to_600(value: Cell) -> None:
    tabs = clean_tabs()
    set_cell(tabs, S, 3, "Giây mỗi câu", value)
    assert only(read(tabs)).column == "Giây mỗi câu"


@pytest.mark.parametrize("value", [5, 10, "7", 8.0])
def test_question_counts_inside_5_to_10(value: Cell) -> None:
    tabs = clean_tabs()
    set_cell(tabs, S, 3, "Số câu", value)
    bank = read(tabs)
    assert bank.problems == () and bank.rounds[1].question_count == int(float(value))


def test_a_midnight_datetime_cell_is_a_date_without_a_time() -> None:
    tabs = clean_tabs()
    set_cell(tabs, S, 3, "Mở lúc", datetime(2024, 4, 2))  # what Excel stores for "02/04/2024"
    problem = only(read(tabs))
    assert (problem.row, problem.column) == (3, "Mở lúc")
    assert "02/04/2024" in problem.message and "Hãy ghi cả giờ" in problem.message


@pytest.mark.parametrize("value", ["1 tháng 3", "a@b", "@example.vn", "an @example.vn",
                                   "an@example.", "an@@example.vn"])
def test_malformed_emails(value: str) -> None:
    tabs = clean_tabs()
    set_cell(tabs, M, 3, "Email", value)
    assert only(read(tabs)).column == "Email"


def test_a_member_row_with_only_a_note_asks_for_the_name() -> None:
    tabs = clean_tabs()
    tabs[M].append([None, None, "chuyển sinh hoạt"])
    problem = only(read(tabs))
    assert (problem.row, problem.column) == (5, "Họ và tên")


def test_a_row_with_several_defects_gets_a_problem_for_each() -> None:
    tabs = clean_tabs()
    set_cell(tabs, Q, 6, "B", None)
    set_cell(tabs, Q, 6, "Đáp án", "x")
    set_cell(tabs, Q, 6, "Điểm", -2)
    bank = read(tabs)
    assert [(p.row, p.column) for p in bank.problems] == [(6, "B"), (6, "Đáp án"), (6, "Điểm")]


def test_problems_are_in_english_when_configured() -> None:
    tabs = english(clean_tabs())
    set_cell(tabs, "Questions", 6, "Answer", "G")
    set_cell(tabs, "Schedule", 3, "Opens at", "31/02/2024 14:00")
    bank = read(tabs, language="en")
    answer, opens = bank.problems
    assert (answer.tab, answer.row, answer.column) == ("Questions", 6, "Answer")
    assert answer.message == ('The answer "G" is not an option (A–F). Write the letter of the '
                              "correct option, e.g. B or A, C.")
    assert (opens.tab, opens.row, opens.column) == ("Schedule", 3, "Opens at")
    assert opens.message.startswith('"31/02/2024 14:00" is not a real date and time')
    assert answer.describe("en") == "Questions, row 6, column Answer: " + answer.message


def test_us_date_order_for_a_sheet_in_the_us_locale() -> None:
    tabs = clean_tabs()
    set_cell(tabs, S, 2, "Mở lúc", "3/5/2024 14:00")
    bank = read(tabs, date_order="mdy")
    assert bank.rounds[0].opens_at == datetime(2024, 3, 5, 14, tzinfo=TZ)
    set_cell(tabs, S, 2, "Mở lúc", "13/5/2024 14:00")
    problem = only(read(tabs, date_order="mdy"))
    assert "tháng/ngày/năm" in problem.message and "03/05/2024 14:00" in problem.message


def test_clean_rows_are_never_named_in_problems() -> None:
    tabs = clean_tabs()
    bad = {Q: {3, 5}, M: {3}, S: {3}}
    set_cell(tabs, Q, 3, "Đáp án", "Z")
    set_cell(tabs, Q, 5, "Điểm", "nhiều")
    set_cell(tabs, M, 3, "Email", "lan at example.vn")
    set_cell(tabs, S, 3, "Trạng thái", "?")
    bank = read(tabs)
    named: dict[str, set[int]] = {}
    for problem in bank.problems:
        named.setdefault(problem.tab, set()).add(problem.row)  # type: ignore[arg-type]
    assert named == bad
    assert {q.row for q in bank.questions} == {2, 4, 6}
    assert {m.row for m in bank.members} == {2, 4}
    assert {r.row for r in bank.rounds} == {2}


def test_every_message_is_whole_plain_text() -> None:
    """No leftover {placeholder}, and each message ends as a sentence."""
    for language in ("vi", "en"):
        for defect in DEFECTS:
            tabs = clean_tabs()
            defect.make(tabs)
            for problem in read(tabs, quiz=defect.quiz, language=language).problems:
                assert "{" not in problem.message and "}" not in problem.message
                assert problem.message.endswith((".", ")")), problem.message
