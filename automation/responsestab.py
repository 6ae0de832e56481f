"""``Bài làm <round>``: every response as received, written so it reads back exactly.

The audit trail of a round, and what lets a round be ranked again after a
corrected answer key when there is no form to ask: :func:`read_responses_tab`
gives back the very responses :func:`responses_tab` was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from automation import layout
from automation.i18n import Text
from automation.layout import Column
from automation.model import Question
from automation.ports import FormResponse, InputError, SheetTab
from automation.tabcells import DATETIME_FORMAT, SHOWN_DATETIME, at, raw_text
from automation.text import Cell, cell_text, is_blank, normalize

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
                value = at(row, fixed[column.key]) if column.key in fixed else None
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
            value = at(row, c)
            if not is_blank(value):
                answers[title] = decode_options(raw_text(value))
        responses.append(
            FormResponse(
                response_id=raw_text(at(row, fixed.get("response_id"))),
                respondent=raw_text(at(row, fixed.get("respondent"))),
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


