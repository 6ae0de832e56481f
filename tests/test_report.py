"""The tabs the service writes, and reading its own tabs back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation import layout, report
from automation.model import Member, Question, QuestionStat, SeasonRow
from automation.ports import FormResponse, InputError
from automation.ranking import rank_round, to_submission
from automation.text import Cell
from automation.workbook import LocalWorkbook

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPENED = datetime(2023, 3, 14, 19, 30, tzinfo=TZ)
DEADLINE = OPENED + timedelta(seconds=2 * 30 + 60)

Q1 = Question(
    row=2,
    text="Quy định số 1120 ban hành ngày nào?",
    options=("13-7-2022", "01-6-2022", "1120", "=SUM(A1:A2)"),
    answer=frozenset({"B"}),
    source="Quy định số 1120, ngày 01-6-2022",
)
Q2 = Question(
    row=3,
    text="Chỉ thị số 22 yêu cầu những gì? (chọn tất cả)",
    options=(
        "Bản lĩnh chính trị vững vàng, phẩm chất đạo đức tốt",
        "Có khát vọng; năng lực; uy tín",
        "Đường dẫn C:\\new\\table",
        " Khoảng trắng hai đầu ",
    ),
    answer=frozenset({"A", "B"}),
    source="Chỉ thị số 22, ngày 13-7-2022",
)
QUESTIONS = (Q1, Q2)
MEMBERS = tuple(
    Member(row=i, name=name)
    for i, name in enumerate(
        ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thu Hà", "Võ Minh Khoa"], start=2
    )
)
RIGHT = {Q1.text: ("01-6-2022",), Q2.text: (Q2.options[0], Q2.options[1])}
HALF = {Q1.text: ("01-6-2022",), Q2.text: (Q2.options[0],)}


def response(rid: str, who: str, seconds: float, answers: dict, started: float | None = None):
    return FormResponse(
        response_id=rid,
        respondent=who,
        submitted_at=OPENED + timedelta(seconds=seconds),
        answers=answers,
        started_at=OPENED + timedelta(seconds=started) if started is not None else None,
    )


RESPONSES = (
    response("r1", "Nguyễn Văn An", 50, RIGHT),
    response("r2", "trần  thị bình", 50, RIGHT),  # same score, same instant: shares rank 1
    response("r3", "Lê Văn Cường", 40, HALF),  # earlier but lower: rank 3
    response("r4", "Phạm Thu Hà", 500, RIGHT),  # late
    response("r5", "Nguyễn Văn An", 55, HALF),  # repeated
    response("r6", "Người Lạ", 30, RIGHT),  # not a member
)


def ranked_result():
    return rank_round(
        round_id="2023-03",
        questions=QUESTIONS,
        members=MEMBERS,
        submissions=[to_submission(r, QUESTIONS) for r in RESPONSES],
        opened_at=OPENED,
        deadline=DEADLINE,
        closed_at=DEADLINE,
    )


def column(rows: list[list[Cell]], index: int) -> list[Cell]:
    return [row[index] if index < len(row) else None for row in rows]


# --- results ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_results_table_has_the_contract_columns_in_order(language: str) -> None:
    tab = report.results_tab(ranked_result(), language=language, tz=TZ)
    assert tab.title == layout.RESULTS.title(language, "2023-03")
    header = tab.rows[tab.header_row - 1]
    assert header == [c.header(language) for c in layout.RESULT_COLUMNS]
    if language == "vi":
        assert header == [
            "Hạng",
            "Họ và tên",
            "Điểm (/10)",
            "Số câu đúng",
            "Thời gian làm bài",
            "Nộp lúc",
            "Ghi chú",
        ]
    assert tab.header_row in tab.bold_rows
    assert tab.number_formats[2] == "0.00"
    assert tab.number_formats[5] == "dd/mm/yyyy hh:mm:ss"
    assert len(tab.column_widths) == len(header)


def test_results_show_the_header_block_ties_and_the_winners() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    rows, h = tab.rows, tab.header_row
    block = {row[0]: row[1] for row in rows[: h - 2]}
    assert block["Kỳ thi"] == "2023-03"
    assert block["Số câu hỏi"] == 2
    assert block["Mở lúc"] == "14/03/2023 19:30:00"
    assert block["Hạn nộp bài"] == "14/03/2023 19:32:00"
    assert block["Tham gia / số đảng viên"] == "4 / 5"
    assert rows[h - 2] == []

    ranked = rows[h : h + 3]
    assert [(r[0], r[1], r[2], r[3]) for r in ranked] == [
        (1, "Nguyễn Văn An", 10.0, 2),
        (1, "Trần Thị Bình", 10.0, 2),
        (3, "Lê Văn Cường", 5.0, 1),
    ]
    assert ranked[0][4] == "0:50" and ranked[2][4] == "0:40"
    assert ranked[0][5] == OPENED + timedelta(seconds=50)
    assert ranked[0][5].utcoffset() == timedelta(hours=7)
    assert ranked[0][6] == "Về nhất; Đồng hạng 1"
    assert ranked[2][6] == ""
    assert tab.highlight_rows == {h + 1, h + 2}
    assert rows[h + 3] == []  # the ranked table ends with a blank row


def test_late_repeated_and_strangers_are_listed_but_not_ranked() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    rows = tab.rows
    start = rows.index(["Có bài làm nhưng không xếp hạng"])
    assert start + 1 in tab.bold_rows
    listed = rows[start + 1 : start + 4]
    assert {(r[1], r[6]) for r in listed} == {
        ("Phạm Thu Hà", "Nộp muộn"),
        ("Nguyễn Văn An", "Nộp lại"),
        ("Người Lạ", "Không có trong danh sách đảng viên"),
    }
    assert all(r[0] is None for r in listed)
    late = next(r for r in listed if r[1] == "Phạm Thu Hà")
    assert late[4] == "8:20"


def test_absentees_are_listed_under_not_taken_part() -> None:
    for language, section in (("vi", "Chưa tham gia"), ("en", "Not taken part")):
        rows = report.results_tab(ranked_result(), language=language, tz=TZ).rows
        start = rows.index([section])
        assert rows[start + 1][1] == "Võ Minh Khoa"
        assert rows[start + 1][6] == section
        assert rows[start + 2] == []  # only one absentee; then the distribution


def test_the_score_distribution_feeds_the_chart() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    chart = tab.chart
    assert chart is not None
    labels = tab.rows[chart.first_row - 1 : chart.last_row]
    assert [(r[chart.label_column], r[chart.value_column]) for r in labels] == [("5", 1), ("10", 2)]


def test_a_round_nobody_took_has_no_chart() -> None:
    result = rank_round(
        round_id="2023-04",
        questions=QUESTIONS,
        members=MEMBERS,
        submissions=[],
        opened_at=OPENED,
        deadline=DEADLINE,
    )
    tab = report.results_tab(result, language="en", tz=TZ)
    assert tab.chart is None and tab.highlight_rows == frozenset()
    assert ["Closed at", ""] in tab.rows
    assert report.read_round_scores("2023-04", tab.rows) == []


def test_durations_read_as_minutes_and_seconds() -> None:
    assert report.duration_text(timedelta(seconds=5)) == "0:05"
    assert report.duration_text(timedelta(minutes=4, seconds=59, microseconds=900_000)) == "4:59"
    assert report.duration_text(timedelta(minutes=75, seconds=3)) == "75:03"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_round_scores_read_back_only_the_ranked_table(language: str) -> None:
    tab = report.results_tab(ranked_result(), language=language, tz=TZ)
    scores = report.read_round_scores("2023-03", tab.rows)
    assert [(s.round_id, s.name, s.rank, s.score) for s in scores] == [
        ("2023-03", "Nguyễn Văn An", 1, 10.0),
        ("2023-03", "Trần Thị Bình", 1, 10.0),
        ("2023-03", "Lê Văn Cường", 3, 5.0),
    ]


def test_round_scores_accept_a_decimal_comma_and_name_a_broken_cell() -> None:
    rows: list[list[Cell]] = [
        ["Kỳ thi", "2023-05"],
        [],
        ["Hạng", "Họ và tên", "Điểm (/10)"],
        ["1", "An", "8,5"],
        [2, "Bình", "tám"],
    ]
    with pytest.raises(InputError) as caught:
        report.read_round_scores("2023-05", rows)
    assert "Kết quả 2023-05, dòng 5, cột Điểm (/10): 'tám'" in str(caught.value)
    assert report.read_round_scores("2023-05", rows[:4])[0].score == 8.5


# --- responses --------------------------------------------------------------------------

TRICKY = (
    FormResponse(
        response_id="ACYDBNi-1",
        respondent="  Nguyễn Văn An ",
        submitted_at=datetime(2023, 3, 14, 12, 30, 41, 123456, tzinfo=UTC),
        answers={
            Q1.text: ("=SUM(A1:A2)",),
            Q2.text: (Q2.options[1], Q2.options[2], Q2.options[3], "a, b; c\nline two"),
        },
        started_at=datetime(2023, 3, 14, 19, 30, 0, 999, tzinfo=TZ),
    ),
    FormResponse(
        response_id="2",
        respondent='=HYPERLINK("http://x","y")',
        submitted_at=datetime(2023, 3, 14, 19, 31, 2, tzinfo=TZ),
        answers={Q1.text: ("1120",), "Câu không có trong ngân hàng": ("x\\ny",)},
    ),
    FormResponse(
        response_id="",
        respondent="Trần Thị Bình",
        submitted_at=datetime(2023, 3, 14, 19, 31, 2, 5, tzinfo=TZ),
        answers={},
    ),
)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_responses_tab_reads_back_exactly(language: str) -> None:
    tab = report.responses_tab("2023-03", QUESTIONS, TRICKY, language=language, tz=TZ)
    assert tab.title == layout.RESPONSES.title(language, "2023-03")
    header = tab.rows[0]
    assert header[4:7] == [Q1.text, Q2.text, "Câu không có trong ngân hàng"]
    assert tab.rows[1][0] == datetime(2023, 3, 14, 19, 30, 41, 123456, tzinfo=TZ)
    assert tab.rows[1][5] == (
        "Có khát vọng; năng lực; uy tín\nĐường dẫn C:\\\\new\\\\table\n"
        " Khoảng trắng hai đầu \na, b; c\\nline two"
    )
    assert report.read_responses_tab(tab.rows, QUESTIONS, tz=TZ) == list(TRICKY)


def test_responses_tab_round_trips_through_a_real_workbook(tmp_path: Path) -> None:
    tab = report.responses_tab("2023-03", QUESTIONS, TRICKY, language="vi", tz=TZ)
    book = LocalWorkbook(tmp_path / "quiz.xlsx")
    book.write_tabs([tab])
    rows = book.read([tab.title])[tab.title]
    assert rows[1][0] == datetime(2023, 3, 14, 19, 30, 41, 123000)  # what the sheet can hold
    assert report.read_responses_tab(rows, QUESTIONS, tz=TZ) == list(TRICKY)


def test_responses_read_back_without_the_exact_columns_use_the_shown_times() -> None:
    tab = report.responses_tab("2023-03", QUESTIONS, TRICKY[1:], language="vi", tz=TZ)
    rows = [row[:-2] for row in tab.rows]  # as if someone deleted the exact columns
    rows[1][0] = "14/03/2023 19:31"  # and a sheet handed the times back as text
    rows[2][0] = "14/03/2023 19:31:02"
    back = report.read_responses_tab(rows, QUESTIONS, tz=TZ)
    assert [r.submitted_at for r in back] == [
        datetime(2023, 3, 14, 19, 31, tzinfo=TZ),
        datetime(2023, 3, 14, 19, 31, 2, tzinfo=TZ),
    ]


def test_a_broken_time_in_the_responses_tab_names_row_and_column() -> None:
    tab = report.responses_tab("2023-03", QUESTIONS, TRICKY, language="en", tz=TZ)
    rows = [list(row) for row in tab.rows]
    rows[2][-2] = "yesterday"
    with pytest.raises(InputError, match="Responses, row 3, column Submitted at \\(exact\\)"):
        report.read_responses_tab(rows, QUESTIONS, tz=TZ)
    rows[2][-2] = rows[2][0] = None
    with pytest.raises(InputError, match="row 3: the submission time is missing"):
        report.read_responses_tab(rows, QUESTIONS, tz=TZ)


def test_a_question_titled_like_a_fixed_header_is_still_a_question() -> None:
    odd = tuple(
        Question(row=i, text=text, options=("X", "Y"), answer=frozenset({"X"}))
        for i, text in enumerate(["Mã bài làm", "Nộp lúc (chính xác)"], start=2)
    )
    responses = [
        FormResponse("id-7", "An", OPENED, {odd[0].text: ("Y",), odd[1].text: ("X",)}, None),
    ]
    tab = report.responses_tab("2023-03", odd, responses, language="vi", tz=TZ)
    assert report.read_responses_tab(tab.rows, odd, tz=TZ) == responses


def test_an_empty_responses_tab_reads_as_no_responses() -> None:
    assert report.read_responses_tab([], QUESTIONS, tz=TZ) == []
    tab = report.responses_tab("2023-03", QUESTIONS, [], language="vi", tz=TZ)
    assert report.read_responses_tab(tab.rows, QUESTIONS, tz=TZ) == []


@given(st.lists(st.text(), min_size=1, max_size=6))
def test_option_encoding_is_unambiguous(options: list[str]) -> None:
    assert report.decode_options(report.encode_options(options)) == tuple(options)


def test_option_lines_typed_with_windows_line_breaks_still_split() -> None:
    assert report.decode_options("a, b\r\nc; d") == ("a, b", "c; d")


# --- question statistics ---------------------------------------------------------------


def stat(round_id: str, number: int, correct: int = 3, top_wrong: str | None = "B") -> QuestionStat:
    return QuestionStat(
        round_id=round_id,
        number=number,
        question=f"Câu {number} của {round_id}",
        answered=4,
        correct=correct,
        top_wrong=top_wrong,
        top_wrong_count=1 if top_wrong else 0,
        source="Kết luận số 01 của Bộ Chính trị",
    )


def test_stats_tab_replaces_the_round_and_keeps_the_others_in_order() -> None:
    old = report.stats_tab(
        None, [stat("2023-10", 1), stat("2023-03", 2), stat("2023-03", 1)], language="en"
    )
    assert old.rows[0][:2] == ["Round", "No."]
    existing = [list(row) for row in old.rows] + [[], ["2023-9", 1, "kept as it was"]]

    tab = report.stats_tab(existing, [stat("2023-03", 1, correct=4, top_wrong=None)], language="vi")

    assert tab.title == "Thống kê câu hỏi"
    assert tab.rows[0] == [c.header("vi") for c in report.STATS_COLUMNS]
    body = tab.rows[1:]
    assert [(r[0], r[1]) for r in body] == [("2023-03", 1), ("2023-9", 1), ("2023-10", 1)]
    assert body[0][3:7] == [4, 4, 100.0, ""]
    assert body[1][2] == "kept as it was"
    assert body[2][5:8] == [75.0, "B (1 people)", "Kết luận số 01 của Bộ Chính trị"]


def test_stats_rows_show_percent_and_the_wrong_option() -> None:
    tab = report.stats_tab(None, [stat("2023-03", 2, correct=1), stat("2023-03", 1)], language="vi")
    assert tab.rows[1][:7] == ["2023-03", 1, "Câu 1 của 2023-03", 4, 3, 75.0, "B (1 người)"]
    assert tab.rows[2][5] == 25.0
    assert tab.header_row == 1 and tab.number_formats[5] == "0.0"


# --- the season -------------------------------------------------------------------------


def test_season_tab_ranks_and_highlights_the_leaders() -> None:
    rows = [
        SeasonRow(1, "Nguyễn Văn An", 4, 36.5, 9.13, 2),
        SeasonRow(1, "Trần Thị Bình", 4, 36.5, 9.13, 2),
        SeasonRow(3, "Lê Văn Cường", 3, 20.0, 6.67, 0),
    ]
    tab = report.season_tab(2023, rows, language="vi")
    assert tab.title == "Tổng kết 2023"
    assert tab.rows[0] == [
        "Hạng",
        "Họ và tên",
        "Số kỳ tham gia",
        "Tổng điểm",
        "Điểm trung bình",
        "Số lần về nhất",
    ]
    assert tab.rows[3] == [3, "Lê Văn Cường", 3, 20.0, 6.67, 0]
    assert tab.highlight_rows == {2, 3} and tab.header_row == 1
    assert report.season_tab(2023, rows, language="en").title == "Season 2023"


# --- the init template -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_template_tabs_follow_the_contract_and_help_the_secretary(language: str) -> None:
    questions, members, schedule = report.template_tabs(language)
    for tab, spec in zip((questions, members, schedule), layout.SECRETARY_TABS, strict=True):
        assert tab.title == spec.title(language)
        columns = [c for c in spec.columns if c.in_template]
        assert tab.rows[0] == [c.header(language) for c in columns]
        assert tab.header_row == 1
        assert set(tab.notes) == {(1, c) for c in range(1, len(columns) + 1)}
    heads = {h: i for i, h in enumerate(questions.rows[0])}
    body = questions.rows[1:]
    pool = [r for r in body if r[heads[layout.QUESTIONS.column("round").header(language)]] is None]
    assert len(pool) >= 12
    answer = heads[layout.QUESTIONS.column("answer").header(language)]
    assert any("," in r[answer] for r in body)  # one needs several options
    for key in ("source", "explanation"):
        assert all(r[heads[layout.QUESTIONS.column(key).header(language)]] for r in body)
    assert len(members.rows) - 1 >= 5
    opens = schedule.rows[1][1]
    assert isinstance(opens, datetime)
    assert schedule.number_formats[1] == "dd/mm/yyyy hh:mm"
    assert schedule.validations[0].values == ("5", "6", "7", "8", "9", "10")


def test_the_example_round_follows_the_given_opening_time() -> None:
    when = datetime(2024, 5, 7, 8, 0)
    questions, _, schedule = report.template_tabs("vi", opens_at=when)
    assert schedule.rows[1][:2] == ["2024-05", when]
    assert {row[0] for row in questions.rows[1:]} == {None, "2024-05"}


def test_the_template_uses_the_articles_facts() -> None:
    text = " ".join(str(c) for row in report.template_tabs("vi")[0].rows for c in row if c)
    for fact in (
        "Chỉ thị số 22, ngày 13-7-2022",
        "Quy định số 1120, ngày 01-6-2022",
        "Kết luận số 01 của Bộ Chính trị",
        "30 giây",
        "5 đến 10 câu",
    ):
        assert fact in text
