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
from automation.i18n import Text, count
from automation.layout import RESULT_COLUMNS, Column
from automation.model import Entry, QuestionStat, RoundResult, RoundScore, SeasonRow
from automation.ports import CellStyle, ChartSpec, InputError, PageSetup, SheetTab
from automation.responsestab import (
    code_verdicts,
    decode_options,
    encode_options,
    read_responses_tab,
    responses_tab,
)
from automation.tabcells import DATETIME_FORMAT, at, find_header, local, natural, number
from automation.template import template_tabs
from automation.text import Cell, cell_text, is_blank, normalize

__all__ = [
    "DATETIME_FORMAT",
    "code_verdicts",
    "decode_options",
    "duration_text",
    "encode_options",
    "plain_name",
    "read_responses_tab",
    "read_round_scores",
    "responses_tab",
    "results_tab",
    "season_tab",
    "stats_tab",
    "template_tabs",
]

# --- results -------------------------------------------------------------------

RESULTS_TITLE = Text("Kết quả thi trắc nghiệm", "Quiz results")
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
FOOTER = Text("{title} — trang {{page}}/{{pages}}", "{title} — page {{page}} of {{pages}}")
BAD_RESULT_CELL = Text(
    "{tab}, dòng {row}, cột {column}: '{value}' không phải là số. Trang này do dịch vụ ghi; "
    "hãy đặt Trạng thái của kỳ thi là 'Xếp hạng lại' để ghi lại trang.",
    "{tab}, row {row}, column {column}: '{value}' is not a number. The service writes this "
    "tab; set the round's Status to 'Rank again' to write it anew.",
)
#: Between a winner's name and the words saying so, in the name cell.
WINNER_MARK = " — "

# Seven columns that fit one A4 page across (landscape); the header block's labels sit
# in the name column (B) and the time column (E), their values beside them (C, F).
RESULT_WIDTHS = (7, 30, 12, 16, 18, 20, 28)
RESULT_FORMATS = {0: "0", 2: "0.00", 3: "0", 4: "@", 5: DATETIME_FORMAT}
RESULT_ALIGN = {0: "center", 1: "left", 2: "center", 3: "center", 4: "center", 5: "center"}
LEFT = CellStyle(align="left")
TITLE = CellStyle(bold=True, size=14, align="left")
SECTION = CellStyle(bold=True, align="left")
SCORE = CellStyle(align="center", number_format="0.00")
#: A chart's value axis gets at most this many ticks (a step of 1, 2, 5, 10, 20, 50 …).
MAX_TICKS = 8


def duration_text(duration: timedelta) -> str:
    """A time taken as ``m:ss`` (minutes may exceed 59), whole seconds."""
    seconds = int(duration.total_seconds())
    sign = "-" if seconds < 0 else ""
    minutes, rest = divmod(abs(seconds), 60)
    return f"{sign}{minutes}:{rest:02d}"


def winner_name(name: str, language: str) -> str:
    """The name cell of a winner: ``Trần Thị Bình — Về nhất``."""
    return f"{name}{WINNER_MARK}{WINNER_NOTE(language)}"


def plain_name(cell: str) -> str:
    """A name cell of the ranked table without the winner's words (written in either language)."""
    for language in ("vi", "en"):
        suffix = WINNER_MARK + WINNER_NOTE(language)
        if normalize(cell).endswith(normalize(suffix)):
            return cell_text(cell)[: -len(suffix)].rstrip()
    return cell_text(cell)


def count_axis(largest: int) -> tuple[int, int]:
    """(step, top) of a value axis that counts people: whole steps, at least four of them.

    Four or more whole steps also keep Google's own gridlines on whole numbers,
    since the Sheets API cannot set a tick step.
    """
    for exponent in range(32):
        for mantissa in (1, 2, 5):
            step = mantissa * 10**exponent
            ticks = -(-largest // step)
            if ticks <= MAX_TICKS:
                return step, step * max(4, ticks)
    raise ValueError(f"no axis for {largest}")


def results_tab(result: RoundResult, *, language: str, tz: tzinfo) -> SheetTab:
    """``Kết quả <round>``: header block, ranked table, unranked, absentees, distribution.

    Laid out to print on one A4 page across (landscape), the table's header
    repeated on every page. A winner's row is bold and highlighted, and
    ``Về nhất`` stands beside the name (every member tied at rank 1 gets it).
    Times are date-time cells in ``tz``.
    """
    participants = f"{result.participants} / {result.member_count}"
    rows: list[list[Cell]] = [
        [RESULTS_TITLE(language)],
        [None, ROUND_LABEL(language), result.round_id, None,
         OPENED_LABEL(language), local(result.opened_at, tz)],
        [None, QUESTION_COUNT(language), len(result.questions), None,
         DEADLINE_LABEL(language), local(result.deadline, tz)],
        [None, PARTICIPANTS_LABEL(language), participants, None,
         CLOSED_LABEL(language), local(result.closed_at, tz)],
        [],
        [column.header(language) for column in RESULT_COLUMNS],
    ]
    header_row = len(rows)
    styles = {(1, 1): TITLE}
    for r in (2, 3, 4):
        styles[(r, 3)] = LEFT
        styles[(r, 6)] = CellStyle(align="left", number_format=DATETIME_FORMAT)
    bold: set[int] = set()
    highlight: set[int] = set()
    rank_counts = Counter(entry.rank for entry in result.ranked)
    for entry in result.ranked:
        name = entry.name
        if entry.rank == 1:
            name = winner_name(name, language)
            highlight.add(len(rows) + 1)
        tie = TIE_NOTE(language, rank=entry.rank) if rank_counts[entry.rank] > 1 else ""
        rows.append(_entry_row(entry, name, tie, tz))

    def section(title: str) -> None:
        rows.extend([[], [title]])
        styles[(len(rows), 1)] = SECTION

    if result.unranked:
        section(UNRANKED_SECTION(language))
        for entry in result.unranked:
            reason = entry.reason.label(language) if entry.reason else ""
            rows.append(_entry_row(entry, entry.name, reason, tz))
    if result.absent:
        section(ABSENT_SECTION(language))
        rows += [
            [None, member.name, None, None, None, None, ABSENT_SECTION(language)]
            for member in result.absent
        ]
    chart = None
    counts = Counter(entry.score for entry in result.ranked)
    if counts:
        section(DISTRIBUTION_SECTION(language))
        anchor = len(rows)
        rows.append([DISTRIBUTION_SCORE(language), DISTRIBUTION_COUNT(language)])
        bold.add(len(rows))
        first = len(rows) + 1
        for score in sorted(counts):
            rows.append([score, counts[score]])
            styles[(len(rows), 1)] = SCORE  # as the table shows scores, in any locale
        step, top = count_axis(max(counts.values()))
        # Beside its table, under the ranked table's right-hand columns: on the same paper.
        chart = ChartSpec(DISTRIBUTION_SECTION(language), 0, 1, first, len(rows),
                          anchor_row=anchor, anchor_column=3, value_step=step, value_max=top,
                          width_cm=14, height_cm=7)
    title = layout.RESULTS.title(language, result.round_id)
    return SheetTab(
        title=title,
        rows=rows,
        header_row=header_row,
        bold_rows=frozenset(bold | highlight),
        highlight_rows=frozenset(highlight),
        column_widths=RESULT_WIDTHS,
        number_formats=RESULT_FORMATS,
        chart=chart,
        alignments=RESULT_ALIGN,
        cell_styles=styles,
        wrap_columns=frozenset({6}),
        wrap_header=True,
        page=PageSetup(landscape=True, repeat_rows=(header_row, header_row),
                       footer=FOOTER(language, title=title)),
    )


def _entry_row(entry: Entry, name: str, note: str, tz: tzinfo) -> list[Cell]:
    """One response in the table; an unranked one has no rank."""
    return [
        entry.rank,
        name,
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
    A winner's name is read without the ``Về nhất`` beside it.
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
        name = plain_name(cell_text(at(row, places["name"])))
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
TOP_WRONG = Text('"{option}" ({people})', '"{option}" ({people})')
STATS_ALIGN = {0: "center", 1: "center", 3: "center", 4: "center", 5: "center"}


def stats_tab(
    existing: list[list[Cell]] | None, stats: Sequence[QuestionStat], *, language: str
) -> SheetTab:
    """``Thống kê câu hỏi``: one row per round and question, across all rounds.

    The rounds in ``stats`` replace their earlier rows; other rounds' rows in
    ``existing`` (the tab as read, in either language) are kept. Rows are
    sorted by round, then question number. The most chosen wrong option is
    named by its text (members saw the options shuffled, so its letter means
    nothing to them). Prints across one A4 page (landscape), long texts wrapped.
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
        top_wrong = TOP_WRONG(language, option=s.top_wrong, people=count(
            language, s.top_wrong_count, "người", "person", "people"))
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
        column_widths=(10, 7, 50, 11, 11, 10, 30, 28),
        number_formats={1: "0", 3: "0", 4: "0", 5: "0.0"},
        alignments=STATS_ALIGN,
        wrap_columns=frozenset({2, 6, 7}),
        wrap_header=True,
        page=PageSetup(landscape=True, repeat_rows=(1, 1),
                       footer=FOOTER(language, title=layout.QUESTION_STATS.title(language))),
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


SEASON_TITLE = Text("Tổng kết thi trắc nghiệm năm {year}", "Quiz season {year}")
SEASON_RULE = Text(
    "Xếp hạng theo tổng điểm các kỳ; bằng nhau thì theo điểm trung bình, rồi số lần về nhất.",
    "Ranked by the total of the rounds; then by the average, then by first places.",
)
SEASON_ALIGN = {0: "center", 2: "center", 3: "center", 4: "center", 5: "center"}


def season_tab(year: int, rows: Sequence[SeasonRow], *, language: str) -> SheetTab:
    """``Tổng kết <year>``: the year's table, best first, the leaders bold and highlighted.

    A title and the ranking rule above the table, for the year-end meeting's
    paper (one A4 page across, portrait).
    """
    head: list[list[Cell]] = [
        [SEASON_TITLE(language, year=year)],
        [SEASON_RULE(language)],
        [],
        [c.header(language) for c in SEASON_COLUMNS],
    ]
    header_row = len(head)
    body: list[list[Cell]] = [
        [r.rank, r.name, r.rounds_taken, r.total, r.average, r.first_places] for r in rows
    ]
    title = layout.SEASON.title(language, str(year))
    return SheetTab(
        title=title,
        rows=[*head, *body],
        header_row=header_row,
        highlight_rows=frozenset(
            i for i, r in enumerate(rows, start=header_row + 1) if r.rank == 1
        ),
        column_widths=(7, 32, 11, 11, 11, 11),
        number_formats={0: "0", 2: "0", 3: "0.00", 4: "0.00", 5: "0"},
        alignments=SEASON_ALIGN,
        cell_styles={(1, 1): TITLE, (2, 1): LEFT},
        wrap_header=True,
        page=PageSetup(repeat_rows=(header_row, header_row),
                       footer=FOOTER(language, title=title)),
    )
