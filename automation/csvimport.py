"""A Google Forms response export (CSV, vi or en locale) → form responses.

For a form the secretary made by hand: the admin downloads the linked
response sheet as CSV and runs ``automation rank ROUND --responses-csv FILE``.
The export has a timestamp column (``Dấu thời gian`` / ``Timestamp``, naive,
shown as that locale shows dates), perhaps a score (``Điểm`` / ``Score`` as
``8 / 10``), the respondent (``Họ và tên`` / ``Name`` or ``Địa chỉ email`` /
``Email Address``), then one column per question titled with its text.
Checkbox answers share one cell joined with ``", "``; option texts may hold
commas themselves, so cells are split by the question's known options.

Every defect is collected and raised together as one :class:`ExportError`
naming the file, the line (as a spreadsheet shows it: the header is line 1),
the column and what to do. No I/O here: the caller reads the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

from automation.i18n import Text, count
from automation.layout import MEMBERS
from automation.model import Problem, Question
from automation.ports import FormResponse, InputError
from automation.text import clean, normalize

# --- headers -----------------------------------------------------------------

TIMESTAMP_HEADERS = ("Dấu thời gian", "Timestamp")
SCORE_HEADERS = ("Điểm", "Score", "Tổng điểm", "Total score")
EMAIL_HEADERS = ("Địa chỉ email", "Email Address", "Email", "Tên người dùng", "Username")
# Per-question grading columns some exports add (``Câu hỏi [Điểm]``): not answers.
_GRADING_SUFFIX = re.compile(r"\[\s*(?:điểm|score|points|phản hồi|nhận xét|feedback)\s*\]$")
# A name question titled loosely (``Họ tên đồng chí``), used only when no exact header.
_NAME_HINT = re.compile(r"^(?:họ và tên|họ tên|tên đảng viên|full name|your name|name)\b")
# Question numbering a hand-made form may carry: ``Câu 1: ...``, ``1. ...``.
_NUMBERING = re.compile(r"^(?:câu(?: hỏi)?|question|q)?\s*\d{1,2}\s*[.:)\-–]\s*")


def _keys(headers: Sequence[str]) -> frozenset[str]:
    return frozenset(normalize(h) for h in headers)


_TIMESTAMP = _keys(TIMESTAMP_HEADERS)
_SCORE = _keys(SCORE_HEADERS)
_EMAIL = _keys(EMAIL_HEADERS)

# --- messages ----------------------------------------------------------------

HEADING = Text("Tệp {file} có {problems} cần sửa:", "The file {file} has {problems} to fix:")
HEADING_UNNAMED = Text("Tệp CSV có {problems} cần sửa:", "The CSV file has {problems} to fix:")
EMPTY = Text(
    "Tệp trống. Hãy tải lại câu trả lời: mở trang tính liên kết với biểu mẫu, "
    "chọn Tệp → Tải xuống → Giá trị được phân tách bằng dấu phẩy (.csv).",
    "The file is empty. Download the responses again: open the sheet linked to the form, "
    "then File → Download → Comma-separated values (.csv).",
)
NOT_CSV = Text(
    "Tệp không phải bảng câu trả lời Google Biểu mẫu dạng CSV ({detail}). Hãy mở trang tính "
    "liên kết với biểu mẫu, chọn Tệp → Tải xuống → Giá trị được phân tách bằng dấu phẩy (.csv).",
    "The file is not a Google Forms response export in CSV ({detail}). Open the sheet linked "
    "to the form, then File → Download → Comma-separated values (.csv).",
)
BINARY = Text("có ký tự nhị phân, có lẽ là tệp .xlsx", "it holds binary data, perhaps an .xlsx")
NO_KNOWN_COLUMN = Text(
    "dòng đầu không có cột “Dấu thời gian” hay câu hỏi nào",
    "its first line has no “Timestamp” column and no question",
)
NO_TIMESTAMP = Text(
    "Thiếu cột “Dấu thời gian” (Timestamp): không biết ai nộp lúc nào. Hãy dùng tệp xuất "
    "nguyên vẹn từ Google Biểu mẫu, không xóa hay đổi tên cột này.",
    "The “Timestamp” column (Dấu thời gian) is missing, so submission times are unknown. "
    "Use the export as Google Forms made it, without removing or renaming that column.",
)
NO_IDENTITY = Text(
    "Thiếu cột cho biết ai nộp bài: cần cột “Họ và tên” (câu hỏi chọn tên) hoặc “Địa chỉ email”. "
    "Hãy đặt tiêu đề câu hỏi chọn tên là “Họ và tên”, hoặc bật thu thập email trong biểu mẫu.",
    "No column says who answered: a “Name” column (the name question) or “Email Address” is "
    "needed. Title the name question “Name” (Họ và tên), or turn on email collection in the form.",
)
UNKNOWN_QUESTION = Text(
    "Tiêu đề cột này không khớp câu hỏi nào của kỳ thi trong trang Câu hỏi. Hãy sửa tiêu đề "
    "cho giống nguyên văn câu hỏi trong trang Câu hỏi, hoặc thêm câu hỏi này vào trang Câu hỏi.",
    "This column's title matches no question of the round in the Questions tab. Make the "
    "title the question's exact text in the Questions tab, or add the question there.",
)
DUPLICATE_QUESTION = Text(
    "Câu hỏi này có hai cột ({first} và {second}). Hãy xóa cột thừa rồi tải lại.",
    "This question has two columns ({first} and {second}). Delete the extra one and retry.",
)
BLANK_TIMESTAMP = Text(
    "Dòng có câu trả lời nhưng trống thời điểm nộp. Hãy chép lại ô này từ trang tính gốc.",
    "The line has answers but no timestamp. Copy that cell again from the original sheet.",
)
BAD_TIMESTAMP = Text(
    "Không đọc được thời điểm “{value}”: cần dạng {expected}, ví dụ {example}. {hint}",
    "Cannot read the timestamp “{value}”: expected {expected}, e.g. {example}. {hint}",
)
BAD_SCORE = Text(
    "Không đọc được điểm “{value}”: cần dạng “8 / 10” (điểm đạt / điểm tối đa). "
    "Hãy sửa ô này, hoặc xóa cột Điểm để hệ thống tự chấm lại theo đáp án.",
    "Cannot read the score “{value}”: expected “8 / 10” (points / maximum). Fix the cell, "
    "or delete the Score column so the answers are graded against the answer key.",
)
BAD_DATE_ORDER = Text(
    "Định dạng ngày “{value}” không dùng được: hãy ghi dmy (ngày trước), mdy (tháng trước), "
    "ymd, hoặc một định dạng như %d/%m/%Y %H:%M:%S.",
    "The date format “{value}” cannot be used: give dmy (day first), mdy (month first), ymd, "
    "or a format such as %m/%d/%Y %H:%M:%S.",
)
_ORDER_SHAPES = {
    "dmy": Text("ngày/tháng/năm giờ:phút:giây", "day/month/year hour:minute:second"),
    "mdy": Text("tháng/ngày/năm giờ:phút:giây", "month/day/year hour:minute:second"),
    "ymd": Text("năm/tháng/ngày giờ:phút:giây", "year/month/day hour:minute:second"),
}
_ORDER_EXAMPLES = {"dmy": "13/03/2023 9:05:12", "mdy": "3/13/2023 9:05:12",
                   "ymd": "2023/03/13 9:05:12"}
OTHER_ORDER_HINT = Text(
    "Nếu tệp ghi {other}, hãy chạy lại với --date-format {order}.",
    "If the file is written {other}, run again with --date-format {order}.",
)
_ORDER_WORDS = {
    "dmy": Text("ngày trước tháng", "day before month"),
    "mdy": Text("tháng trước ngày", "month before day"),
}
FORMAT_HINT = Text(
    "Hãy sửa ô này, hoặc sửa --date-format cho khớp với tệp.",
    "Fix the cell, or change --date-format to match the file.",
)


# --- results -----------------------------------------------------------------


@dataclass(frozen=True)
class ExportedResponse:
    """One line of the export: the response, and the form's own score out of 10 if given."""

    response: FormResponse
    score: float | None


class ExportError(InputError):
    """The export needs fixing; ``problems`` lists every defect found, in file order."""

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


# --- reading -----------------------------------------------------------------


@dataclass
class _Columns:
    """Which column (0-based) holds what, as found in the header line."""

    timestamp: int | None = None
    score: int | None = None
    email: int | None = None
    name: int | None = None
    questions: dict[int, Question] = field(default_factory=dict)


def read_export(
    text: str,
    *,
    questions: Sequence[Question],
    tz: tzinfo,
    date_order: str = "dmy",
    language: str = "vi",
    file_name: str = "",
    identity: str = "roster",
) -> list[ExportedResponse]:
    """Every response of a Google Forms CSV export, in file order.

    ``questions`` are the bank questions the columns may be titled with;
    ``date_order`` is ``"dmy"``, ``"mdy"``, ``"ymd"`` or a strptime format;
    naive timestamps are read in ``tz``. The respondent is the name column
    (``identity="roster"``) or the email column (``"email"``), the other one
    when that is missing or blank. ``answers`` has every question column of
    the export, ``()`` where the cell is blank, so the round's questions are
    known even when nobody answered one; answers stay option texts (the
    bank's spelling where the cell names a known option, the cell's otherwise).
    Raises :class:`ExportError` listing every problem.
    """
    where = file_name or "CSV"
    order = _date_order(date_order, language)
    problems: list[Problem] = []

    def fail(row: int | None, column: str | None, message: str) -> ExportError:
        problems.append(Problem(where, row, column, message))
        return _error(file_name, problems, language)

    if "\x00" in text:
        raise fail(None, None, NOT_CSV(language, detail=BINARY(language)))
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise fail(None, None, EMPTY(language))
    try:
        records = _records(text, questions)
    except csv.Error as exc:
        raise fail(None, None, NOT_CSV(language, detail=str(exc))) from exc

    start = next((i for i, record in enumerate(records) if any(c.strip() for c in record)), None)
    if start is None:
        raise fail(None, None, EMPTY(language))
    header = records[start]
    header_line = start + 1
    columns = _find_columns(header, questions, header_line, where, language, problems)
    if columns is None:
        raise _error(file_name, problems, language)

    ts_header = header[columns.timestamp] if columns.timestamp is not None else None
    score_header = header[columns.score] if columns.score is not None else None
    who = (columns.name, columns.email) if identity == "roster" else (columns.email, columns.name)
    options = {
        index: {normalize(option): option for option in question.options}
        for index, question in columns.questions.items()
    }

    responses: list[ExportedResponse] = []
    for offset, record in enumerate(records[start + 1 :]):
        line = header_line + 1 + offset
        cells = [*record, *[""] * (len(header) - len(record))]
        if not any(c.strip() for c in cells):
            continue
        submitted_at = None
        if columns.timestamp is not None:
            raw = cells[columns.timestamp].strip()
            if not raw:
                problems.append(Problem(where, line, ts_header, BLANK_TIMESTAMP(language)))
            else:
                try:
                    submitted_at = parse_timestamp(raw, tz, order)
                except ValueError:
                    message = _bad_timestamp(raw, order, language)
                    problems.append(Problem(where, line, ts_header, message))
        score = None
        if columns.score is not None and cells[columns.score].strip():
            try:
                score = parse_score(cells[columns.score])
            except ValueError:
                message = BAD_SCORE(language, value=cells[columns.score].strip())
                problems.append(Problem(where, line, score_header, message))
        respondent = next(
            (clean(cells[i]) for i in who if i is not None and cells[i].strip()), ""
        )
        answers = {
            question.text: split_choices(cells[index], options[index])
            for index, question in columns.questions.items()
        }
        if submitted_at is not None:
            response = FormResponse(f"csv-{line}", respondent, submitted_at, answers)
            responses.append(ExportedResponse(response, score))
    if problems:
        raise _error(file_name, problems, language)
    return responses


#: The separators a Forms export may come with: Google writes commas; Excel and LibreOffice
#: in a locale whose decimal mark is a comma (vi, fr) save it again with semicolons or tabs.
DELIMITERS = (",", ";", "\t")


def _records(text: str, questions: Sequence[Question]) -> list[list[str]]:
    """The CSV's records, split by the separator that makes a Google Forms header.

    A header may hold the other separators itself (question texts have
    commas), so counting them proves nothing: each separator is tried on the
    first line, and the one that finds the timestamp column (then the most
    known columns) wins. Commas when none does, so the header's problems are
    reported as they are.
    """
    best, best_score = ",", (False, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = next((r for r in reader if any(c.strip() for c in r)), [])
        except csv.Error:
            continue
        score = _header_score(header, questions)
        if score > best_score:
            best, best_score = delimiter, score
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=best, strict=True))


def _header_score(header: Sequence[str], questions: Sequence[Question]) -> tuple[bool, int]:
    """(has the timestamp column, how many columns are known) for a header line."""
    known = _TIMESTAMP | _SCORE | _EMAIL | {q.key for q in questions}
    name = MEMBERS.column("name")
    keys = [normalize(cell) for cell in header]
    return (
        any(key in _TIMESTAMP for key in keys),
        sum(1 for key, raw in zip(keys, header, strict=True)
            if key in known or _NUMBERING.sub("", key) in known or name.matches(raw)),
    )


def _find_columns(
    header: Sequence[str],
    questions: Sequence[Question],
    line: int,
    where: str,
    language: str,
    problems: list[Problem],
) -> _Columns | None:
    """Map each header to its role; None when the line is not a Forms header at all."""
    by_text: dict[str, Question] = {}
    for question in questions:
        by_text.setdefault(question.key, question)
    name_column = MEMBERS.column("name")
    columns = _Columns()
    seen: dict[str, int] = {}
    unknown: list[int] = []
    for index, raw in enumerate(header):
        key = normalize(raw)
        if not key or _GRADING_SUFFIX.search(key):
            continue
        if key in _TIMESTAMP and columns.timestamp is None:
            columns.timestamp = index
        elif key in _SCORE and columns.score is None:
            columns.score = index
        elif key in _EMAIL and columns.email is None:
            columns.email = index
        elif name_column.matches(raw) and columns.name is None:
            columns.name = index
        elif (found := by_text.get(key) or by_text.get(_NUMBERING.sub("", key))) is not None:
            question = found
            if question.key in seen:
                first, second = _column_letter(seen[question.key]), _column_letter(index)
                problems.append(Problem(where, line, clean(raw),
                                        DUPLICATE_QUESTION(language, first=first, second=second)))
            else:
                seen[question.key] = index
                columns.questions[index] = question
        else:
            unknown.append(index)
    if columns.name is None:
        hinted = [i for i in unknown if _NAME_HINT.match(normalize(header[i]))]
        if hinted:
            columns.name = hinted[0]
            unknown.remove(hinted[0])
    if columns.timestamp is None and not columns.questions:
        problems.append(Problem(where, None, None,
                                NOT_CSV(language, detail=NO_KNOWN_COLUMN(language))))
        return None
    if columns.timestamp is None:
        problems.append(Problem(where, line, None, NO_TIMESTAMP(language)))
    if columns.name is None and columns.email is None:
        problems.append(Problem(where, line, None, NO_IDENTITY(language)))
    for index in unknown:
        header_text = clean(header[index])
        problems.append(Problem(where, line, header_text,
                                UNKNOWN_QUESTION(language)))
    return columns


def split_choices(cell: str, options: Mapping[str, str]) -> tuple[str, ...]:
    """The option texts one cell holds; ``options`` maps normalised text to the bank's text.

    Google Forms joins checkbox choices with ``", "`` while option texts may
    contain commas, so the cell is cut at commas and, at each piece, the
    longest run of pieces that spells a known option is taken first. An option
    with k commas spans exactly k + 1 pieces, so only those run lengths are
    tried: the work grows with the cell times the number of distinct comma
    counts among the options, never with the square of the cell (a cell of
    30,000 commas is read in well under a second). Text that spells no option
    is kept as written (one answer per stretch between known options).
    """
    whole = normalize(cell)
    if not whole:
        return ()
    if whole in options:
        return (options[whole],)
    spans = sorted({key.count(",") + 1 for key in options}, reverse=True)
    pieces = cell.split(",")
    chosen: list[str] = []
    stray: list[str] = []

    def keep_stray() -> None:
        text = clean(",".join(stray))
        if text:
            chosen.append(text)
        stray.clear()

    i = 0
    while i < len(pieces):
        for span in spans:
            if i + span > len(pieces):
                continue
            key = normalize(",".join(pieces[i : i + span]))
            if key in options:
                keep_stray()
                chosen.append(options[key])
                i += span
                break
        else:
            stray.append(pieces[i])
            i += 1
    keep_stray()
    return tuple(dict.fromkeys(chosen))


# --- values --------------------------------------------------------------------

_STAMP = re.compile(
    r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"  # the date, in some order
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)"  # the time
    r"\s*(am|pm|a\.m\.|p\.m\.|sa|ch)?"  # 12-hour clock (vi: SA / CH)
    r"(?:\s*(?:gmt|utc)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?)?",  # the Forms download's zone
    re.IGNORECASE,
)


def parse_timestamp(value: str, tz: tzinfo, date_order: str = "dmy") -> datetime:
    """An export's timestamp as an aware datetime; ValueError when unreadable.

    ``date_order`` is ``"dmy"``, ``"mdy"``, ``"ymd"`` (a four-digit first
    number is always read as the year) or a strptime format. Times without a
    zone are in ``tz``; a ``GMT+7`` suffix (the Forms download) or an ISO
    offset is honoured and converted to ``tz``.
    """
    text = clean(value)
    if "%" in date_order:
        parsed = datetime.strptime(text, date_order)
        return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)
    match = _STAMP.fullmatch(text)
    if match is None:
        iso = datetime.fromisoformat(text)  # ValueError for anything else
        if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
            raise ValueError(text)
        return iso.replace(tzinfo=tz) if iso.tzinfo is None else iso.astimezone(tz)
    first, second, third, hour, minute, sec, frac, half, sign, off_h, off_m = match.groups()
    if len(first) == 4 or date_order == "ymd":
        year, month, day = first, second, third
    elif date_order == "mdy":
        month, day, year = first, second, third
    else:
        day, month, year = first, second, third
    if len(year) not in (2, 4) or len(day) > 2 or len(month) > 2:
        raise ValueError(text)
    h = int(hour)
    if half:
        if not 1 <= h <= 12:
            raise ValueError(text)
        pm = half.lower().replace(".", "") in ("pm", "ch")
        h = h % 12 + (12 if pm else 0)
    micro = int((frac or "0").ljust(6, "0"))
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    naive = datetime(full_year, int(month), int(day), h, int(minute), int(sec or 0), micro)
    if match.group(0).lower().rstrip().endswith(("gmt", "utc")) or sign:
        minutes = int(off_h or 0) * 60 + int(off_m or 0)
        zone = timezone(timedelta(minutes=-minutes if sign == "-" else minutes))
        return naive.replace(tzinfo=zone).astimezone(tz)
    return naive.replace(tzinfo=tz)


_SCORE_VALUE = re.compile(r"(\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)")


def parse_score(value: str) -> float:
    """``"7 / 14"`` → 5.0: the form's score out of 10, two decimals; ValueError otherwise."""
    match = _SCORE_VALUE.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    got, total = (float(part.replace(",", ".")) for part in match.groups())
    if total <= 0 or got > total:
        raise ValueError(value)
    return round(got / total * 10, 2)


def _date_order(value: str, language: str) -> str:
    """``dmy``/``mdy``/``ymd``, a spelled order like ``dd/mm/yyyy``, or a strptime format."""
    text = value.strip()
    if "%" in text:
        return text
    letters = re.sub(r"(.)\1+", r"\1", re.sub(r"[^dmy]", "", text.split(" ")[0].lower()))
    if letters in _ORDER_SHAPES and re.fullmatch(r"[dmy/.\-\s]+", text.split(" ")[0].lower()):
        return letters
    raise InputError(BAD_DATE_ORDER(language, value=value))


def _bad_timestamp(value: str, order: str, language: str) -> str:
    if order in _ORDER_SHAPES:
        expected = _ORDER_SHAPES[order](language)
        example = _ORDER_EXAMPLES[order]
        other = {"dmy": "mdy", "mdy": "dmy"}.get(order)
        hint = (OTHER_ORDER_HINT(language, other=_ORDER_WORDS[other](language), order=other)
                if other else FORMAT_HINT(language))
    else:
        expected = order
        example = datetime(2023, 3, 13, 9, 5, 12).strftime(order)
        hint = FORMAT_HINT(language)
    return BAD_TIMESTAMP(language, value=value, expected=expected, example=example, hint=hint)


def _column_letter(index: int) -> str:
    """0 → ``A``, 27 → ``AB``: the column as a spreadsheet labels it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _error(file_name: str, problems: Sequence[Problem], language: str) -> ExportError:
    counted = count(language, len(problems), "lỗi", "problem")
    heading = (HEADING(language, file=file_name, problems=counted) if file_name
               else HEADING_UNNAMED(language, problems=counted))
    lines = [heading]
    lines += [f"- {_describe(p, language)}" for p in problems]
    return ExportError("\n".join(lines), problems)


def _describe(problem: Problem, language: str) -> str:
    """A problem without repeating the file name the heading already gives."""
    parts = []
    if problem.row is not None:
        parts.append(f"{'line' if language == 'en' else 'dòng'} {problem.row}")
    if problem.column:
        parts.append(f"{'column' if language == 'en' else 'cột'} {problem.column}")
    return f"{', '.join(parts)}: {problem.message}" if parts else problem.message
