"""The tabs the service writes, the ``automation init`` template, and reading them back.

Everything here is plain data: a :class:`~automation.ports.SheetTab` holds the
rows and the formatting hints (bold frozen header, widths, number formats, the
winner's highlight, notes, drop-downs, a chart) that both spreadsheet backends
apply. The service reads two of its own tabs back: ``Bài làm`` (to rank a
round again after a corrected answer key when there is no form to ask) and
``Kết quả`` (for the season table), so those are written in a form that reads
back exactly.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from automation import layout
from automation.i18n import Text
from automation.layout import RESULT_COLUMNS, Column
from automation.model import Entry, Question, QuestionStat, RoundResult, RoundScore, SeasonRow
from automation.ports import ChartSpec, FormResponse, InputError, SheetTab, Validation
from automation.text import Cell, cell_text, is_blank, normalize

DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
SHOWN_DATETIME = "%d/%m/%Y %H:%M:%S"  # the same, for times written as text

# --- results -------------------------------------------------------------------

ROUND_LABEL = Text("Kỳ thi", "Round")
QUESTION_COUNT = Text("Số câu hỏi", "Questions")
OPENED_LABEL = Text("Mở lúc", "Opened at")
DEADLINE_LABEL = Text("Hạn nộp bài", "Deadline")
CLOSED_LABEL = Text("Đóng lúc", "Closed at")
PARTICIPANTS_LABEL = Text("Tham gia / số đảng viên", "Participants / members")
UNRANKED_SECTION = Text("Có bài làm nhưng không xếp hạng", "Listed, not ranked")
ABSENT_SECTION = Text("Chưa tham gia", "Not taken part")
DISTRIBUTION_SECTION = Text("Phân bố điểm", "Score distribution")
DISTRIBUTION_SCORE = Text("Điểm", "Score")
DISTRIBUTION_COUNT = Text("Số người", "Members")
WINNER_NOTE = Text("Về nhất", "First place")
TIE_NOTE = Text("Đồng hạng {rank}", "Tied at rank {rank}")
BAD_RESULT_CELL = Text(
    "{tab}, dòng {row}, cột {column}: '{value}' không phải là số. Trang này do dịch vụ ghi; "
    "hãy đặt Trạng thái của kỳ thi là 'Xếp hạng lại' để ghi lại trang.",
    "{tab}, row {row}, column {column}: '{value}' is not a number. The service writes this "
    "tab; set the round's Status to 'Rank again' to write it anew.",
)

RESULT_WIDTHS = (24, 28, 11, 12, 17, 21, 34)  # the first also holds the header block labels
RESULT_FORMATS = {0: "0", 2: "0.00", 3: "0", 4: "@", 5: DATETIME_FORMAT}


def _shown(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime(SHOWN_DATETIME) if moment else ""


def duration_text(duration: timedelta) -> str:
    """A time taken as ``m:ss`` (minutes may exceed 59), whole seconds."""
    seconds = int(duration.total_seconds())
    sign = "-" if seconds < 0 else ""
    minutes, rest = divmod(abs(seconds), 60)
    return f"{sign}{minutes}:{rest:02d}"


def _score_label(score: float, language: str) -> str:
    text = f"{score:.2f}".rstrip("0").rstrip(".")
    return text if language == "en" else text.replace(".", ",")


def results_tab(result: RoundResult, *, language: str, tz: tzinfo) -> SheetTab:
    """``Kết quả <round>``: header block, ranked table, unranked, absentees, distribution."""
    rows: list[list[Cell]] = [
        [ROUND_LABEL(language), result.round_id],
        [QUESTION_COUNT(language), len(result.questions)],
        [OPENED_LABEL(language), _shown(result.opened_at, tz)],
        [DEADLINE_LABEL(language), _shown(result.deadline, tz)],
        [CLOSED_LABEL(language), _shown(result.closed_at, tz)],
        [PARTICIPANTS_LABEL(language), f"{result.participants} / {result.member_count}"],
        [],
        [column.header(language) for column in RESULT_COLUMNS],
    ]
    header_row = len(rows)
    bold = {1, header_row}
    highlight: set[int] = set()
    rank_counts = Counter(entry.rank for entry in result.ranked)
    for entry in result.ranked:
        notes = []
        if entry.rank == 1:
            notes.append(WINNER_NOTE(language))
            highlight.add(len(rows) + 1)
        if rank_counts[entry.rank] > 1:
            notes.append(TIE_NOTE(language, rank=entry.rank))
        rows.append(_entry_row(entry, "; ".join(notes), tz))
    if result.unranked:
        rows += [[], [UNRANKED_SECTION(language)]]
        bold.add(len(rows))
        for entry in result.unranked:
            reason = entry.reason.label(language) if entry.reason else ""
            rows.append(_entry_row(entry, reason, tz))
    if result.absent:
        rows += [[], [ABSENT_SECTION(language)]]
        bold.add(len(rows))
        rows += [
            [None, member.name, None, None, None, None, ABSENT_SECTION(language)]
            for member in result.absent
        ]
    chart = None
    counts = Counter(entry.score for entry in result.ranked)
    if counts:
        rows += [
            [],
            [DISTRIBUTION_SECTION(language)],
            [DISTRIBUTION_SCORE(language), DISTRIBUTION_COUNT(language)],
        ]
        bold.update({len(rows) - 1, len(rows)})
        first = len(rows) + 1
        rows += [[_score_label(score, language), counts[score]] for score in sorted(counts)]
        chart = ChartSpec(DISTRIBUTION_SECTION(language), 0, 1, first, len(rows))
    return SheetTab(
        title=layout.RESULTS.title(language, result.round_id),
        rows=rows,
        header_row=header_row,
        bold_rows=frozenset(bold),
        highlight_rows=frozenset(highlight),
        column_widths=RESULT_WIDTHS,
        number_formats=RESULT_FORMATS,
        chart=chart,
    )


def _entry_row(entry: Entry, note: str, tz: tzinfo) -> list[Cell]:
    """One response in the table; an unranked one has no rank."""
    return [
        entry.rank,
        entry.name,
        entry.score,
        entry.correct,
        duration_text(entry.duration),
        entry.submission.submitted_at.astimezone(tz),
        note,
    ]


def read_round_scores(round_id: str, rows: list[list[Cell]]) -> list[RoundScore]:
    """The ranked table of a results tab written by :func:`results_tab`, in either language.

    Reads from the table's header row down to the first blank row; the
    sections below (not ranked, not taken part) are not part of the round's scores.
    """
    found = _find_header(rows, RESULT_COLUMNS, ("rank", "name", "score"))
    if found is None:
        return []
    start, places, language = found
    tab = layout.RESULTS.title(language, round_id)
    scores: list[RoundScore] = []
    for index in range(start + 1, len(rows)):
        row = rows[index]
        if all(is_blank(value) for value in row):
            break
        rank_cell = _at(row, places["rank"])
        if is_blank(rank_cell):
            continue
        values = []
        for key, cell in (("rank", rank_cell), ("score", _at(row, places["score"]))):
            number = _number(cell)
            if number is None or (key == "rank" and not number.is_integer()):
                column = layout.RESULT_COLUMNS[0 if key == "rank" else 2].header(language)
                raise InputError(
                    BAD_RESULT_CELL(
                        language, tab=tab, row=index + 1, column=column, value=cell_text(cell)
                    )
                )
            values.append(number)
        name = cell_text(_at(row, places["name"]))
        scores.append(RoundScore(round_id, name, int(values[0]), round(values[1], 2)))
    return scores


# --- responses -----------------------------------------------------------------------------

SUBMITTED = Column("submitted_at", "Nộp lúc", "Submitted at")
RESPONDENT = Column("respondent", "Người làm bài", "Respondent")
STARTED = Column("started_at", "Bắt đầu lúc", "Started at")
RESPONSE_ID = Column("response_id", "Mã bài làm", "Response id")
SUBMITTED_EXACT = Column("submitted_exact", "Nộp lúc (chính xác)", "Submitted at (exact)")
STARTED_EXACT = Column("started_exact", "Bắt đầu lúc (chính xác)", "Started at (exact)")
RESPONSE_FIXED = (SUBMITTED, RESPONDENT, STARTED, RESPONSE_ID, SUBMITTED_EXACT, STARTED_EXACT)
BAD_MOMENT = Text(
    "{tab}, dòng {row}, cột {column}: '{value}' không phải ngày giờ. "
    "Hãy ghi theo dạng dd/mm/yyyy hh:mm:ss.",
    "{tab}, row {row}, column {column}: '{value}' is not a date and time. "
    "Write it as dd/mm/yyyy hh:mm:ss.",
)
MISSING_MOMENT = Text(
    "{tab}, dòng {row}: thiếu thời điểm nộp bài (cột {column}). Hãy điền lại từ bản gốc.",
    "{tab}, row {row}: the submission time is missing (column {column}). "
    "Fill it in from the original.",
)


def encode_options(options: Sequence[str]) -> str:
    """The options chosen, one per line; a backslash or line break inside one is escaped.

    Option texts may hold commas and semicolons, so only a line break separates them.
    """
    return "\n".join(
        o.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") for o in options
    )


def decode_options(text: str) -> tuple[str, ...]:
    """The inverse of :func:`encode_options` (a Windows line break counts as one)."""
    options = []
    for line in text.replace("\r\n", "\n").split("\n"):
        out, i = [], 0
        while i < len(line):
            char = line[i]
            if char == "\\" and i + 1 < len(line):
                escaped = {"\\": "\\", "n": "\n", "r": "\r"}.get(line[i + 1])
                if escaped is not None:
                    out.append(escaped)
                    i += 2
                    continue
            out.append(char)
            i += 1
        options.append("".join(out))
    return tuple(options)


def responses_tab(
    round_id: str,
    questions: Sequence[Question],
    responses: Sequence[FormResponse],
    *,
    language: str,
    tz: tzinfo,
) -> SheetTab:
    """``Bài làm <round>``: every response as received, in the order received.

    One column per question, headed by its title, then any other title a
    response carries. Times are shown in ``tz`` to the second and also kept
    exactly (ISO 8601) in the last two columns, so :func:`read_responses_tab`
    gives back the same responses.
    """
    titles = [q.text for q in questions]
    slots = {q.key: i for i, q in enumerate(questions)}
    from_response: set[int] = set()
    for response in responses:
        for title in response.answers:
            slot = slots.get(normalize(title))
            if slot is None:
                slots[normalize(title)] = len(titles)
                titles.append(title)
                from_response.add(len(titles) - 1)
            elif slot not in from_response:
                titles[slot] = title  # the title as the form showed it
                from_response.add(slot)
    head = [c.header(language) for c in RESPONSE_FIXED[:4]]
    tail = [c.header(language) for c in RESPONSE_FIXED[4:]]
    rows: list[list[Cell]] = [[*head, *titles, *tail]]
    for response in responses:
        cells: list[Cell] = [None] * len(titles)
        for title, chosen in response.answers.items():
            slot = slots[normalize(title)]
            if cells[slot] is None and chosen:
                cells[slot] = encode_options(chosen)
        started = response.started_at
        rows.append(
            [
                response.submitted_at.astimezone(tz),
                response.respondent,
                started.astimezone(tz) if started else None,
                response.response_id,
                *cells,
                response.submitted_at.isoformat(),
                started.isoformat() if started else None,
            ]
        )
    return SheetTab(
        title=layout.RESPONSES.title(language, round_id),
        rows=rows,
        header_row=1,
        column_widths=(21, 26, 21, 18, *([32] * len(titles)), 34, 34),
        number_formats={0: DATETIME_FORMAT, 2: DATETIME_FORMAT},
    )


def read_responses_tab(
    rows: list[list[Cell]], questions: Sequence[Question], *, tz: tzinfo
) -> list[FormResponse]:
    """The responses a tab written by :func:`responses_tab` holds, exactly as they were.

    The question titles are read from the tab itself (``questions`` is not
    needed for that; the caller grades against it). The fixed columns are
    found by their headers: the first four from the left, the two exact times
    from the right, so a question titled like one of them is still an answer
    column. A response's unanswered questions (blank cells) are left out of
    its answers.
    """
    header_at = None
    for index, row in enumerate(rows):
        if any(isinstance(v, str) and RESPONDENT.matches(v) for v in row) and any(
            isinstance(v, str) and SUBMITTED.matches(v) for v in row
        ):
            header_at = index
            break
    if header_at is None:
        return []
    titles = {
        c: value if isinstance(value, str) else cell_text(value)
        for c, value in enumerate(rows[header_at])
        if not is_blank(value)
    }
    fixed: dict[str, int] = {}
    english = 0
    for columns, order in (
        (RESPONSE_FIXED[:4], sorted(titles)),
        (RESPONSE_FIXED[4:], sorted(titles, reverse=True)),
    ):
        for column in columns:
            c = next(
                (c for c in order if c not in fixed.values() and column.matches(titles[c])), None
            )
            if c is not None:
                fixed[column.key] = c
                english += normalize(titles[c]) == normalize(column.en)
    answer_columns = [(c, t) for c, t in sorted(titles.items()) if c not in fixed.values()]
    language = "en" if english > len(fixed) / 2 else "vi"
    tab = layout.RESPONSES.title(language)
    responses = []
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if all(is_blank(v) for v in row):
            continue

        def moment(
            exact: Column, shown: Column, row: list[Cell] = row, number: int = index + 1
        ) -> datetime | None:
            for column in (exact, shown):
                value = _at(row, fixed[column.key]) if column.key in fixed else None
                if is_blank(value):
                    continue
                parsed = _parse_moment(value, tz)
                if parsed is None:
                    raise InputError(
                        BAD_MOMENT(
                            language,
                            tab=tab,
                            row=number,
                            column=column.header(language),
                            value=cell_text(value),
                        )
                    )
                return parsed
            return None

        submitted = moment(SUBMITTED_EXACT, SUBMITTED)
        if submitted is None:
            raise InputError(
                MISSING_MOMENT(language, tab=tab, row=index + 1, column=SUBMITTED.header(language))
            )
        answers = {}
        for c, title in answer_columns:
            value = _at(row, c)
            if not is_blank(value):
                answers[title] = decode_options(_raw_text(value))
        responses.append(
            FormResponse(
                response_id=_raw_text(_at(row, fixed.get("response_id"))),
                respondent=_raw_text(_at(row, fixed.get("respondent"))),
                submitted_at=submitted,
                answers=answers,
                started_at=moment(STARTED_EXACT, STARTED),
            )
        )
    return responses


def _parse_moment(value: Cell, tz: tzinfo) -> datetime | None:
    """A time as this module writes it (ISO text, a date-time cell, or shown text)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for shown in (SHOWN_DATETIME, "%d/%m/%Y %H:%M"):
            try:
                parsed = datetime.strptime(text, shown)
                break
            except ValueError:
                continue
        else:
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


# --- question statistics -------------------------------------------------------------------

STATS_COLUMNS = (
    Column("round", "Kỳ thi", "Round"),
    Column("number", "Câu số", "No."),
    Column("question", "Câu hỏi", "Question"),
    Column("answered", "Số người trả lời", "Answered"),
    Column("correct", "Số người trả lời đúng", "Correct"),
    Column("percent", "Tỉ lệ đúng (%)", "Correct (%)"),
    Column("top_wrong", "Phương án sai được chọn nhiều nhất", "Most chosen wrong option"),
    Column("source", "Nguồn", "Source"),
)
TOP_WRONG = Text("{letter} ({count} người)", "{letter} ({count} people)")


def stats_tab(
    existing: list[list[Cell]] | None, stats: Sequence[QuestionStat], *, language: str
) -> SheetTab:
    """``Thống kê câu hỏi``: one row per round and question, across all rounds.

    The rounds in ``stats`` replace their earlier rows; other rounds' rows in
    ``existing`` (the tab as read, in either language) are kept. Rows are
    sorted by round, then question number.
    """
    replaced = {normalize(s.round_id) for s in stats}
    body: list[list[Cell]] = []
    found = _find_header(existing or [], STATS_COLUMNS, ("round", "number"))
    if existing and found is not None:
        start, places, _ = found
        for row in existing[start + 1 :]:
            round_cell = _at(row, places["round"])
            if is_blank(round_cell) or normalize(cell_text(round_cell)) in replaced:
                continue
            body.append(
                [_at(row, places[c.key]) if c.key in places else None for c in STATS_COLUMNS]
            )
    for s in stats:
        top_wrong = TOP_WRONG(language, letter=s.top_wrong, count=s.top_wrong_count)
        body.append(
            [
                s.round_id,
                s.number,
                s.question,
                s.answered,
                s.correct,
                s.percent_correct,
                top_wrong if s.top_wrong else "",
                s.source,
            ]
        )
    body.sort(key=lambda row: (_natural(cell_text(row[0])), _number(row[1]) or 0.0))
    return SheetTab(
        title=layout.QUESTION_STATS.title(language),
        rows=[[c.header(language) for c in STATS_COLUMNS], *body],
        header_row=1,
        column_widths=(10, 8, 60, 16, 20, 14, 30, 34),
        number_formats={1: "0", 3: "0", 4: "0", 5: "0.0"},
    )


# --- the season ----------------------------------------------------------------------------

SEASON_COLUMNS = (
    Column("rank", "Hạng", "Rank"),
    Column("name", "Họ và tên", "Name"),
    Column("rounds", "Số kỳ tham gia", "Rounds taken"),
    Column("total", "Tổng điểm", "Total"),
    Column("average", "Điểm trung bình", "Average"),
    Column("first_places", "Số lần về nhất", "First places"),
)


def season_tab(year: int, rows: Sequence[SeasonRow], *, language: str) -> SheetTab:
    """``Tổng kết <year>``: the year's table, best first, the leader highlighted."""
    body: list[list[Cell]] = [
        [r.rank, r.name, r.rounds_taken, r.total, r.average, r.first_places] for r in rows
    ]
    return SheetTab(
        title=layout.SEASON.title(language, str(year)),
        rows=[[c.header(language) for c in SEASON_COLUMNS], *body],
        header_row=1,
        highlight_rows=frozenset(i for i, r in enumerate(rows, start=2) if r.rank == 1),
        column_widths=(8, 28, 15, 12, 16, 15),
        number_formats={0: "0", 2: "0", 3: "0.00", 4: "0.00", 5: "0"},
    )


# --- helpers -------------------------------------------------------------------------------


def _at(row: Sequence[Cell], index: int | None) -> Cell:
    return row[index] if index is not None and index < len(row) else None


def _raw_text(value: Cell) -> str:
    """Text exactly as stored; other values as the sheet shows them."""
    return value if isinstance(value, str) else cell_text(value)


def _number(value: Cell) -> float | None:
    """A number cell, or text holding one (a decimal comma is accepted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``2023-9`` before ``2023-10``."""
    parts = re.findall(r"\d+|\D+", normalize(text))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def _find_header(
    rows: Sequence[Sequence[Cell]], columns: Sequence[Column], needed: Sequence[str]
) -> tuple[int, dict[str, int], str] | None:
    """The first row holding the ``needed`` headers: (index, key → column, its language)."""
    for index, row in enumerate(rows):
        places: dict[str, int] = {}
        english = 0
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            for column in columns:
                if column.key not in places and column.matches(value):
                    places[column.key] = c
                    english += normalize(value) == normalize(column.en) != normalize(column.vi)
                    break
        if all(key in places for key in needed):
            return index, places, "en" if english > len(places) / 2 else "vi"
    return None


# --- the `automation init` template --------------------------------------------------------

#: When the example round opens: a wall time in the configured zone, edited by the secretary.
EXAMPLE_OPENS_AT = datetime(2027, 1, 12, 19, 30)

CHI_THI_22 = "Chỉ thị số 22, ngày 13-7-2022"
QUY_DINH_1120 = "Quy định số 1120, ngày 01-6-2022"
KET_LUAN_01 = "Kết luận số 01 của Bộ Chính trị"
THE_LE = "Thể lệ thi trắc nghiệm hằng tháng của chi bộ"
MO_HINH = "Mô hình “Khắc sâu tư tưởng của đảng viên”, Chi bộ Trường Tiểu học Long Trị A1"
SAU_TOT = "Mô hình “Chi bộ 6 tốt, đảng viên 6 tốt”, Đảng ủy xã Long Trị A"

# (question, options, answer, points, source, explanation, for the example round)
_EXAMPLES: tuple[tuple[str, tuple[Cell, ...], str, int | None, str, str, bool], ...] = (
    (
        "Chỉ thị số 22, ngày 13-7-2022 về tăng cường sự lãnh đạo của Đảng trong xây dựng "
        "đội ngũ cán bộ, đảng viên, công chức, viên chức của tỉnh nào?",
        ("Hậu Giang", "Cần Thơ", "Sóc Trăng", "Bạc Liêu"),
        "A",
        None,
        CHI_THI_22,
        "Chỉ thị số 22 nói về đội ngũ cán bộ, đảng viên, công chức, viên chức tỉnh Hậu Giang.",
        False,
    ),
    (
        "Chỉ thị số 22 về xây dựng đội ngũ cán bộ, đảng viên, công chức, viên chức tỉnh "
        "Hậu Giang được ban hành ngày nào?",
        ("01-6-2022", "13-7-2022", "19-5-2022", "02-9-2022"),
        "B",
        None,
        CHI_THI_22,
        "Chỉ thị số 22 ban hành ngày 13-7-2022.",
        False,
    ),
    (
        "Theo Chỉ thị số 22, đội ngũ cán bộ, đảng viên, công chức, viên chức tỉnh Hậu Giang "
        "cần có những phẩm chất nào? (Chọn tất cả các ý đúng.)",
        (
            "Bản lĩnh chính trị vững vàng",
            "Phẩm chất đạo đức tốt",
            "Có khát vọng, năng lực, uy tín ngang tầm nhiệm vụ",
            "Chỉ cần có thâm niên công tác lâu năm",
        ),
        "A, B, C",
        2,
        CHI_THI_22,
        "Chỉ thị nêu: bản lĩnh chính trị vững vàng, phẩm chất đạo đức tốt, có khát vọng, "
        "năng lực, uy tín ngang tầm nhiệm vụ.",
        False,
    ),
    (
        "Quy định số 1120, ngày 01-6-2022 của Ban Chấp hành Đảng bộ tỉnh quy định về nội dung gì?",
        (
            "Chế độ sinh hoạt chi bộ hằng tháng",
            "Bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức, "
            "người lao động",
            "Công tác thi đua, khen thưởng",
            "Tuyển dụng công chức, viên chức",
        ),
        "B",
        None,
        QUY_DINH_1120,
        "Quy định số 1120 quy định bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ, công chức, "
        "viên chức, người lao động trên địa bàn tỉnh.",
        False,
    ),
    (
        "Quy định về bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức, "
        "người lao động trên địa bàn tỉnh, ngày 01-6-2022, mang số nào?",
        (22, 1120, 5, 1),
        "B",
        None,
        QUY_DINH_1120,
        "Đó là Quy định số 1120.",
        False,
    ),
    (
        "Quy định số 1120, ngày 01-6-2022 do cơ quan nào ban hành?",
        ("Bộ Chính trị", "Ban Chấp hành Đảng bộ tỉnh", "Thị ủy Long Mỹ", "Ban Bí thư"),
        "B",
        None,
        QUY_DINH_1120,
        "Quy định số 1120 là của Ban Chấp hành Đảng bộ tỉnh.",
        False,
    ),
    (
        "Kết luận số 01 của Bộ Chính trị là về tiếp tục thực hiện văn bản nào?",
        ("Chỉ thị số 05 của Bộ Chính trị", CHI_THI_22, QUY_DINH_1120, "Nghị quyết đại hội chi bộ"),
        "A",
        None,
        KET_LUAN_01,
        "Kết luận số 01 là về tiếp tục thực hiện Chỉ thị số 05 của Bộ Chính trị.",
        False,
    ),
    (
        "Chỉ thị số 05 của Bộ Chính trị, được Kết luận số 01 tiếp tục thực hiện, có nội dung gì?",
        (
            "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "Bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ",
            "Tăng cường công tác kiểm tra, giám sát",
            "Xây dựng chi bộ trong sạch, vững mạnh",
        ),
        "A",
        None,
        KET_LUAN_01,
        "Chỉ thị số 05 về “Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách "
        "Hồ Chí Minh”.",
        False,
    ),
    (
        "Kết luận số 01 về tiếp tục thực hiện Chỉ thị số 05 do cơ quan nào ban hành?",
        ("Quốc hội", "Chính phủ", "Bộ Chính trị", "Ban Chấp hành Đảng bộ tỉnh"),
        "C",
        None,
        KET_LUAN_01,
        "Đó là Kết luận số 01 của Bộ Chính trị.",
        False,
    ),
    (
        "Mỗi kỳ thi trắc nghiệm hằng tháng của chi bộ có bao nhiêu câu hỏi?",
        ("3 câu", "Từ 5 đến 10 câu, tùy theo nội dung", "20 câu", "50 câu"),
        "B",
        None,
        THE_LE,
        "Mỗi kỳ có từ 5 đến 10 câu hỏi, tùy theo nội dung.",
        False,
    ),
    (
        "Số điểm tối đa của mỗi kỳ thi trắc nghiệm là bao nhiêu?",
        (5, 10, 20, 100),
        "B",
        None,
        THE_LE,
        "Điểm tối đa là 10.",
        False,
    ),
    (
        "Thời gian bình quân cho mỗi câu trả lời trực tuyến là bao lâu?",
        ("10 giây", "30 giây", "1 phút", "5 phút"),
        "B",
        None,
        THE_LE,
        "Bình quân 30 giây cho mỗi câu.",
        False,
    ),
    (
        "Ai là người về nhất trong kỳ thi tháng?",
        (
            "Người nộp bài sớm nhất, dù điểm thấp",
            "Người có điểm cao nhất; nếu bằng điểm, người nộp bài sớm hơn",
            "Người lớn tuổi đảng nhất",
            "Người được chi ủy chỉ định",
        ),
        "B",
        None,
        THE_LE,
        "Người có điểm cao nhất và nộp bài sớm nhất về nhất, được tuyên dương, tặng quà lưu niệm.",
        False,
    ),
    (
        "Trong mô hình “Chi bộ 6 tốt, đảng viên 6 tốt”, nội dung “đảng viên 6 tốt” được xác "
        "định trên bao nhiêu tiêu chí?",
        (4, 5, 6, 8),
        "C",
        None,
        SAU_TOT,
        "“Đảng viên 6 tốt” được xác định trên 6 tiêu chí.",
        False,
    ),
    (
        "Mô hình “Khắc sâu tư tưởng của đảng viên” được Chi bộ Trường Tiểu học Long Trị A1 "
        "thực hiện vào năm nào?",
        (2020, 2021, 2022, 2023),
        "C",
        None,
        MO_HINH,
        "Mô hình được thực hiện vào năm 2022; đầu năm 2023 được Thị ủy Long Mỹ công nhận.",
        True,
    ),
    (
        "Chi bộ tổ chức thi trắc nghiệm tìm hiểu chỉ thị, nghị quyết vào dịp nào?",
        (
            "Trong cuộc sinh hoạt chi bộ hằng tháng",
            "Chỉ vào dịp đại hội chi bộ",
            "Vào hội nghị tổng kết cuối năm",
            "Khi có đợt kiểm tra của cấp trên",
        ),
        "A",
        None,
        MO_HINH,
        "Chi bộ tổ chức thi trong cuộc sinh hoạt lệ hằng tháng.",
        True,
    ),
)

_MEMBERS = (
    ("Nguyễn Văn An", "an.nguyen@example.com", "Bí thư chi bộ (ví dụ)"),
    ("Trần Thị Bích Ngọc", "ngoc.tran@example.com", ""),
    ("Lê Hoàng Phúc", "", ""),
    ("Phạm Thu Hà", "ha.pham@example.com", ""),
    ("Võ Minh Khoa", "", ""),
    ("Huỳnh Thị Mai", "", ""),
)

_OPTION_NOTE = Text(
    "Phương án {letter}. Điền ít nhất 2 phương án, liên tiếp từ A (không bỏ trống B rồi điền C), "
    "không trùng nhau.",
    "Option {letter}. Fill at least 2 options, in order from A (no C without B), no two alike.",
)
_NOTES = {
    ("questions", "round"): Text(
        "Để trống: câu hỏi thuộc ngân hàng chung, dùng cho mọi kỳ. Ghi mã kỳ thi (như ở trang "
        "Lịch thi, ví dụ 2023-03): câu hỏi dành riêng cho kỳ đó và được chọn trước.",
        "Blank: the question is in the general pool. A round id (as in Schedule, e.g. "
        "2023-03): the question belongs to that round and is chosen first.",
    ),
    ("questions", "question"): Text("Nội dung câu hỏi (bắt buộc).", "The question (required)."),
    ("questions", "answer"): Text(
        "Bắt buộc: chữ cái của phương án đúng, ví dụ B. Câu phải chọn đủ nhiều phương án mới "
        "đúng: ghi các chữ cách nhau bằng dấu phẩy, ví dụ A, C.",
        "Required: the letter of the correct option, e.g. B. For a question where several "
        "must all be ticked, separate the letters with commas, e.g. A, C.",
    ),
    ("questions", "points"): Text(
        "Không bắt buộc: số nguyên dương, mặc định 1 (câu khó có thể cho 2). "
        "Tổng điểm được quy về thang điểm 10.",
        "Optional: a positive whole number, default 1 (a hard question may count 2). "
        "The total is scaled to 10.",
    ),
    ("questions", "source"): Text(
        "Không bắt buộc: văn bản mà câu hỏi tìm hiểu; hiện trong trang Thống kê câu hỏi.",
        "Optional: the document the question tests; shown in Question stats.",
    ),
    ("questions", "explanation"): Text(
        "Không bắt buộc: lời giải thích hiện cho đảng viên sau khi nộp bài.",
        "Optional: the explanation shown to the member after submitting.",
    ),
    ("questions", "used_in"): Text(
        "Dịch vụ tự ghi các kỳ thi đã dùng câu hỏi này; không cần sửa. "
        "Câu đã dùng không được chọn lại từ ngân hàng chung.",
        "Written by the service: the rounds that used this question; leave it. "
        "A used question is not drawn again from the general pool.",
    ),
    ("members", "name"): Text(
        "Bắt buộc, không trùng nhau. Đảng viên chọn tên này khi làm bài.",
        "Required, no two alike. Members pick this name when taking the quiz.",
    ),
    ("members", "email"): Text(
        'Không bắt buộc; cần khi cấu hình identity = "email" (đăng nhập tài khoản Google).',
        'Optional; required when the config says identity = "email" (Google sign-in).',
    ),
    ("members", "note"): Text(
        "Không bắt buộc; dịch vụ không đọc cột này.",
        "Optional; the service does not read it.",
    ),
    ("schedule", "round"): Text(
        "Bắt buộc, không trùng nhau, ví dụ 2023-03. Trang kết quả mang tên này "
        "(không dùng các ký tự / \\ ? * [ ] :).",
        "Required, no two alike, e.g. 2023-03. The results tab is named after it "
        "(no / \\ ? * [ ] : characters).",
    ),
    ("schedule", "opens_at"): Text(
        "Bắt buộc: ngày giờ mở bài thi, dạng dd/mm/yyyy hh:mm (giờ địa phương). Sửa sang giờ "
        "mới để dời lịch.",
        "Required: when the quiz opens, as dd/mm/yyyy hh:mm (local time). Change it to reschedule.",
    ),
    ("schedule", "questions"): Text(
        "Không bắt buộc: từ 5 đến 10 câu; để trống thì theo cấu hình.",
        "Optional: 5 to 10 questions; blank takes the configured number.",
    ),
    ("schedule", "seconds"): Text(
        "Không bắt buộc: số giây cho mỗi câu, mặc định 30.",
        "Optional: seconds per question, default 30.",
    ),
    ("schedule", "status"): Text(
        "Dịch vụ tự ghi: Chờ, Đã chuẩn bị, Đang mở, Đã đóng, Đã xếp hạng, Lỡ lịch, Lỗi. "
        "Muốn chấm lại sau khi sửa đáp án, ghi: Xếp hạng lại.",
        "Written by the service: Pending, Prepared, Open, Closed, Ranked, Missed, Error. "
        "To rank again after fixing an answer, write: Rank again.",
    ),
    ("schedule", "form_link"): Text(
        "Dịch vụ tự ghi: đường link đảng viên mở để làm bài.",
        "Written by the service: the link members open.",
    ),
    ("schedule", "form_id"): Text(
        "Dịch vụ tự ghi; không sửa.", "Written by the service; leave it."
    ),
    ("schedule", "opened_at"): Text(
        "Dịch vụ tự ghi: lúc bài thi thực sự bắt đầu nhận bài.",
        "Written by the service: when the quiz actually started taking responses.",
    ),
    ("schedule", "closed_at"): Text(
        "Dịch vụ tự ghi: lúc bài thi đóng.", "Written by the service: when the quiz closed."
    ),
    ("schedule", "note"): Text(
        "Dịch vụ tự ghi khi có việc cần sửa (Trạng thái Lỗi hoặc Lỡ lịch): làm theo hướng dẫn "
        "ở đây, lần chạy sau sẽ thử lại.",
        "Written by the service when something needs fixing (status Error or Missed): "
        "follow it; the next run retries.",
    ),
}
#: How many rows the template's drop-downs cover.
TEMPLATE_ROWS = 500


def template_tabs(language: str, *, opens_at: datetime | None = None) -> list[SheetTab]:
    """The secretary's three tabs with example rows, for ``automation init``.

    The examples come from the article the practice comes from (14 questions
    in the general pool, one that needs several options, two for the example
    round; six fictional members; one round opening at ``opens_at``, a wall
    time in the configured zone). Every header carries a note saying what
    goes in it.
    """
    opens = opens_at or EXAMPLE_OPENS_AT
    round_id = f"{opens:%Y-%m}"
    questions = layout.QUESTIONS
    question_rows: list[list[Cell]] = []
    for text, options, answer, points, source, explanation, in_round in _EXAMPLES:
        padded = [*options, *([None] * (len(layout.OPTION_LETTERS) - len(options)))]
        question_rows.append(
            [
                round_id if in_round else None,
                text,
                *padded,
                answer,
                points,
                source,
                explanation,
                None,
            ]
        )
    members: list[list[Cell]] = [
        [name, email or None, note or None] for name, email, note in _MEMBERS
    ]
    schedule: list[list[Cell]] = [[round_id, opens, 10, 30]]
    return [
        _template(
            questions,
            question_rows,
            language,
            widths=(10, 60, *([26] * len(layout.OPTION_LETTERS)), 9, 7, 32, 45, 14),
        ),
        _template(layout.MEMBERS, members, language, widths=(28, 30, 30)),
        _template(
            layout.SCHEDULE,
            schedule,
            language,
            widths=(10, 18, 8, 13, 14, 40, 20, 20, 20, 50),
            formats={1: "dd/mm/yyyy hh:mm", 7: DATETIME_FORMAT, 8: DATETIME_FORMAT},
            validations=(Validation(2, 2, TEMPLATE_ROWS, tuple(str(n) for n in range(5, 11))),),
        ),
    ]


def _template(
    spec: layout.TabSpec,
    rows: list[list[Cell]],
    language: str,
    *,
    widths: tuple[int, ...],
    formats: dict[int, str] | None = None,
    validations: tuple[Validation, ...] = (),
) -> SheetTab:
    notes = {}
    columns = [column for column in spec.columns if column.in_template]
    for c, column in enumerate(columns, start=1):
        note = _NOTES.get((spec.key, column.key))
        if note is None and column.key in layout.OPTION_LETTERS:
            note = _OPTION_NOTE
            notes[(1, c)] = note(language, letter=column.key)
        elif note is not None:
            notes[(1, c)] = note(language)
    return SheetTab(
        title=spec.title(language),
        rows=[[column.header(language) for column in columns], *rows],
        header_row=1,
        column_widths=widths,
        number_formats=formats or {},
        notes=notes,
        validations=validations,
    )
