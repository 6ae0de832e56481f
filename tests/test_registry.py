"""Reading the committee's registry: cells, joint rounds, joint questions, every problem.

Each defect kind has its own case (the ``DEFECTS`` table) naming the tab, row and
column and part of what the message tells the committee to do; the rest checks what
clean rows become, both languages, both backends, the spreadsheet links accepted
and refused, the cells' web paths, the service columns written back and the
``automation init`` template.
"""

from __future__ import annotations

import copy
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from automation.layout import CELLS, JOINT_SCHEDULE, QUESTIONS, TITLE_LIMIT_XLSX, Status
from automation.model import Problem
from automation.ports import CellWrite
from automation.registry import Registry, cell_path, read_registry, status_writes
from automation.registrytemplate import registry_template
from automation.text import Cell
from automation.workbook import LocalWorkbook
from tests.test_bank import QUESTION_HEADERS, QUIZ, TZ, Tabs, add_column, drop_column, set_cell

C, J, Q = "Chi bộ", "Lịch thi chung", "Câu hỏi"
CELL_HEADERS = ["Chi bộ", "Bảng tính", "Bật", "Trạng thái", "Kiểm tra lúc"]
JOINT_HEADERS = ["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu"]


def sheet_id(n: int) -> str:
    """A spreadsheet id shaped like Google's: 44 characters."""
    return f"1{n:03d}" + "AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-ab"


def link(n: int, ending: str = "/edit#gid=0") -> str:
    return f"https://docs.google.com/spreadsheets/d/{sheet_id(n)}{ending}"


def google_tabs() -> Tabs:
    """A clean Google registry: three cells (one off), two joint rounds, three questions."""
    return {
        C: [
            list(CELL_HEADERS),
            ["Chi bộ Trường Tiểu học Long Trị A1", link(1), None, "OK",
             datetime(2027, 2, 1, 8, 0)],
            ["Chi bộ Quân sự xã Long Trị A", sheet_id(2), "Bật"],
            ["Chi bộ Ấp 1", None, "Tắt"],
        ],
        J: [
            list(JOINT_HEADERS),
            ["2027-02-chung", "16/02/2027 19:30", 6, None],
            ["2027-03-chung", datetime(2027, 3, 16, 19, 30), None, 20],
        ],
        Q: [
            list(QUESTION_HEADERS),
            ["2027-02-chung", "Chỉ thị số 22 ban hành ngày nào?", "01-6-2022", "13-7-2022",
             None, None, "B"],
            [None, "Quy định số mấy về bộ tiêu chí đánh giá cán bộ?", 22, 1120, 5, None, "B"],
            [None, "Kết luận số 01 do cơ quan nào ban hành?", "Quốc hội", "Bộ Chính trị",
             None, None, "B"],
        ],
    }


def local_tabs() -> Tabs:
    tabs = google_tabs()
    tabs[C] = [
        list(CELL_HEADERS),
        ["Chi bộ Trường Tiểu học Long Trị A1", "chi-bo/long-tri-a1.xlsx"],
        ["Chi bộ Quân sự xã Long Trị A", "chi-bo\\quan-su.xlsx", "Bật"],
        ["Chi bộ Ấp 1", None, "Tắt"],
    ]
    return tabs


def read(tabs: Tabs, **kwargs: object) -> Registry:
    options: dict[str, object] = {"quiz": QUIZ, "tz": TZ, "backend": "google"}
    options.update(kwargs)
    return read_registry(tabs, **options)  # type: ignore[arg-type]


def only(registry: Registry) -> Problem:
    assert len(registry.problems) == 1, [p.describe() for p in registry.problems]
    return registry.problems[0]


# --- clean input ------------------------------------------------------------------------


def test_a_clean_google_registry_has_every_cell_round_and_question() -> None:
    registry = read(google_tabs())
    assert registry.problems == ()
    a1, army, hamlet = registry.cells
    assert (a1.row, a1.name, a1.location, a1.on) == (2, "Chi bộ Trường Tiểu học Long Trị A1",
                                                     sheet_id(1), True)
    assert (a1.status, a1.checked_at) == ("OK", datetime(2027, 2, 1, 8, 0))
    assert (army.location, army.on) == (sheet_id(2), True)
    assert (hamlet.location, hamlet.on) == ("", False)
    assert [c.name for c in registry.active] == [a1.name, army.name]
    assert registry.cell("chi bộ ấp 1") == hamlet


def test_joint_rounds_are_read_as_the_schedule_with_no_service_state() -> None:
    first, second = read(google_tabs()).rounds
    assert (first.row, first.round_id, first.opens_at) == (
        2, "2027-02-chung", datetime(2027, 2, 16, 19, 30, tzinfo=TZ))
    assert (first.question_count, first.seconds_per_question) == (6, 30)  # 30: the default
    assert (second.question_count, second.seconds_per_question) == (10, 20)
    assert (second.status, second.form_id, second.opened_at, second.note) == (
        Status.PENDING, "", None, "")


def test_a_status_written_in_the_joint_schedule_is_an_unknown_column_ignored() -> None:
    tabs = google_tabs()
    add_column(J, "Trạng thái", ["Đã xếp hạng", "gibberish"])(tabs)
    registry = read(tabs)
    assert registry.problems == ()
    assert [r.status for r in registry.rounds] == [Status.PENDING, Status.PENDING]


def test_joint_questions_are_read_as_a_cells_bank_with_the_joint_spelling() -> None:
    registry = read(google_tabs())
    assert [q.round_id for q in registry.questions] == ["2027-02-chung", None, None]
    assert registry.questions[0].answer == frozenset({"B"})


def test_a_local_registry_reads_workbook_paths_with_forward_slashes() -> None:
    registry = read(local_tabs(), backend="local")
    assert registry.problems == ()
    assert [c.location for c in registry.cells] == [
        "chi-bo/long-tri-a1.xlsx", "chi-bo/quan-su.xlsx", ""]


def test_places_say_where_every_column_is_for_the_service_to_write_back() -> None:
    tabs = google_tabs()
    tabs[C] = [[None, "Bảng tính", "Ghi chú riêng", "Chi bộ"], [None, link(1), "x", "A1"]]
    registry = read(tabs)
    place = registry.places[CELLS.key]
    assert (place.title, place.columns, place.width) == (C, {"spreadsheet": 2, "name": 4}, 4)
    assert set(registry.places) == {CELLS.key, JOINT_SCHEDULE.key, QUESTIONS.key}


def english(tabs: Tabs) -> Tabs:
    names = {C: "Cells", J: "Joint schedule", Q: "Questions"}
    headers = {"Chi bộ": "Cell", "Bảng tính": "Spreadsheet", "Bật": "On", "Trạng thái": "Status",
               "Kiểm tra lúc": "Checked at", "Kỳ thi": "Round", "Mở lúc": "Opens at",
               "Số câu": "Questions", "Giây mỗi câu": "Seconds per question",
               "Câu hỏi": "Question", "Đáp án": "Answer", "Điểm": "Points", "Nguồn": "Source",
               "Giải thích": "Explanation", "Đã dùng": "Used in"}
    out = {}
    for title, rows in tabs.items():
        header = [headers.get(h, h) if isinstance(h, str) else h for h in rows[0]]
        out[names[title]] = [header, *copy.deepcopy(rows[1:])]
    return out


def test_english_titles_headers_and_words_read_the_same() -> None:
    tabs = english(google_tabs())
    tabs["Cells"][2][2] = "On"
    tabs["Cells"][3][2] = "off"
    vi, en = read(google_tabs()), read(tabs, language="en")
    assert en.problems == ()
    assert [(c.name, c.location, c.on) for c in en.cells] == [
        (c.name, c.location, c.on) for c in vi.cells]
    assert en.rounds == vi.rounds and en.questions == vi.questions


def test_headers_match_after_trimming_nfc_and_case_folding() -> None:
    tabs = google_tabs()
    tabs[C][0] = [unicodedata.normalize("NFD", "  CHI BỘ "), "bảng  tính", "BẬT"]
    assert tabs[C][0][0] != "  CHI BỘ "  # typed with combining accents
    registry = read(tabs)
    assert registry.problems == ()
    assert len(registry.cells) == 3


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers() -> None:
    tabs = google_tabs()
    tabs[C].insert(2, [None, " ", None, "OK"])  # a service cell alone does not make a row
    registry = read(tabs)
    assert registry.problems == ()
    assert [c.row for c in registry.cells] == [2, 4, 5]


@pytest.mark.parametrize("value", [None, "", "Bật", "bật", "On", "ON", "bat", True])
def test_on_is_blank_or_the_word_on_or_a_ticked_box(value: Cell) -> None:
    tabs = google_tabs()
    set_cell(tabs, C, 2, "Bật", value)
    assert read(tabs).cells[0].on is True


@pytest.mark.parametrize("value", ["Tắt", "tắt", "TAT", "Off", "off", False])
def test_off_is_the_word_off_or_an_unticked_box(value: Cell) -> None:
    tabs = google_tabs()
    set_cell(tabs, C, 2, "Bật", value)
    registry = read(tabs)
    assert registry.problems == ()
    assert registry.cells[0].on is False


# --- spreadsheet links ------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    link(7),
    link(7, "/edit"),
    link(7, ""),
    link(7, "/"),
    link(7, "/edit?usp=sharing"),
    link(7, "/edit?gid=123#gid=123"),
    link(7, "/htmlview"),
    f"http://docs.google.com/spreadsheets/d/{sheet_id(7)}/edit",
    f"docs.google.com/spreadsheets/d/{sheet_id(7)}/edit",
    f"https://docs.google.com/spreadsheets/u/1/d/{sheet_id(7)}/edit#gid=0",
    f"  {sheet_id(7)}  ",
])
def test_a_google_sheet_link_or_a_bare_id_gives_the_id(written: str) -> None:
    tabs = google_tabs()
    set_cell(tabs, C, 2, "Bảng tính", written)
    registry = read(tabs)
    assert registry.problems == ()
    assert registry.cells[0].location == sheet_id(7)


@pytest.mark.parametrize(("written", "says"), [
    (f"https://docs.google.com/document/d/{sheet_id(7)}/edit", "tài liệu Google Docs"),
    (f"https://docs.google.com/forms/d/{sheet_id(7)}/edit", "biểu mẫu Google Forms"),
    (f"https://docs.google.com/presentation/d/{sheet_id(7)}/edit", "Google Slides"),
    (f"https://drive.google.com/file/d/{sheet_id(7)}/view", "Lưu dưới dạng Google Trang tính"),
    (f"https://drive.google.com/open?id={sheet_id(7)}", "Lưu dưới dạng Google Trang tính"),
    ("https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOpQrStUvWx", "thư mục Google Drive"),
    ("https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnop/pubhtml",
     "công bố lên web"),
    ("https://docs.google.com/spreadsheets/d/1AbCdEf/edit", "bị cắt khi chép"),
    ("https://example.com/bang-tinh", "không phải đường link hay mã của một bảng tính Google"),
    ("bảng tính chi bộ", "không phải đường link hay mã của một bảng tính Google"),
    ("chi-bo/a1.xlsx", 'backend = "google"'),
])
def test_a_link_that_is_not_a_google_sheet_says_what_to_paste(written: str, says: str) -> None:
    tabs = google_tabs()
    set_cell(tabs, C, 2, "Bảng tính", written)
    registry = read(tabs)
    problem = only(registry)
    assert (problem.tab, problem.row, problem.column) == (C, 2, "Bảng tính")
    assert says in problem.message
    assert [c.row for c in registry.cells] == [3, 4]


@pytest.mark.parametrize(("written", "says"), [
    (link(7), 'backend = "local"'),
    ("www.example.com/a.xlsx", 'backend = "local"'),
    ("chi-bo/a1.xls", "không phải tệp .xlsx"),
    ("chi-bo/a1", "không phải tệp .xlsx"),
    ("chi-bo/.xlsx", "không phải tệp .xlsx"),
    ("chi-bo/a1?.xlsx", "có ký tự ?"),
    ("chi-bo/a:1.xlsx", "có ký tự :"),
])
def test_a_local_path_that_is_not_a_workbook_says_what_to_write(written: str, says: str) -> None:
    tabs = local_tabs()
    set_cell(tabs, C, 2, "Bảng tính", written)
    problem = only(read(tabs, backend="local"))
    assert (problem.tab, problem.row, problem.column) == (C, 2, "Bảng tính")
    assert says in problem.message
    assert "chi-bo/chi-bo-truong-tieu-hoc-long-tri-a1.xlsx" in problem.message


@pytest.mark.parametrize("written", ["C:\\chi bo\\A1.xlsx", "/srv/chi-bo/a1.XLSX", "../a1.xlsx"])
def test_absolute_and_windows_paths_are_workbook_paths(written: str) -> None:
    tabs = local_tabs()
    set_cell(tabs, C, 2, "Bảng tính", written)
    registry = read(tabs, backend="local")
    assert registry.problems == ()
    assert registry.cells[0].location == written.replace("\\", "/")


# --- one case per defect kind -------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    name: str
    cells: tuple[tuple[str, int, str, Cell], ...]  # (tab, row, header, value) to set
    where: tuple[str, int | None, str | None]
    says: str
    backend: str = "google"
    itself: str = ""


DEFECTS = [
    Defect("name blank", ((C, 3, "Chi bộ", None),), (C, 3, "Chi bộ"), "Hãy ghi tên chi bộ"),
    Defect("name twice after normalisation", ((C, 3, "Chi bộ", " chi bộ ấp  1"),),
           (C, 4, "Chi bộ"), "trùng với chi bộ ở dòng 3"),
    Defect("name gives no web path", ((C, 3, "Chi bộ", "★ ★"),), (C, 3, "Chi bộ"),
           "tên cần có ít nhất một chữ cái"),
    Defect("name gives the form's own path", ((C, 3, "Chi bộ", "F"),), (C, 3, "Chi bộ"),
           "trang làm bài đã dùng vào việc khác"),
    Defect("two names give one path", ((C, 4, "Chi bộ", "Chi bo Quan su xa Long Tri A"),),
           (C, 4, "Chi bộ"), 'với chi bộ "Chi bộ Quân sự xã Long Trị A" ở dòng 3'),
    Defect("on word unknown", ((C, 3, "Bật", "có lẽ"),), (C, 3, "Bật"),
           "ghi Tắt để tắt chi bộ này"),
    Defect("spreadsheet blank for a cell that is on", ((C, 3, "Bảng tính", None),),
           (C, 3, "Bảng tính"), "Nếu chi bộ chưa tham gia, ghi Tắt ở cột Bật"),
    Defect("spreadsheet blank, local", ((C, 3, "Bảng tính", None),), (C, 3, "Bảng tính"),
           "ví dụ chi-bo/chi-bo-quan-su-xa-long-tri-a.xlsx", backend="local"),
    Defect("same spreadsheet twice", ((C, 3, "Bảng tính", link(1, "/edit?usp=sharing")),),
           (C, 3, "Bảng tính"), 'đã ghi cho chi bộ "Chi bộ Trường Tiểu học Long Trị A1"'),
    Defect("same workbook twice", ((C, 3, "Bảng tính", "./chi-bo/LONG-TRI-A1.xlsx"),),
           (C, 3, "Bảng tính"), "ở dòng 2", backend="local"),
    Defect("an off cell's link is still checked",
           ((C, 4, "Bảng tính", "https://docs.google.com/document/d/1x/edit"),),
           (C, 4, "Bảng tính"), "không phải bảng tính Google"),
    Defect("the registry itself listed", ((C, 3, "Bảng tính", link(99)),), (C, 3, "Bảng tính"),
           "chính bảng tính đăng ký", itself=sheet_id(99)),
    Defect("formula error", ((C, 2, "Bảng tính", "#REF!"),), (C, 2, "Bảng tính"),
           "Hãy sửa công thức"),
    Defect("joint round id blank", ((J, 3, "Kỳ thi", None),), (J, 3, "Kỳ thi"),
           "Hãy ghi mã kỳ thi"),
    Defect("joint round twice", ((J, 3, "Kỳ thi", "2027-02-CHUNG"),), (J, 3, "Kỳ thi"),
           "đã có ở dòng 2"),
    Defect("joint round id with a forbidden character", ((J, 3, "Kỳ thi", "2027/03"),),
           (J, 3, "Kỳ thi"), 'không đặt được tên trang "Kết quả chung 2027/03"'),
    Defect("joint opening blank", ((J, 3, "Mở lúc", None),), (J, 3, "Mở lúc"),
           "Hãy ghi ngày và giờ mở"),
    Defect("joint opening unreadable", ((J, 3, "Mở lúc", "tối thứ Ba"),), (J, 3, "Mở lúc"),
           "Hãy ghi theo dạng ngày/tháng/năm giờ:phút"),
    Defect("joint question count out of range", ((J, 3, "Số câu", 4),), (J, 3, "Số câu"),
           "phải là số nguyên từ 5 đến 10"),
    Defect("question of an unknown joint round", ((Q, 3, "Kỳ thi", "2027-04"),),
           (Q, 3, "Kỳ thi"), 'không có trong trang "Lịch thi chung"'),
    Defect("question answer blank", ((Q, 4, "Đáp án", None),), (Q, 4, "Đáp án"),
           "Hãy ghi chữ cái của phương án đúng"),
]


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect_is_reported_where_it_is_with_what_to_do(defect: Defect) -> None:
    tabs = local_tabs() if defect.backend == "local" else google_tabs()
    clean = read(tabs, backend=defect.backend)
    for tab, row, header, value in defect.cells:
        set_cell(tabs, tab, row, header, value)
    registry = read(tabs, backend=defect.backend, itself=defect.itself)
    problem = only(registry)
    assert (problem.tab, problem.row, problem.column) == defect.where
    assert defect.says in problem.message
    tab, row, _ = defect.where
    kept = {C: lambda r: {c.row for c in r.cells}, J: lambda r: {x.row for x in r.rounds},
            Q: lambda r: {q.row for q in r.questions}}[tab]
    assert kept(registry) == kept(clean) - {row}  # the defective row alone is left out


def test_there_are_at_least_twenty_defect_kinds() -> None:
    assert len({d.name for d in DEFECTS}) >= 20


def test_a_joint_round_id_must_leave_room_for_the_joint_results_tab() -> None:
    # 31 characters in an .xlsx: "Kết quả chung " takes 14, so 17 are left; a cell's own
    # round could be 21 long ("Responses " takes 10).
    tabs = google_tabs()
    set_cell(tabs, J, 3, "Kỳ thi", "x" * 17)
    assert read(tabs, title_limit=TITLE_LIMIT_XLSX).problems == ()
    set_cell(tabs, J, 3, "Kỳ thi", "x" * 18)
    problem = only(read(tabs, title_limit=TITLE_LIMIT_XLSX))
    assert (problem.tab, problem.row, problem.column) == (J, 3, "Kỳ thi")
    assert problem.message == (
        f'Mã kỳ thi "{"x" * 18}" dài 18 ký tự: tên trang "Kết quả chung {"x" * 18}" sẽ quá 31 '
        "ký tự mà bảng tính cho phép. Hãy rút mã kỳ thi xuống tối đa 17 ký tự, ví dụ 2024-03.")
    english_ = only(read(english(tabs), language="en", title_limit=TITLE_LIMIT_XLSX))
    assert f'the tab "Joint results {"x" * 18}" would pass the 31 characters' in english_.message


@pytest.mark.parametrize(("title", "language"), [("Chi bộ", "vi"), ("Cells", "en")])
def test_a_missing_cells_tab_is_named_in_the_configured_language(title: str,
                                                                 language: str) -> None:
    tabs = google_tabs()
    del tabs[C]
    problem = only(read(tabs, language=language))
    assert (problem.tab, problem.row) == (title, None)
    assert read(tabs).cells == ()


def test_without_a_joint_schedule_there_are_no_joint_rounds_and_no_problem() -> None:
    tabs = google_tabs()
    del tabs[J], tabs[Q]
    registry = read(tabs)
    assert (registry.problems, registry.rounds, registry.questions) == ((), (), ())
    assert len(registry.cells) == 3


def test_joint_rounds_without_questions_name_the_missing_questions_tab() -> None:
    tabs = google_tabs()
    del tabs[Q]
    problem = only(read(tabs))
    assert (problem.tab, problem.row, problem.column) == ("Câu hỏi", None, None)
    assert "Hãy tạo trang này" in problem.message


@pytest.mark.parametrize(("tab", "header"), [(C, "Chi bộ"), (C, "Bảng tính"), (J, "Kỳ thi"),
                                             (J, "Mở lúc")])
def test_a_required_column_missing_leaves_its_tab_unread(tab: str, header: str) -> None:
    tabs = google_tabs()
    drop_column(tab, header)(tabs)
    registry = read(tabs)
    problems = [p for p in registry.problems if p.tab == tab]
    assert [(p.row, p.column) for p in problems] == [(1, header)]
    assert (registry.cells if tab == C else registry.rounds) == ()


def test_without_the_on_column_every_cell_is_on() -> None:
    tabs = local_tabs()
    drop_column(C, "Bật")(tabs)
    set_cell(tabs, C, 4, "Bảng tính", "ap-1.xlsx")
    registry = read(tabs, backend="local")
    assert registry.problems == ()
    assert [c.on for c in registry.cells] == [True, True, True]


def test_problems_are_in_english_when_configured() -> None:
    tabs = english(google_tabs())
    set_cell(tabs, "Cells", 3, "Spreadsheet", None)
    problem = only(read(tabs, language="en"))
    assert (problem.tab, problem.row, problem.column) == ("Cells", 3, "Spreadsheet")
    assert problem.message.startswith("The cell's spreadsheet is blank. Paste the link")
    assert "write Off in the On column" in problem.message


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend"):
        read(google_tabs(), backend="excel")


# --- the cells' web paths ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "path"), [
    ("Chi bộ Trường Tiểu học Long Trị A1", "chi-bo-truong-tieu-hoc-long-tri-a1"),
    ("CHI BỘ QUÂN SỰ XÃ LONG TRỊ A", "chi-bo-quan-su-xa-long-tri-a"),
    ("Đảng ủy — Đội 3 (ấp Đông)", "dang-uy-doi-3-ap-dong"),
    ("Chi bo\u0323\u0302 a\u0300p 1", "chi-bo-ap-1"),  # typed with combining accents
    ("  ...Tổ 5/6...  ", "to-5-6"),
    ("中文", ""),
])
def test_a_cell_path_drops_accents_and_joins_words_with_hyphens(name: str, path: str) -> None:
    assert cell_path(name) == path


def test_each_cell_carries_its_path() -> None:
    assert [c.path for c in read(google_tabs()).cells] == [
        "chi-bo-truong-tieu-hoc-long-tri-a1", "chi-bo-quan-su-xa-long-tri-a", "chi-bo-ap-1"]


# --- the service columns ----------------------------------------------------------------


def test_status_writes_say_ok_or_the_problem_and_only_what_changes() -> None:
    tabs = google_tabs()
    set_cell(tabs, C, 4, "Bật", "có lẽ")
    registry = read(tabs)
    checked = datetime(2027, 2, 16, 12, 0, tzinfo=TZ)
    writes = status_writes(registry, {"Chi bộ Trường Tiểu học Long Trị A1": "OK",
                                      "chi bộ quân sự xã long trị a": "OK"}, checked_at=checked,
                           tz=TZ)
    problem = only(registry)
    assert writes == [
        # row 2 already says OK: only its time
        CellWrite(C, 2, 5, checked),
        CellWrite(C, 3, 4, "OK"), CellWrite(C, 3, 5, checked),
        CellWrite(C, 4, 4, f"Bật: {problem.message}"), CellWrite(C, 4, 5, checked),
    ]
    assert status_writes(registry, {"Chi bộ Trường Tiểu học Long Trị A1": "OK"}) == [
        CellWrite(C, 4, 4, f"Bật: {problem.message}")]


def test_missing_service_columns_get_their_headers_at_the_end() -> None:
    tabs = google_tabs()
    drop_column(C, "Kiểm tra lúc")(tabs)
    drop_column(C, "Trạng thái")(tabs)
    tabs[C][0].append("Ghi chú riêng")
    registry = read(tabs)
    writes = status_writes(registry, {"Chi bộ Ấp 1": "Tắt"},
                           checked_at=datetime(2027, 2, 16, 5, 0, tzinfo=TZ), language="en")
    assert writes == [
        CellWrite(C, 1, 5, "Status"), CellWrite(C, 4, 5, "Tắt"),
        CellWrite(C, 1, 6, "Checked at"),
        CellWrite(C, 4, 6, datetime(2027, 2, 16, 5, 0, tzinfo=TZ)),
    ]


def test_a_status_too_long_for_a_glance_is_cut() -> None:
    registry = read(google_tabs())
    writes = status_writes(registry, {"Chi bộ Ấp 1": "x" * 1000})
    assert [len(str(w.value)) for w in writes] == [450]


# --- the template -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("backend", ["local", "google"])
def test_the_template_reads_back_with_no_problem(language: str, backend: str,
                                                 tmp_path: Path) -> None:
    book = LocalWorkbook(tmp_path / "registry.xlsx", language=language)
    tabs = registry_template(language, backend=backend)
    assert book.add_tabs(tabs) == [t.title for t in tabs]
    read_back = book.read(book.tab_titles())
    registry = read(read_back, language=language, backend=backend,
                    title_limit=TITLE_LIMIT_XLSX)
    assert registry.problems == ()
    assert len(registry.cells) == 3
    assert [c.on for c in registry.cells] == [backend == "local"] * 3
    (joint,) = registry.rounds
    assert joint.round_id == ("2027-02-joint" if language == "en" else "2027-02-chung")
    assert joint.opens_at == datetime(2027, 2, 16, 19, 30, tzinfo=TZ)
    assert len(registry.questions) >= joint.question_count
    assert sum(q.round_id == joint.round_id for q in registry.questions) == 2
    assert book.add_tabs(registry_template(language, backend=backend)) == []  # never again


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_template_header_carries_a_note(language: str) -> None:
    for tab in registry_template(language):
        header = tab.rows[0]
        assert {c for (r, c) in tab.notes if r == 1} == set(range(1, len(header) + 1)), tab.title
    cells = registry_template(language)[0]
    assert "/chi-bo-ap-1/" in cells.notes[(1, 1)]
    joint_note = registry_template(language)[2].notes[(1, 1)]
    assert ("Lịch thi chung" if language == "vi" else "Joint schedule") in joint_note


def test_the_template_uses_the_articles_cells() -> None:
    names = [row[0] for row in registry_template("vi")[0].rows[1:]]
    assert names[:2] == ["Chi bộ Trường Tiểu học Long Trị A1", "Chi bộ Quân sự xã Long Trị A"]
