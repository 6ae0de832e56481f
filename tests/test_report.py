"""The tabs the service writes, and reading its own tabs back."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation import layout, report
from automation.model import Member, Question, QuestionStat, SeasonRow
from automation.ports import FormResponse, InputError, SheetTab
from automation.ranking import rank_round, to_submission
from automation.stats import question_stats
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
    assert tab.number_formats[2] == "0.00"
    assert tab.number_formats[5] == "dd/mm/yyyy hh:mm:ss"
    assert len(tab.column_widths) == len(header)


def test_results_show_the_header_block_with_real_times_in_the_zone() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    rows, h = tab.rows, tab.header_row
    assert rows[0] == ["Kết quả thi trắc nghiệm"]
    assert tab.cell_styles[(1, 1)].bold and tab.cell_styles[(1, 1)].size
    # Labels in the name column, values beside them; times on the right in the same way.
    pairs = {row[i]: row[i + 1] for row in rows[1 : h - 2] for i in (1, 4) if len(row) > i}
    assert pairs["Kỳ thi"] == "2023-03"
    assert pairs["Số câu hỏi"] == 2
    assert pairs["Tham gia / số đảng viên"] == "4 / 5"
    for label, moment in (("Mở lúc", OPENED), ("Hạn nộp bài", DEADLINE), ("Đóng lúc", DEADLINE)):
        assert pairs[label] == moment and pairs[label].utcoffset() == timedelta(hours=7)
    assert pairs["Hạn nộp bài"] == datetime(2023, 3, 14, 19, 32, tzinfo=TZ)  # 19:30 + 2×30 + 60 s
    for r in range(2, h - 1):  # each time cell is shown as the Nộp lúc column shows times
        assert tab.cell_styles[(r, 6)].number_format == "dd/mm/yyyy hh:mm:ss"
    assert rows[h - 2] == []
    utc = report.results_tab(ranked_result(), language="vi", tz=UTC)
    assert utc.rows[1][5].utcoffset() == timedelta(0)  # the configured zone, whatever it is


def test_the_winners_stand_out_and_every_tie_at_rank_one_says_first_place() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    rows, h = tab.rows, tab.header_row
    ranked = rows[h : h + 3]
    assert [(r[0], r[1], r[2], r[3]) for r in ranked] == [
        (1, "Nguyễn Văn An — Về nhất", 10.0, 2),
        (1, "Trần Thị Bình — Về nhất", 10.0, 2),
        (3, "Lê Văn Cường", 5.0, 1),
    ]
    assert ranked[0][4] == "0:50" and ranked[2][4] == "0:40"
    assert ranked[0][5] == OPENED + timedelta(seconds=50)
    assert ranked[0][5].utcoffset() == timedelta(hours=7)
    assert ranked[0][6] == ranked[1][6] == "Đồng hạng 1"
    assert ranked[2][6] == ""
    assert tab.highlight_rows == {h + 1, h + 2}
    assert tab.highlight_rows <= tab.bold_rows and h + 3 not in tab.bold_rows
    assert rows[h + 3] == []  # the ranked table ends with a blank row
    english = report.results_tab(ranked_result(), language="en", tz=TZ).rows[h]
    assert english[1] == "Nguyễn Văn An — First place"


def test_a_lone_winner_has_no_tie_note() -> None:
    result = rank_round(
        round_id="2023-04",
        questions=QUESTIONS,
        members=MEMBERS,
        submissions=[to_submission(r, QUESTIONS) for r in RESPONSES[1:3]],
        opened_at=OPENED,
        deadline=DEADLINE,
    )
    tab = report.results_tab(result, language="vi", tz=TZ)
    first = tab.rows[tab.header_row]
    assert (first[0], first[1], first[6]) == (1, "Trần Thị Bình — Về nhất", "")
    assert tab.highlight_rows == {tab.header_row + 1}


def test_the_results_tab_prints_one_page_across_with_its_header_repeated() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    page = tab.page
    assert page is not None and page.landscape and page.fit_width
    assert page.repeat_rows == (tab.header_row, tab.header_row)
    assert page.footer == "Kết quả 2023-03 — trang {page}/{pages}"


def test_late_repeated_and_strangers_are_listed_but_not_ranked() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    rows = tab.rows
    start = rows.index(["Có bài làm nhưng không xếp hạng"])
    assert tab.cell_styles[(start + 1, 1)].bold
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


def test_the_score_distribution_feeds_a_chart_that_counts_whole_people() -> None:
    tab = report.results_tab(ranked_result(), language="vi", tz=TZ)
    chart = tab.chart
    assert chart is not None
    labels = tab.rows[chart.first_row - 1 : chart.last_row]
    assert [(r[chart.label_column], r[chart.value_column]) for r in labels] == [(5.0, 1), (10.0, 2)]
    assert tab.cell_styles[(chart.first_row, 1)].number_format == "0.00"  # as scores show
    # At most two people share a score: ticks at 0, 1, 2, 3, 4 (never 0.5).
    assert (chart.value_step, chart.value_max) == (1, 4)
    # Beside its table, under the ranked table's right-hand columns (so it prints).
    assert chart.anchor_row == chart.first_row - 2 and chart.anchor_column == 3  # its heading
    assert chart.anchor_column + 1 < len(tab.column_widths)


@pytest.mark.parametrize(
    ("largest", "step", "top"),
    [(1, 1, 4), (4, 1, 4), (8, 1, 8), (9, 2, 10), (16, 2, 16), (17, 5, 20), (40, 5, 40),
     (41, 10, 50), (399, 50, 400)],
)
def test_a_count_axis_takes_whole_steps_of_one_two_or_five(
    largest: int, step: int, top: int
) -> None:
    assert report.count_axis(largest) == (step, top)


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
    assert [None, "Participants / members", "0 / 5", None, "Closed at", None] in tab.rows
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
        code="739146",  # rule 9: asked, and (says the ranking) wrong
        client="192.168.1.23 · a1b2c3",
    ),
    FormResponse(
        response_id="2",
        respondent='=HYPERLINK("http://x","y")',
        submitted_at=datetime(2023, 3, 14, 19, 31, 2, tzinfo=TZ),
        answers={Q1.text: ("1120",), "Câu không có trong ngân hàng": ("x\\ny",)},
        code="482157",
        edited_at=datetime(2023, 3, 14, 12, 45, 0, 250, tzinfo=UTC),
    ),
    FormResponse(
        response_id="",
        respondent="Trần Thị Bình",
        submitted_at=datetime(2023, 3, 14, 19, 31, 2, 5, tzinfo=TZ),
        answers={},
    ),
)
VERDICTS = {"ACYDBNi-1": False, "2": True}
#: What a tab gives back: the verdict in place of the code, which is never written.
TRICKY_BACK = [
    replace(r, code=None, code_verdict=VERDICTS.get(r.response_id)) for r in TRICKY
]


def tricky_tab(language: str = "vi") -> SheetTab:
    return report.responses_tab(
        "2023-03", QUESTIONS, TRICKY, language=language, tz=TZ, code_verdicts=VERDICTS
    )


def column_of(tab: SheetTab, header: str) -> int:
    return tab.rows[0].index(header)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_responses_tab_reads_back_exactly(language: str) -> None:
    tab = tricky_tab(language)
    assert tab.title == layout.RESPONSES.title(language, "2023-03")
    header = tab.rows[0]
    assert header[4:7] == [Q1.text, Q2.text, "Câu không có trong ngân hàng"]
    assert tab.rows[1][0] == datetime(2023, 3, 14, 19, 30, 41, 123456, tzinfo=TZ)
    assert tab.rows[1][5] == (
        "Có khát vọng; năng lực; uy tín\nĐường dẫn C:\\\\new\\\\table\n"
        " Khoảng trắng hai đầu \na, b; c\\nline two"
    )
    assert report.read_responses_tab(tab.rows, QUESTIONS, tz=TZ) == TRICKY_BACK


def test_personal_codes_are_never_written_only_whether_they_matched() -> None:
    for language, words in (("vi", ["Sai mã", "Đúng", None]), ("en", ["Wrong", "Correct", None])):
        tab = tricky_tab(language)
        code = column_of(tab, "Mã cá nhân" if language == "vi" else "Code")
        assert [row[code] for row in tab.rows[1:]] == words
        written = [str(cell) for row in tab.rows for cell in row]
        assert not any(secret in cell for secret in ("739146", "482157") for cell in written)
    # Re-ranked from the tab and written again: the verdicts stay (no mapping needed).
    again = report.responses_tab("2023-03", QUESTIONS, TRICKY_BACK, language="vi", tz=TZ)
    assert again.rows == tricky_tab("vi").rows


def test_the_device_and_every_time_read_back_in_the_zone() -> None:
    tab = tricky_tab("vi")
    device = column_of(tab, "Thiết bị")
    assert device == 3  # beside the name: one phone answering for several names shows
    assert [row[device] for row in tab.rows[1:]] == ["192.168.1.23 · a1b2c3", None, None]
    edited = column_of(tab, "Sửa lúc")
    assert tab.rows[2][edited] == datetime(2023, 3, 14, 19, 45, 0, 250, tzinfo=TZ)
    assert tab.number_formats[edited] == tab.number_formats[0] == "dd/mm/yyyy hh:mm:ss"
    exact = column_of(tab, "Nộp lúc (chính xác)")
    # 12:30 UTC is 19:30 in Hà Nội: the exact text reads like every other time, in the zone.
    assert tab.rows[1][exact] == "14/03/2023 19:30:41.123456 +07:00"
    assert tab.rows[2][column_of(tab, "Sửa lúc (chính xác)")] == "14/03/2023 19:45:00.000250 +07:00"


def test_responses_tab_round_trips_through_a_real_workbook(tmp_path: Path) -> None:
    tab = tricky_tab("vi")
    book = LocalWorkbook(tmp_path / "quiz.xlsx")
    book.write_tabs([tab])
    rows = book.read([tab.title])[tab.title]
    assert rows[1][0] == datetime(2023, 3, 14, 19, 30, 41, 123000)  # what the sheet can hold
    assert report.read_responses_tab(rows, QUESTIONS, tz=TZ) == TRICKY_BACK


def test_a_responses_tab_written_before_the_new_columns_still_reads() -> None:
    """The layout of the first release: four columns, answers, two ISO times."""
    rows: list[list[Cell]] = [
        ["Nộp lúc", "Người làm bài", "Bắt đầu lúc", "Mã bài làm", Q1.text,
         "Nộp lúc (chính xác)", "Bắt đầu lúc (chính xác)"],
        [datetime(2023, 3, 14, 19, 31, 2), "An", None, "r1", "01-6-2022",
         "2023-03-14T12:31:02.500000+00:00", None],
    ]
    (back,) = report.read_responses_tab(rows, QUESTIONS, tz=TZ)
    assert back == FormResponse(
        "r1", "An", datetime(2023, 3, 14, 19, 31, 2, 500000, tzinfo=TZ), {Q1.text: ("01-6-2022",)}
    )


def test_responses_read_back_without_the_exact_columns_use_the_shown_times() -> None:
    tab = report.responses_tab("2023-03", QUESTIONS, TRICKY[1:], language="vi", tz=TZ)
    rows = [row[:-3] for row in tab.rows]  # as if someone deleted the exact columns
    rows[1][0] = "14/03/2023 19:31"  # and a sheet handed the times back as text
    rows[2][0] = "14/03/2023 19:31:02"
    back = report.read_responses_tab(rows, QUESTIONS, tz=TZ)
    assert [r.submitted_at for r in back] == [
        datetime(2023, 3, 14, 19, 31, tzinfo=TZ),
        datetime(2023, 3, 14, 19, 31, 2, tzinfo=TZ),
    ]
    assert back[0].edited_at == datetime(2023, 3, 14, 19, 45, 0, 250, tzinfo=TZ)  # the cell's


def test_a_broken_time_in_the_responses_tab_names_row_and_column() -> None:
    tab = tricky_tab("en")
    exact = column_of(tab, "Submitted at (exact)")
    rows = [list(row) for row in tab.rows]
    rows[2][exact] = "yesterday"
    with pytest.raises(InputError, match="Responses, row 3, column Submitted at \\(exact\\)"):
        report.read_responses_tab(rows, QUESTIONS, tz=TZ)
    rows[2][exact] = "31/02/2023 19:31:02.000000 +07:00"  # the shape, but no such day
    with pytest.raises(InputError, match="Responses, row 3, column Submitted at \\(exact\\)"):
        report.read_responses_tab(rows, QUESTIONS, tz=TZ)
    rows[2][exact] = rows[2][0] = None
    with pytest.raises(InputError, match="row 3: the submission time is missing"):
        report.read_responses_tab(rows, QUESTIONS, tz=TZ)


def test_a_code_cell_edited_by_hand_names_row_column_and_the_words_to_use() -> None:
    tab = tricky_tab("vi")
    rows = [list(row) for row in tab.rows]
    rows[1][column_of(tab, "Mã cá nhân")] = "  correct "  # the other language, loosely typed
    assert report.read_responses_tab(rows, QUESTIONS, tz=TZ)[0].code_verdict is True
    rows[1][column_of(tab, "Mã cá nhân")] = "7391"
    with pytest.raises(InputError) as caught:
        report.read_responses_tab(rows, QUESTIONS, tz=TZ)
    assert str(caught.value) == (
        "Bài làm, dòng 2, cột Mã cá nhân: '7391' không phải kết quả kiểm tra mã. "
        "Hãy ghi 'Đúng', 'Sai mã', hoặc để trống nếu kỳ thi không hỏi mã."
    )


def test_the_verdicts_come_from_the_ranked_result() -> None:
    submissions = [
        replace(to_submission(r, QUESTIONS), code_verdict=verdict)
        for r, verdict in zip(RESPONSES[:3], (True, False, None), strict=True)
    ]
    result = rank_round(
        round_id="2023-03", questions=QUESTIONS, members=MEMBERS, submissions=submissions,
        opened_at=OPENED, deadline=DEADLINE,
    )
    assert report.code_verdicts(result) == {"r1": True, "r2": False}


@pytest.mark.parametrize(
    "titles", [["Mã bài làm", "Nộp lúc (chính xác)"], ["Thiết bị", "Mã cá nhân", "Sửa lúc"]]
)
def test_a_question_titled_like_a_fixed_header_is_still_a_question(titles: list[str]) -> None:
    odd = tuple(
        Question(row=i, text=text, options=("X", "Y"), answer=frozenset({"X"}))
        for i, text in enumerate(titles, start=2)
    )
    responses = [
        FormResponse("id-7", "An", OPENED, {q.text: ("Y",) for q in odd}, client="10.0.0.2 · ff"),
    ]
    tab = report.responses_tab("2023-03", odd, responses, language="vi", tz=TZ)
    assert report.read_responses_tab(tab.rows, odd, tz=TZ) == responses


def test_an_empty_responses_tab_reads_as_no_responses() -> None:
    assert report.read_responses_tab([], QUESTIONS, tz=TZ) == []
    tab = report.responses_tab("2023-03", QUESTIONS, [], language="vi", tz=TZ)
    assert report.read_responses_tab(tab.rows, QUESTIONS, tz=TZ) == []


_TITLES = ("Câu 1?", "Câu 2?", "câu  1? (bản khác)", "Mã bài làm", "Thiết bị", "Nộp lúc", "Sửa lúc")
_ZONES = (UTC, TZ, ZoneInfo("America/St_Johns"), timezone(timedelta(hours=-3, minutes=-30)))
_moments = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)),
    st.sampled_from(_ZONES),
)


@st.composite
def _responses(draw: st.DrawFn) -> tuple[list[FormResponse], dict[str, bool]]:
    responses = []
    verdicts: dict[str, bool] = {}
    for number in range(draw(st.integers(min_value=0, max_value=5))):
        titles = draw(st.lists(st.sampled_from(_TITLES), unique=True, max_size=4))
        answers = {
            title: tuple(draw(st.lists(st.text(min_size=1), min_size=1, max_size=3)))
            for title in titles
        }
        code = draw(st.none() | st.text(max_size=6))
        rid = f"r{number}"
        verdict = draw(st.none() | st.booleans())
        if code is not None and verdict is not None:
            verdicts[rid] = verdict
        responses.append(FormResponse(
            response_id=rid,
            respondent=draw(st.text(min_size=1)),
            submitted_at=draw(_moments),
            # what a response read back from a tab carries, when the caller has no mapping
            code_verdict=draw(st.none() | st.booleans()) if code is None else None,
            answers={t: a for t, a in answers.items() if report.encode_options(a).strip()},
            started_at=draw(st.none() | _moments),
            edited_at=draw(st.none() | _moments),
            code=code,
            client=draw(st.text()),
        ))
    return responses, verdicts


@settings(max_examples=200, deadline=None)
@given(_responses(), st.sampled_from(["vi", "en"]), st.sampled_from(_ZONES))
def test_any_responses_read_back_exactly(
    data: tuple[list[FormResponse], dict[str, bool]], language: str, tz: tzinfo
) -> None:
    responses, verdicts = data
    tab = report.responses_tab(
        "2023-03", QUESTIONS, responses, language=language, tz=tz, code_verdicts=verdicts
    )
    back = report.read_responses_tab(tab.rows, QUESTIONS, tz=tz)
    assert back == [
        replace(
            r,
            code=None,
            code_verdict=verdicts.get(r.response_id, r.code_verdict),
        )
        for r in responses
    ]


_PLAIN = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.builds(
            FormResponse,
            response_id=st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
            respondent=_PLAIN,
            submitted_at=_moments,
            answers=st.dictionaries(
                st.sampled_from(_TITLES[:3]), st.lists(_PLAIN, min_size=1, max_size=3).map(tuple)
            ),
            started_at=st.none() | _moments,
            code_verdict=st.none() | st.booleans(),
            edited_at=st.none() | _moments,
            client=st.just("") | _PLAIN,
        ),
        max_size=4,
        unique_by=lambda r: r.response_id,
    )
)
def test_any_responses_round_trip_through_a_real_workbook(responses: list[FormResponse]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        book = LocalWorkbook(Path(folder) / "quiz.xlsx")
        tab = report.responses_tab("2023-03", QUESTIONS, responses, language="vi", tz=TZ)
        book.write_tabs([tab])
        rows = book.read([tab.title])[tab.title]
    assert report.read_responses_tab(rows, QUESTIONS, tz=TZ) == responses


@given(st.lists(st.text(), min_size=1, max_size=6))
def test_option_encoding_is_unambiguous(options: list[str]) -> None:
    assert report.decode_options(report.encode_options(options)) == tuple(options)


def test_option_lines_typed_with_windows_line_breaks_still_split() -> None:
    assert report.decode_options("a, b\r\nc; d") == ("a, b", "c; d")


# --- question statistics ---------------------------------------------------------------


def stat(
    round_id: str, number: int, correct: int = 3, top_wrong: str | None = "1945"
) -> QuestionStat:
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
    assert body[2][5:8] == [75.0, '"1945" (1 person)', "Kết luận số 01 của Bộ Chính trị"]


def test_stats_rows_show_percent_and_the_wrong_option() -> None:
    tab = report.stats_tab(None, [stat("2023-03", 2, correct=1), stat("2023-03", 1)], language="vi")
    assert tab.rows[1][:7] == ["2023-03", 1, "Câu 1 của 2023-03", 4, 3, 75.0, '"1945" (1 người)']
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
    assert tab.rows[0] == ["Tổng kết thi trắc nghiệm năm 2023"]
    assert tab.rows[1] == [
        "Xếp hạng theo tổng điểm các kỳ; bằng nhau thì theo điểm trung bình, rồi số lần về nhất."
    ]
    h = tab.header_row
    assert h == 4 and tab.rows[h - 1] == [
        "Hạng",
        "Họ và tên",
        "Số kỳ tham gia",
        "Tổng điểm",
        "Điểm trung bình",
        "Số lần về nhất",
    ]
    assert tab.rows[h + 2] == [3, "Lê Văn Cường", 3, 20.0, 6.67, 0]
    assert tab.highlight_rows == {h + 1, h + 2}
    assert tab.page is not None and not tab.page.landscape and tab.page.repeat_rows == (h, h)
    english = report.season_tab(2023, rows, language="en")
    assert english.title == "Season 2023" and english.rows[0] == ["Quiz season 2023"]


def test_question_stats_of_a_ranked_round_name_the_wrong_option_as_members_saw_it() -> None:
    wrong = response("r9", "Võ Minh Khoa", 45, {Q1.text: ("=SUM(A1:A2)",)})
    result = rank_round(
        round_id="2023-03",
        questions=QUESTIONS,
        members=MEMBERS,
        submissions=[to_submission(r, QUESTIONS) for r in (*RESPONSES, wrong)],
        opened_at=OPENED,
        deadline=DEADLINE,
    )
    rows = report.stats_tab(None, question_stats(result), language="vi").rows
    # Q1: four ranked members answered, three right (75 %); the fourth ticked option D.
    assert rows[1] == [
        "2023-03", 1, Q1.text, 4, 3, 75.0, '"=SUM(A1:A2)" (1 người)', Q1.source,
    ]
    assert rows[2][6] == ""  # Q2: the wrong answers only missed an option


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
