"""``Bài làm <round>``: every response as received, written so it reads back exactly.

The audit trail of a round, and what lets a round be ranked again after a
corrected answer key when there is no form to ask: :func:`read_responses_tab`
gives back the very responses :func:`responses_tab` was given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from automation import layout
from automation.i18n import Text
from automation.layout import Column
from automation.model import Question, Reason, RoundResult
from automation.ports import FormResponse, InputError, PageSetup, SheetTab
from automation.tabcells import DATETIME_FORMAT, SHOWN_DATETIME, at, local, raw_text
from automation.text import Cell, cell_text, is_blank, normalize

SUBMITTED = Column("submitted_at", "Nộp lúc", "Submitted at")
RESPONDENT = Column("respondent", "Người làm bài", "Respondent")
CODE = Column("code", "Mã cá nhân", "Code")
DEVICE = Column("client", "Thiết bị", "Device")
STARTED = Column("started_at", "Bắt đầu lúc", "Started at")
EDITED = Column("edited_at", "Sửa lúc", "Edited at")
RESPONSE_ID = Column("response_id", "Mã bài làm", "Response id")
SUBMITTED_EXACT = Column("submitted_exact", "Nộp lúc (chính xác)", "Submitted at (exact)")
STARTED_EXACT = Column("started_exact", "Bắt đầu lúc (chính xác)", "Started at (exact)")
EDITED_EXACT = Column("edited_exact", "Sửa lúc (chính xác)", "Edited at (exact)")
#: Before the answers, found from the left: who answered, when, from which device.
HEAD = (SUBMITTED, RESPONDENT, CODE, DEVICE)
#: After the answers, found from the right: the rest, and the times to the microsecond.
TAIL = (STARTED, EDITED, RESPONSE_ID, SUBMITTED_EXACT, STARTED_EXACT, EDITED_EXACT)
RESPONSE_FIXED = (*HEAD, *TAIL)
#: (shown, exact) column pairs of each time a response carries.
MOMENTS = {
    "submitted_at": (SUBMITTED, SUBMITTED_EXACT),
    "started_at": (STARTED, STARTED_EXACT),
    "edited_at": (EDITED, EDITED_EXACT),
}
CODE_RIGHT = Text("Đúng", "Correct")
CODE_WRONG = Text("Sai mã", "Wrong")
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
BAD_VERDICT = Text(
    "{tab}, dòng {row}, cột {column}: '{value}' không phải kết quả kiểm tra mã. "
    "Hãy ghi '{right}', '{wrong}', hoặc để trống nếu kỳ thi không hỏi mã.",
    "{tab}, row {row}, column {column}: '{value}' is not a code check. "
    "Write '{right}' or '{wrong}', or leave it blank when the round asked no code.",
)
_EXACT = re.compile(
    r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})"  # local date and time
    r" ([+-])(\d{2}):(\d{2})(?::(\d{2}))?"  # its offset from UTC
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


def code_verdicts(result: RoundResult) -> dict[str, bool]:
    """Response id → whether its personal code matched, as the ranking found it (rule 9).

    What :func:`responses_tab` writes in place of the codes themselves; a
    response the ranking gave no verdict (no code asked) is left out.
    """
    verdicts: dict[str, bool] = {}
    for entry in (*result.ranked, *result.unranked):
        submission = entry.submission
        asked = submission.code is not None or submission.code_verdict is not None
        if asked and entry.reason is not Reason.NOT_MEMBER:
            verdicts[submission.response_id] = entry.reason is not Reason.WRONG_CODE
    return verdicts


def responses_tab(
    round_id: str,
    questions: Sequence[Question],
    responses: Sequence[FormResponse],
    *,
    language: str,
    tz: tzinfo,
    code_verdicts: Mapping[str, bool] | None = None,
) -> SheetTab:
    """``Bài làm <round>``: every response as received, in the order received.

    Who answered, whether their personal code matched (``Đúng`` / ``Sai mã``,
    from ``code_verdicts`` by response id, else the response's own
    ``code_verdict``; blank when no code was asked: the code itself is never
    written), the device it came from, then one column per question, headed
    by its title, then any other title a response carries. Times are
    date-time cells in ``tz`` to the second, and kept to the microsecond as
    text in the last columns, so :func:`read_responses_tab` gives back the
    same responses (with ``code_verdict`` in place of ``code``).
    """
    verdicts = code_verdicts or {}
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
    head = [c.header(language) for c in HEAD]
    tail = [c.header(language) for c in TAIL]
    rows: list[list[Cell]] = [[*head, *titles, *tail]]
    for response in responses:
        cells: list[Cell] = [None] * len(titles)
        for title, chosen in response.answers.items():
            slot = slots[normalize(title)]
            if cells[slot] is None and chosen:
                cells[slot] = encode_options(chosen)
        verdict = verdicts.get(response.response_id, response.code_verdict)
        rows.append(
            [
                local(response.submitted_at, tz),
                response.respondent,
                None if verdict is None else (CODE_RIGHT if verdict else CODE_WRONG)(language),
                response.client or None,
                *cells,
                local(response.started_at, tz),
                local(response.edited_at, tz),
                response.response_id,
                exact_text(response.submitted_at, tz),
                exact_text(response.started_at, tz),
                exact_text(response.edited_at, tz),
            ]
        )
    after = len(head) + len(titles)  # the first column after the answers
    formats = {c: DATETIME_FORMAT for c in (0, after, after + 1)}
    return SheetTab(
        title=layout.RESPONSES.title(language, round_id),
        rows=rows,
        header_row=1,
        column_widths=(20, 26, 12, 22, *([40] * len(titles)), 20, 20, 34, 34, 34, 34),
        number_formats=formats,
        alignments={0: "center", 2: "center"},
        wrap_columns=frozenset(range(len(head), len(head) + len(titles))),
        wrap_header=True,
        page=PageSetup(landscape=True, fit_width=False, repeat_rows=(1, 1),
                       repeat_columns=(0, 1)),
    )


def exact_text(moment: datetime | None, tz: tzinfo) -> str | None:
    """A time to the microsecond, in ``tz``: ``14/03/2023 19:30:41.123456 +07:00``."""
    if moment is None:
        return None
    shifted = moment.astimezone(tz)
    offset = shifted.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    zone = f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")
    return f"{shifted:{SHOWN_DATETIME}}.{shifted.microsecond:06d} {zone}"


def read_responses_tab(
    rows: list[list[Cell]], questions: Sequence[Question], *, tz: tzinfo
) -> list[FormResponse]:
    """The responses a tab written by :func:`responses_tab` holds, exactly as they were.

    The question titles are read from the tab itself (``questions`` is not
    needed for that; the caller grades against it). The fixed columns are
    found by their headers: those before the answers from the left, those
    after them from the right, so a question titled like one of them is still
    an answer column. A response's unanswered questions (blank cells) are
    left out of its answers. Codes were never written: ``code`` is None and
    ``code_verdict`` says whether it matched. A tab written before a column
    existed reads without it.
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
    for columns, order in ((HEAD, sorted(titles)), (TAIL, sorted(titles, reverse=True))):
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
        where = _Where(tab, index + 1, language)
        times = {
            key: _moment(row, fixed, shown, exact, where, tz)
            for key, (shown, exact) in MOMENTS.items()
        }
        submitted = times["submitted_at"]
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
                started_at=times["started_at"],
                code_verdict=_verdict(at(row, fixed.get("code")), where),
                edited_at=times["edited_at"],
                client=raw_text(at(row, fixed.get("client"))),
            )
        )
    return responses


@dataclass(frozen=True)
class _Where:
    """The row being read, for messages."""

    tab: str
    row: int
    language: str


def _moment(
    row: Sequence[Cell],
    fixed: Mapping[str, int],
    shown: Column,
    exact: Column,
    where: _Where,
    tz: tzinfo,
) -> datetime | None:
    """A time of the row: the exact text when there, else the date-time cell."""
    for column in (exact, shown):
        value = at(row, fixed.get(column.key))
        if is_blank(value):
            continue
        parsed = _parse_moment(value, tz)
        if parsed is None:
            raise InputError(
                BAD_MOMENT(
                    where.language,
                    tab=where.tab,
                    row=where.row,
                    column=column.header(where.language),
                    value=cell_text(value),
                )
            )
        return parsed
    return None


def _verdict(value: Cell, where: _Where) -> bool | None:
    """``Đúng`` / ``Sai mã`` (or the English words) → True / False; blank → None."""
    if is_blank(value):
        return None
    key = normalize(cell_text(value))
    for words, verdict in ((CODE_RIGHT, True), (CODE_WRONG, False)):
        if key in (normalize(words.vi), normalize(words.en)):
            return verdict
    language = where.language
    raise InputError(
        BAD_VERDICT(
            language,
            tab=where.tab,
            row=where.row,
            column=CODE.header(language),
            value=cell_text(value),
            right=CODE_RIGHT(language),
            wrong=CODE_WRONG(language),
        )
    )


def _parse_moment(value: Cell, tz: tzinfo) -> datetime | None:
    """A time as this module writes it (exact text, a date-time cell, or shown text).

    ISO 8601 text is read too: the exact columns were written so before.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _EXACT.fullmatch(text)
    if match:
        day, month, year, hour, minute, second, micro, sign, oh, om, osec = match.groups()
        offset = timedelta(hours=int(oh), minutes=int(om), seconds=int(osec or 0))
        try:
            return datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second),
                int(micro), tzinfo=timezone(-offset if sign == "-" else offset),
            )
        except ValueError:
            return None
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
