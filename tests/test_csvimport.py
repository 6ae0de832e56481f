"""Reading Google Forms response exports (CSV, vi and en locale) into responses."""

from __future__ import annotations

import csv
import io
import string
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from automation.csvimport import (
    ExportError,
    parse_score,
    parse_timestamp,
    read_export,
    split_choices,
)
from automation.model import Question
from automation.ports import FormResponse, InputError
from automation.text import clean, normalize

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

Q1 = Question(
    2, "Chỉ thị số 22 của Tỉnh ủy Hậu Giang được ban hành ngày nào?",
    ("13-7-2022", "01-6-2022", "05-3-2023", "22-12-2021"), frozenset("A"),
)
Q2 = Question(
    3, "Quy định số 1120 của Ban Chấp hành Đảng bộ tỉnh quy định về nội dung gì?",
    (
        "Bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức, người lao động",
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Xây dựng đội ngũ cán bộ có bản lĩnh chính trị vững vàng",
    ),
    frozenset("A"),
)
Q3 = Question(
    4, "Mô hình “Khắc sâu tư tưởng của đảng viên” tìm hiểu những văn bản nào?",
    (
        "Chỉ thị số 22, ngày 13-7-2022",
        "Kết luận số 01 của Bộ Chính trị",
        "Quy định số 1120, ngày 01-6-2022",
        "Nghị quyết số 99",
    ),
    frozenset("ABC"),
)
Q4 = Question(
    5, "Thời gian bình quân cho mỗi câu trả lời trực tuyến là bao nhiêu giây?",
    ("30", "60", "15", "45"), frozenset("A"),
)
Q5 = Question(
    6, "Số điểm tối đa của mỗi kỳ thi là bao nhiêu?", ("10", "100", "5", "20"), frozenset("A"),
)
BANK = (Q1, Q2, Q3, Q4, Q5)
VI_HEAD = "Dấu thời gian,Điểm,Họ và tên"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2023, 3, day, hour, minute, second, tzinfo=TZ)


def export(rows: list[list[str]], *, newline: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def read(text: str, **options: object) -> list:
    options.setdefault("questions", BANK)
    options.setdefault("tz", TZ)
    return read_export(text, **options)  # type: ignore[arg-type]


def problems_of(text: str, **options: object) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ExportError) as caught:
        read(text, **options)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


# --- whole exports -------------------------------------------------------------


def test_vietnamese_export_reads_every_response_with_score_and_answers() -> None:
    text = (DATA / "export-vi.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text

    got = read(text, file_name="export-vi.csv")

    assert [r.response.respondent for r in got] == [
        "Lê Quang Qui", "Nguyễn Thị Hồng", "Trần Văn Bình", "Phạm Thị Dung",
    ]
    assert all(unicodedata.is_normalized("NFC", r.response.respondent) for r in got)
    assert [r.response.submitted_at for r in got] == [
        at(13, 9, 5, 12), at(13, 9, 6, 40), at(13, 9, 7, 5), at(13, 10, 15),
    ]
    assert [r.score for r in got] == [10.0, 6.0, 2.0, None]
    assert [r.response.response_id for r in got] == ["csv-2", "csv-3", "csv-4", "csv-5"]
    qui, hong, binh, dung = (r.response for r in got)
    assert qui.answers == {
        Q1.text: ("13-7-2022",),
        Q2.text: (Q2.options[0],),
        Q3.text: Q3.options[:3],
        Q4.text: ("30",),
        Q5.text: ("10",),
    }
    # NFD header and NFD option text still land on the bank's question and spelling.
    assert hong.answers[Q2.text] == (Q2.options[1],)
    assert hong.answers[Q3.text] == (Q3.options[0], Q3.options[3])
    # Text that is no option is kept as written, commas and all.
    assert binh.answers[Q5.text] == ("Không nhớ, chắc là 10",)
    assert dung.answers == {q.text: () for q in BANK}


def test_regrading_the_vietnamese_export_agrees_with_the_forms_own_score() -> None:
    """The seam with ranking: option texts read here map to the letters of the answer key."""
    from automation.ranking import grade, to_submission

    got = read((DATA / "export-vi.csv").read_text(encoding="utf-8"))

    regraded = [grade(BANK, to_submission(r.response, BANK).answers)[0] for r in got]
    assert regraded == [10.0, 6.0, 2.0, 0.0]
    assert [r.score for r in got[:3]] == regraded[:3]


def test_english_export_reads_month_first_and_ignores_grading_columns() -> None:
    text = (DATA / "export-en.csv").read_text(encoding="utf-8")

    got = read(text, date_order="mdy", language="en")

    assert [r.response.submitted_at for r in got] == [at(13, 9, 5, 12), at(13, 13, 6, 40)]
    assert [r.score for r in got] == [10.0, 5.0]
    hong = got[1].response
    assert set(hong.answers) == {q.text for q in BANK}
    assert hong.answers[Q1.text] == ("22-12-2021",)
    assert hong.answers[Q3.text] == (Q3.options[2], Q3.options[0])
    assert hong.answers[Q5.text] == ("100",)


def test_without_score_column_every_score_is_none() -> None:
    text = export([
        ["Dấu thời gian", "Họ và tên", Q1.text, Q4.text],
        ["13/03/2023 9:05:12", "Lê Quang Qui", "13-7-2022", "30"],
        ["13/03/2023 9:05:30", "Trần Văn Bình", "01-6-2022", "60"],
    ])

    got = read(text)

    assert [r.score for r in got] == [None, None]
    assert got[1].response.answers == {Q1.text: ("01-6-2022",), Q4.text: ("60",)}


def test_header_only_export_has_no_responses() -> None:
    assert read(VI_HEAD + "," + Q1.text + "\r\n") == []


# --- cells ---------------------------------------------------------------------


def test_checkbox_cells_split_by_known_options_longest_first() -> None:
    question = Question(
        2, "Chọn các ý đúng", ("a, b", "a", "b", "c, d, e", "Hồ Chí Minh"), frozenset("AD"),
    )
    cells = [
        "a, b",  # the longer option, not "a" and "b"
        "a, b, c, d, e",
        "c, d, e, a",
        "a, hồ  chí minh",  # matched after normalising case and spaces
        "a, ý khác, có dấu phẩy, b",  # stray text between options is one answer
        "  ",
    ]
    rows = [["Dấu thời gian", "Họ và tên", question.text]]
    rows += [[f"13/03/2023 9:0{i}:00", f"Người {i}", cell] for i, cell in enumerate(cells)]

    got = [r.response.answers[question.text] for r in read(export(rows), questions=[question])]

    assert got == [
        ("a, b",),
        ("a, b", "c, d, e"),
        ("c, d, e", "a"),
        ("a", "Hồ Chí Minh"),
        ("a", "ý khác, có dấu phẩy", "b"),
        (),
    ]


def test_a_cell_with_thousands_of_commas_is_split_by_the_known_options() -> None:
    """A hostile or broken cell: 3,000 commas (it once took 181 s, holding the tick's lock)."""
    options = {normalize(o): o for o in Q3.options}
    strays = ["x"] * 2_998
    cell = ", ".join([Q3.options[0], *strays, Q3.options[2], ""])
    assert cell.count(",") >= 3_000

    got = split_choices(cell, options)

    # The known options by the bank's text; what spells none is one answer, as written.
    assert got == (Q3.options[0], ", ".join(strays), Q3.options[2])


def _split_by_every_run(cell: str, options: dict[str, str]) -> tuple[str, ...]:
    """The rule spelt out: at each piece, the longest run of pieces that is an option."""
    whole = normalize(cell)
    if not whole:
        return ()
    if whole in options:
        return (options[whole],)
    pieces, chosen, stray, i = cell.split(","), [], [], 0
    while i < len(pieces):
        for j in range(len(pieces), i, -1):
            if normalize(",".join(pieces[i:j])) in options:
                if clean(",".join(stray)):
                    chosen.append(clean(",".join(stray)))
                stray = []
                chosen.append(options[normalize(",".join(pieces[i:j]))])
                i = j
                break
        else:
            stray.append(pieces[i])
            i += 1
    if clean(",".join(stray)):
        chosen.append(clean(",".join(stray)))
    return tuple(dict.fromkeys(chosen))


_bits = st.sampled_from(["a", "b", " a", "c d", "", " ", "A"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_bits, min_size=1, max_size=3).map(",".join), min_size=1, max_size=5),
    st.lists(st.lists(_bits, min_size=1, max_size=3).map(",".join), max_size=8),
)
def test_splitting_a_cell_follows_the_longest_known_option_rule(
    option_texts: list[str], parts: list[str]
) -> None:
    options = {normalize(o): o for o in option_texts if normalize(o)}
    cell = ",".join(parts)
    assert split_choices(cell, options) == _split_by_every_run(cell, options)


def test_bom_crlf_and_quoted_newlines_in_header_and_cells() -> None:
    title_typed_on_two_lines = Q1.text.replace(" ban hành", "\nban hành")
    text = "\ufeff" + export([
        ["Dấu thời gian", "Họ và tên", title_typed_on_two_lines, Q5.text],
        ["13/03/2023 9:05:12", "Lê Quang\nQui", "13-7-2022", "mười\r\nđiểm"],
        ["13/03/2023 9:06:00", "Trần Văn Bình", "01-6-2022", "10"],
    ])

    got = read(text)

    assert got[0].response.respondent == "Lê Quang Qui"
    assert got[0].response.answers == {Q1.text: ("13-7-2022",), Q5.text: ("mười điểm",)}
    # Line numbers count records as a spreadsheet shows them, not physical lines.
    assert [r.response.response_id for r in got] == ["csv-2", "csv-3"]


def test_unicode_forms_match_whatever_the_export_uses() -> None:
    bank_nfd = [Question(2, nfd(Q2.text), tuple(nfd(o) for o in Q2.options), frozenset("A"))]
    text = export([
        [nfd("Dấu thời gian"), nfd("Họ và tên"), Q2.text.upper()],
        ["13/03/2023 9:05:12", nfd("Nguyễn Thị Hồng"), Q2.options[2]],
    ])

    (got,) = read(text, questions=bank_nfd)

    assert got.response.respondent == "Nguyễn Thị Hồng"
    assert got.response.answers == {bank_nfd[0].text: (bank_nfd[0].options[2],)}


def test_identity_email_prefers_the_email_column_and_falls_back_to_the_name() -> None:
    text = export([
        ["Dấu thời gian", "Địa chỉ email", "Điểm", "Họ và tên", Q1.text],
        ["13/03/2023 9:05:12", "qui.lq@longtria1.edu.vn", "1 / 1", "Lê Quang Qui", "13-7-2022"],
        ["13/03/2023 9:05:13", "", "0 / 1", "Trần Văn Bình", "01-6-2022"],
    ])

    assert [r.response.respondent for r in read(text, identity="email")] == [
        "qui.lq@longtria1.edu.vn", "Trần Văn Bình",
    ]
    assert [r.response.respondent for r in read(text)] == ["Lê Quang Qui", "Trần Văn Bình"]


def test_loosely_titled_name_question_and_numbered_question_titles() -> None:
    text = export([
        ["Timestamp", "Email Address", "Họ tên đồng chí", f"Câu 1: {Q1.text}", f"2. {Q4.text}"],
        ["3/13/2023 9:05:12", "", "Lê Quang Qui", "13-7-2022", "30"],
    ])

    (got,) = read(text, date_order="mdy")

    assert got.response.respondent == "Lê Quang Qui"
    assert got.response.answers == {Q1.text: ("13-7-2022",), Q4.text: ("30",)}


def test_semicolon_separated_file_resaved_by_a_spreadsheet_program() -> None:
    text = "Dấu thời gian;Họ và tên;" + Q4.text + "\r\n13/03/2023 9:05:12;Lê Quang Qui;30\r\n"

    (got,) = read(text)

    assert got.response.answers == {Q4.text: ("30",)}


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_re_saved_export_whose_headers_hold_commas_is_still_read(delimiter: str) -> None:
    """Excel in a vi/fr locale saves with semicolons (or tabs); question texts have commas."""
    dated = Question(2, "Quy định số 1120, ngày 01-6-2022, quy định về nội dung gì?",
                     Q2.options, frozenset("A"))
    rows = [
        ["Dấu thời gian", "Điểm", "Họ và tên", dated.text, Q3.text],
        ["13/03/2023 9:05:12", "2 / 2", "Lê Quang Qui", Q2.options[0],
         ", ".join(Q3.options[:3])],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    assert "," in buffer.getvalue().splitlines()[0]  # the header line itself has commas

    (got,) = read(buffer.getvalue(), questions=[dated, Q3])

    assert got.response.respondent == "Lê Quang Qui"
    assert got.score == 10.0
    assert got.response.answers == {dated.text: (Q2.options[0],), Q3.text: Q3.options[:3]}


def test_a_comma_export_whose_question_has_a_semicolon_stays_comma_separated() -> None:
    question = Question(2, "Chọn đúng; sai?", ("Đúng; chắc chắn", "Sai"), frozenset("A"))
    text = export([
        ["Dấu thời gian", "Họ và tên", question.text],
        ["13/03/2023 9:05:12", "Lê Quang Qui", "Đúng; chắc chắn"],
    ])

    (got,) = read(text, questions=[question])

    assert got.response.answers == {question.text: ("Đúng; chắc chắn",)}


def test_a_header_without_timestamp_is_reported_whatever_the_separator() -> None:
    text = "Họ và tên;" + Q4.text + "\r\nLê Quang Qui;30\r\n"

    ((row, column, message),) = problems_of(text)

    assert (row, column) == (1, None)
    assert message.startswith("Thiếu cột “Dấu thời gian” (Timestamp)")


# --- dates and scores ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("13/03/2023 9:05:12", "dmy", at(13, 9, 5, 12)),
        ("03/04/2023 09:05", "dmy", datetime(2023, 4, 3, 9, 5, tzinfo=TZ)),
        ("3/13/2023 9:05:12", "mdy", at(13, 9, 5, 12)),
        ("3/13/2023 9:05:12 PM", "mdy", at(13, 21, 5, 12)),
        ("13/03/2023 12:05:12 SA", "dmy", at(13, 0, 5, 12)),
        ("2023-03-13 09:05:12", "dmy", at(13, 9, 5, 12)),
        ("2023-03-13T02:05:12Z", "mdy", at(13, 9, 5, 12)),
        ("2023/03/13 9:05:12 AM GMT+7", "mdy", at(13, 9, 5, 12)),
        ("2023/03/13 8:35:12 AM GMT+5:30", "dmy", at(13, 10, 5, 12)),
        ("2023/03/13 2:05:12 AM GMT", "dmy", at(13, 9, 5, 12)),
        ("13.03.2023 9:05:12,250", "dmy", at(13, 9, 5, 12) + timedelta(milliseconds=250)),
        ("13/03/2023 09:05:12", "%d/%m/%Y %H:%M:%S", at(13, 9, 5, 12)),
        ("2023-03-13 09:05 +0000", "%Y-%m-%d %H:%M %z", at(13, 16, 5)),
    ],
)
def test_timestamps_as_each_locale_writes_them(value: str, order: str, expected: datetime) -> None:
    got = parse_timestamp(value, TZ, order)
    assert got == expected
    assert got.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    ("value", "order"),
    [
        ("3/13/2023 9:05:12", "dmy"),  # month 13
        ("13/03/2023 9:05:12", "mdy"),
        ("31/02/2023 9:05:12", "dmy"),
        ("13/03/2023 25:05:12", "dmy"),
        ("13/03/2023 13:05:12 PM", "dmy"),
        ("13/03/2023", "dmy"),  # no time
        ("hôm qua", "dmy"),
        ("13/03/2023 9:05:12", "%m/%d/%Y %H:%M:%S"),
    ],
)
def test_impossible_or_foreign_timestamps_are_rejected(value: str, order: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(value, TZ, order)


def test_date_format_option_accepts_orders_spelled_out_and_strptime_formats() -> None:
    rows = [["Dấu thời gian", "Họ và tên", Q4.text], ["03.13.2023 09-05-12", "Lê Quang Qui", "30"]]

    (got,) = read(export(rows), date_order="%m.%d.%Y %H-%M-%S")
    assert got.response.submitted_at == at(13, 9, 5, 12)

    rows[1][0] = "3/13/2023 9:05:12"
    assert read(export(rows), date_order="mm/dd/yyyy")[0].response.submitted_at == at(13, 9, 5, 12)


def test_an_unusable_date_format_is_an_input_error_saying_what_to_give() -> None:
    with pytest.raises(InputError, match="dmy"):
        read(VI_HEAD + "\r\n", date_order="tháng trước")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("8 / 10", 8.0), ("7 / 14", 5.0), ("2/3", 6.67), ("8,5 / 10", 8.5), ("0 / 5", 0.0)],
)
def test_scores_are_normalised_to_ten_by_their_own_denominator(value: str, expected: float) -> None:
    assert parse_score(value) == expected


@pytest.mark.parametrize("value", ["8", "tám / 10", "5 / 0", "11 / 10", "-1 / 10"])
def test_unreadable_scores_are_rejected(value: str) -> None:
    with pytest.raises(ValueError):
        parse_score(value)


# --- problems ----------------------------------------------------------------------


def test_unreadable_timestamp_names_file_line_and_column_and_the_other_order() -> None:
    text = export([
        ["Dấu thời gian", "Họ và tên", Q1.text],
        ["13/03/2023 9:05:12", "Lê Quang\nQui", "13-7-2022"],  # one record, two lines
        ["3/13/2023 9:06:00", "Trần Văn Bình", "13-7-2022"],
    ])

    with pytest.raises(ExportError) as caught:
        read(text, file_name="ket-qua.csv")

    message = str(caught.value)
    assert message.startswith("Tệp ket-qua.csv có 1 lỗi cần sửa:")
    assert "dòng 3, cột Dấu thời gian" in message
    assert "“3/13/2023 9:06:00”" in message
    assert "--date-format mdy" in message
    (problem,) = caught.value.problems
    assert (problem.tab, problem.row, problem.column) == ("ket-qua.csv", 3, "Dấu thời gian")


def test_english_messages_when_language_is_en() -> None:
    text = export([["Timestamp", "Name", Q1.text], ["13/3/2023 9:05:12", "Lê Quang Qui", "x"]])

    with pytest.raises(ExportError) as caught:
        read(text, date_order="mdy", language="en", file_name="responses.csv")

    message = str(caught.value)
    assert message.startswith("The file responses.csv has 1 problem to fix:")
    assert "line 2, column Timestamp: Cannot read the timestamp “13/3/2023 9:05:12”" in message
    assert "--date-format dmy" in message


def test_missing_timestamp_column() -> None:
    text = export([["Họ và tên", Q1.text], ["Lê Quang Qui", "13-7-2022"]])

    ((row, column, message),) = problems_of(text)

    assert (row, column) == (1, None)
    assert "Dấu thời gian" in message


def test_no_identity_column() -> None:
    text = export([["Dấu thời gian", "Điểm", Q1.text], ["13/03/2023 9:05:12", "1 / 1", "x"]])

    ((row, column, message),) = problems_of(text)

    assert (row, column) == (1, None)
    assert "Họ và tên" in message and "Địa chỉ email" in message


def test_a_question_column_matching_no_bank_question_is_named_with_what_to_do() -> None:
    text = export([
        ["Dấu thời gian", "Họ và tên", Q1.text, "Câu hỏi không có trong ngân hàng"],
        ["13/03/2023 9:05:12", "Lê Quang Qui", "13-7-2022", "A"],
    ])

    ((row, column, message),) = problems_of(text)

    assert (row, column) == (1, "Câu hỏi không có trong ngân hàng")
    assert "sửa tiêu đề" in message and "thêm câu hỏi" in message


def test_the_same_question_twice_names_both_columns() -> None:
    text = export([
        ["Dấu thời gian", "Họ và tên", Q1.text, nfd(Q1.text)],
        ["13/03/2023 9:05:12", "Lê Quang Qui", "13-7-2022", "13-7-2022"],
    ])

    ((row, column, message),) = problems_of(text)

    assert (row, column) == (1, Q1.text)
    assert message == "Câu hỏi này có hai cột (C và D). Hãy xóa cột thừa rồi tải lại."


def test_blank_timestamp_and_bad_score_name_their_line_and_column() -> None:
    text = export([
        ["Dấu thời gian", "Điểm", "Họ và tên", Q1.text],
        ["", "1 / 1", "Lê Quang Qui", "13-7-2022"],
        ["13/03/2023 9:05:12", "một điểm", "Trần Văn Bình", "13-7-2022"],
    ])

    problems = problems_of(text)

    assert [(row, column) for row, column, _ in problems] == [(2, "Dấu thời gian"), (3, "Điểm")]
    assert "8 / 10" in problems[1][2]


def test_every_problem_is_collected_before_raising() -> None:
    text = export([
        ["Họ và tên", "Câu lạ 1", Q1.text, "Câu lạ 2"],
        ["Lê Quang Qui", "A", "13-7-2022", "B"],
    ])

    problems = problems_of(text)

    assert [(row, column) for row, column, _ in problems] == [
        (1, None), (1, "Câu lạ 1"), (1, "Câu lạ 2"),
    ]


def test_every_bad_line_is_listed_not_just_the_first() -> None:
    rows = [["Dấu thời gian", "Họ và tên", Q4.text]]
    rows += [[f"{d}/13/2023 9:00:00", f"Người {d}", "30"] for d in range(1, 6)]

    problems = problems_of(export(rows))

    assert [row for row, _, _ in problems] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize("text", ["", "\ufeff", "\r\n\r\n", ",,,\r\n"])
def test_empty_file(text: str) -> None:
    ((row, column, message),) = problems_of(text, file_name="trong.csv")

    assert (row, column) == (None, None)
    assert "Tệp trống" in message and ".csv" in message


@pytest.mark.parametrize(
    "text",
    [
        "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx read as text
        '{"responses": [{"name": "Lê Quang Qui"}]}\n',
        "Kết quả thi tháng 3\nLê Quang Qui 10 điểm\n",
        '"Dấu thời gian","Họ và tên"x,"sai"\r\n',  # broken quoting
    ],
)
def test_not_a_forms_csv(text: str) -> None:
    ((row, column, message),) = problems_of(text)

    assert (row, column) == (None, None)
    assert "không phải" in message and "Tải xuống" in message


# --- round trip --------------------------------------------------------------------

_LETTERS = (
    string.ascii_letters
    + "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệ"
    + "ìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
)
_words = st.text(alphabet=_LETTERS + "0123456789", min_size=1, max_size=6)
_texts = st.lists(_words, min_size=1, max_size=4).map(" ".join)
_option_texts = st.lists(_texts, min_size=1, max_size=3).map(", ".join)


@st.composite
def _round(draw: st.DrawFn) -> tuple[list[Question], list[FormResponse], list[float | None]]:
    from automation.text import normalize

    count = draw(st.integers(min_value=1, max_value=4))
    questions: list[Question] = []
    pieces_seen: set[str] = set()
    for index in range(count):
        options = draw(st.lists(_option_texts, min_size=2, max_size=6))
        pieces = [normalize(p) for option in options for p in option.split(",")]
        # A cell joining options must read back one way only: no comma-piece shared.
        assume(len(set(pieces)) == len(pieces))
        title = draw(_texts)
        assume(normalize(title) not in pieces_seen)
        pieces_seen.add(normalize(title))
        questions.append(Question(index + 2, f"{title}?", tuple(options), frozenset("A")))
    assume(len({q.key for q in questions}) == len(questions))
    with_score = draw(st.booleans())
    responses: list[FormResponse] = []
    scores: list[float | None] = []
    for line in range(2, 2 + draw(st.integers(min_value=0, max_value=5))):
        naive = draw(st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)))
        answers: dict[str, tuple[str, ...]] = {}
        for question in questions:
            chosen = draw(st.lists(st.sampled_from(question.options), unique=True, max_size=3))
            answers[question.text] = tuple(chosen)
        responses.append(FormResponse(
            f"csv-{line}", draw(_texts), naive.replace(microsecond=0, tzinfo=TZ), answers,
        ))
        if with_score:
            total = draw(st.integers(min_value=1, max_value=20))
            got = draw(st.integers(min_value=0, max_value=total))
            scores.append(round(got / total * 10, 2))
        else:
            scores.append(None)
    return questions, responses, scores


@settings(max_examples=150, deadline=None)
@given(_round(), st.sampled_from(["\r\n", "\n"]), st.booleans())
def test_generated_responses_written_as_csv_read_back_equal(
    data: tuple[list[Question], list[FormResponse], list[float | None]],
    newline: str,
    bom: bool,
) -> None:
    questions, responses, scores = data
    with_score = any(s is not None for s in scores)
    header = ["Dấu thời gian", *(["Điểm"] if with_score else []), "Họ và tên"]
    rows = [header + [q.text for q in questions]]
    for response, score in zip(responses, scores, strict=True):
        stamp = response.submitted_at
        rows.append([
            f"{stamp.day}/{stamp.month:02d}/{stamp.year} {stamp.hour}:{stamp.minute:02d}:"
            f"{stamp.second:02d}",
            *([_score_cell(score)] if with_score else []),
            response.respondent,
            *(", ".join(response.answers[q.text]) for q in questions),
        ])
    text = ("\ufeff" if bom else "") + export(rows, newline=newline)

    got = read(text, questions=questions)

    assert [r.response for r in got] == responses
    assert [r.score for r in got] == scores


def _score_cell(score: float | None) -> str:
    """A score as the form shows it, out of a hundred points so two decimals survive."""
    return "" if score is None else f"{round(score * 10, 1):g} / 100"


def test_timestamps_read_in_the_given_zone() -> None:
    rows = [["Dấu thời gian", "Họ và tên", Q4.text], ["13/03/2023 9:05:12", "Lê Quang Qui", "30"]]

    (got,) = read(export(rows), tz=UTC)

    assert got.response.submitted_at == datetime(2023, 3, 13, 9, 5, 12, tzinfo=UTC)
