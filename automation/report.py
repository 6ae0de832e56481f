"""The tabs the secretary reads after a round: results, question statistics, the season.

Everything here is plain data: a :class:`~automation.ports.SheetTab` holds the
rows and the formatting hints (bold frozen header, widths, number formats, the
winner's highlight, notes, drop-downs, a chart) that both spreadsheet backends
apply. The service reads ``Kết quả`` back for the season table, so its ranked
table is written in a form that reads back exactly.

The responses tab (:mod:`automation.responsestab`) and the ``automation init``
template (:mod:`automation.template`) live in their own modules; their public
functions are importable from here too, as callers have always used them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta, tzinfo

from automation import layout
from automation.i18n import Text
from automation.layout import RESULT_COLUMNS, Column
from automation.model import Entry, QuestionStat, RoundResult, RoundScore, SeasonRow
from automation.ports import ChartSpec, InputError, SheetTab
from automation.responsestab import (
    decode_options,
    encode_options,
    read_responses_tab,
    responses_tab,
)
from automation.tabcells import DATETIME_FORMAT, at, find_header, natural, number, shown
from automation.template import template_tabs
from automation.text import Cell, cell_text, is_blank, normalize

__all__ = [
    "decode_options",
    "duration_text",
    "encode_options",
    "read_responses_tab",
    "read_round_scores",
    "responses_tab",
    "results_tab",
    "season_tab",
    "stats_tab",
    "template_tabs",
]

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
        [OPENED_LABEL(language), shown(result.opened_at, tz)],
        [DEADLINE_LABEL(language), shown(result.deadline, tz)],
        [CLOSED_LABEL(language), shown(result.closed_at, tz)],
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
    found = find_header(rows, RESULT_COLUMNS, ("rank", "name", "score"))
    if found is None:
        return []
    start, places, language = found
    tab = layout.RESULTS.title(language, round_id)
    scores: list[RoundScore] = []
    for index in range(start + 1, len(rows)):
        row = rows[index]
        if all(is_blank(value) for value in row):
            break
        rank_cell = at(row, places["rank"])
        if is_blank(rank_cell):
            continue
        values = []
        for key, cell in (("rank", rank_cell), ("score", at(row, places["score"]))):
            value = number(cell)
            if value is None or (key == "rank" and not value.is_integer()):
                column = layout.RESULT_COLUMNS[0 if key == "rank" else 2].header(language)
                raise InputError(
                    BAD_RESULT_CELL(
                        language, tab=tab, row=index + 1, column=column, value=cell_text(cell)
                    )
                )
            values.append(value)
        name = cell_text(at(row, places["name"]))
        scores.append(RoundScore(round_id, name, int(values[0]), round(values[1], 2)))
    return scores


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
    found = find_header(existing or [], STATS_COLUMNS, ("round", "number"))
    if existing and found is not None:
        start, places, _ = found
        for row in existing[start + 1 :]:
            round_cell = at(row, places["round"])
            if is_blank(round_cell) or normalize(cell_text(round_cell)) in replaced:
                continue
            body.append(
                [at(row, places[c.key]) if c.key in places else None for c in STATS_COLUMNS]
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
    body.sort(key=lambda row: (natural(cell_text(row[0])), number(row[1]) or 0.0))
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


