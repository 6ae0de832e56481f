"""The secretary's three tabs, read from plain rows of cells into a :class:`Bank`.

Reading never stops at the first mistake: every defect is collected as a
:class:`Problem` naming the tab, the sheet row and the column as the secretary
wrote it, with a message (Vietnamese or English) that says what to do. Valid
rows become records; a row with any defect is left out, so the service never
acts on half-understood data while ``automation check`` lists everything to fix.

Decisions worth knowing:

* Row 1 is the header row. Headers match the contract in either language after
  trimming, NFC and case-folding; order is free and unknown columns are ignored.
  A header that appears twice is a problem; the first such column is read.
* A row is blank (skipped silently) when every contract column is blank;
  cells under unknown columns do not count.
* Answers: one letter (``B``, ``b``, ``B.``, ``B)``) or several separated by
  commas, semicolons, slashes, ``+``, ``&``, spaces or "và"/"and" (``A, C``,
  ``a;c``, ``A và C``). Letters run together (``AC``) are refused with a
  hint, because words made of A–F (``ba``, ``cà``) are too easily misread.
* A round id the spreadsheet turned into a date (Excel reads ``2024-03`` as
  1 March 2024) is read back as the ISO month ``2024-03`` (or ``2024-03-05``
  for another day), in both ``Câu hỏi`` and ``Lịch thi``.
* ``Mở lúc`` needs a time: a date cell, or a date-time cell at exactly 00:00
  (what a spreadsheet stores for a date typed without a time), is a problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import TypeVar

from automation.config import QuizSettings
from automation.i18n import Text
from automation.layout import (
    MEMBERS,
    OPTION_LETTERS,
    QUESTIONS,
    RESULTS,
    SCHEDULE,
    SECRETARY_TABS,
    TITLE_FORBIDDEN,
    TITLE_LIMIT_GOOGLE,
    Status,
    TabSpec,
    find_tab,
    round_id_room,
)
from automation.model import Bank, ColumnPlace, Member, Problem, Question, Round
from automation.text import Cell, cell_text, clean, is_blank, normalize

HEADER_ROW = 1
QUESTION_COUNT_RANGE = (5, 10)
SECONDS_RANGE = (5, 600)
DATE_ORDERS = ("dmy", "mdy", "ymd")
_T = TypeVar("_T")

# --- messages ------------------------------------------------------------------

TAB_MISSING = Text(
    'Không có trang tính "{title}" (hoặc "{other}"). Hãy tạo trang này với dòng tiêu đề ở '
    "dòng 1 (người quản trị có thể chạy automation init để tạo lại trang mẫu mà không đụng "
    "tới các trang khác).",
    'There is no "{title}" tab (or "{other}"). Create it with its headers in row 1 (the admin '
    "can run automation init to restore the template tab without touching the others).",
)
TAB_TWICE = Text(
    'Có hai trang tính cho cùng một nội dung: "{used}" và "{title}". Chương trình chỉ đọc '
    '"{used}"; hãy chuyển dữ liệu cần thiết sang đó rồi xóa hoặc đổi tên trang "{title}".',
    'Two tabs hold the same thing: "{used}" and "{title}". Only "{used}" is read; move what '
    'you need there, then delete or rename the "{title}" tab.',
)
COLUMN_MISSING = Text(
    'Thiếu cột "{header}" ở dòng tiêu đề (dòng 1). Hãy thêm một cột có tiêu đề "{header}"; '
    "chưa có cột này thì chưa đọc được các dòng của trang.",
    'The header row (row 1) has no "{header}" column. Add a column headed "{header}"; '
    "the rows of this tab cannot be read without it.",
)
HEADER_TWICE = Text(
    'Cột "{header}" trùng với cột "{first}" đã có ở bên trái. Chương trình chỉ đọc cột '
    'đầu tiên; hãy xóa cột thừa này hoặc đổi tiêu đề của nó.',
    'The column "{header}" repeats the column "{first}" further left. Only the first one is '
    "read; delete this extra column or rename its header.",
)
FORMULA_ERROR = Text(
    "Ô này đang báo lỗi công thức {value}. Hãy sửa công thức hoặc gõ thẳng giá trị vào ô.",
    "This cell shows the formula error {value}. Fix the formula or type the value directly.",
)

QUESTION_BLANK = Text(
    "Câu hỏi để trống nhưng dòng này có dữ liệu khác. Hãy ghi nội dung câu hỏi, "
    "hoặc xóa cả dòng nếu không dùng.",
    "The question is blank but the row has other data. Write the question, or delete the "
    "whole row if it is not needed.",
)
TOO_FEW_OPTIONS = Text(
    "Câu hỏi cần ít nhất 2 phương án (cột A và B) nhưng dòng này mới có {count} phương án. "
    "Hãy ghi thêm phương án.",
    "A question needs at least 2 options (columns A and B) but this row has only {count}. "
    "Add the missing options.",
)
OPTION_GAP = Text(
    "Phương án {letter} để trống nhưng lại có phương án {later}. Hãy ghi các phương án "
    "liền nhau từ A, không bỏ trống ở giữa.",
    "Option {letter} is blank but there is an option {later}. Fill the options in order "
    "from A, with no blank in between.",
)
OPTION_TWICE = Text(
    'Phương án {letter} ("{text}") trùng với phương án {first}. Hãy sửa để các phương án '
    "khác nhau.",
    'Option {letter} ("{text}") is the same as option {first}. Make every option different.',
)
ANSWER_BLANK = Text(
    "Chưa có đáp án. Hãy ghi chữ cái của phương án đúng, ví dụ B (hoặc A, C nếu phải chọn "
    "nhiều phương án).",
    "The answer is blank. Write the letter of the correct option, e.g. B (or A, C when "
    "several options must be ticked).",
)
ANSWER_NOT_OPTION = Text(
    'Đáp án "{value}" không phải là một phương án (A–F). Hãy ghi chữ cái của phương án '
    "đúng, ví dụ B hoặc A, C.",
    'The answer "{value}" is not an option (A–F). Write the letter of the correct option, '
    "e.g. B or A, C.",
)
ANSWER_UNREADABLE = Text(
    'Không đọc được đáp án "{value}". Hãy chỉ ghi chữ cái của phương án đúng, ví dụ B; '
    "nếu có nhiều phương án đúng thì cách nhau bằng dấu phẩy, ví dụ A, C.",
    'The answer "{value}" cannot be read. Write only the letter of the correct option, '
    "e.g. B; separate several letters with commas, e.g. A, C.",
)
ANSWER_BLANK_OPTION = Text(
    "Đáp án là {letter} nhưng phương án {letter} để trống. Hãy ghi phương án {letter} "
    "hoặc sửa đáp án.",
    "The answer is {letter} but option {letter} is blank. Write option {letter} or correct "
    "the answer.",
)
POINTS_BAD = Text(
    'Điểm "{value}" không phải là số nguyên dương. Hãy ghi 1, 2, 3… hoặc để trống '
    "(mặc định là 1).",
    'The points "{value}" are not a positive whole number. Write 1, 2, 3… or leave it blank '
    "(1 by default).",
)
ROUND_UNKNOWN = Text(
    'Kỳ thi "{value}" không có trong trang "{schedule}". Hãy ghi đúng mã kỳ thi như ở trang '
    '"{schedule}", hoặc để trống để câu hỏi vào kho chung.',
    'The round "{value}" is not in the "{schedule}" tab. Write the round id exactly as in '
    'the "{schedule}" tab, or leave it blank to put the question in the general pool.',
)
QUESTION_TWICE = Text(
    "Câu hỏi này trùng với câu hỏi ở dòng {first}. Hãy xóa một trong hai câu hoặc sửa lời "
    "cho khác nhau.",
    "This question is the same as the one in row {first}. Delete one of them or reword it.",
)

NAME_BLANK = Text(
    "Họ và tên để trống nhưng dòng này có dữ liệu khác. Hãy ghi họ và tên, hoặc xóa cả dòng.",
    "The name is blank but the row has other data. Write the name, or delete the whole row.",
)
NAME_TWICE = Text(
    '"{value}" trùng với tên ở dòng {first}. Mỗi đảng viên chỉ ghi một lần; nếu hai người '
    'trùng tên, hãy thêm chữ để phân biệt, ví dụ "{value} (B)".',
    '"{value}" is the same name as in row {first}. List each member once; if two people share '
    'a name, add something to tell them apart, e.g. "{value} (B)".',
)
EMAIL_BAD = Text(
    'Email "{value}" không đúng dạng. Hãy ghi đầy đủ một địa chỉ, ví dụ ten@gmail.com.',
    'The email "{value}" is not a valid address. Write a full address, e.g. name@gmail.com.',
)
EMAIL_REQUIRED = Text(
    'Chưa có email. Cấu hình đang nhận diện người dự thi bằng email (identity = "email"), '
    "nên mỗi đảng viên cần ghi email tài khoản Google của mình.",
    'The email is blank. Respondents are identified by email (identity = "email"), so every '
    "member needs the email of their Google account.",
)
EMAIL_TWICE = Text(
    'Email "{value}" trùng với email ở dòng {first}. Mỗi đảng viên cần một email riêng.',
    'The email "{value}" is the same as in row {first}. Every member needs their own email.',
)

ROUND_BLANK = Text(
    "Mã kỳ thi để trống nhưng dòng này có dữ liệu khác. Hãy ghi mã kỳ thi, ví dụ 2024-03, "
    "hoặc xóa cả dòng.",
    "The round id is blank but the row has other data. Write a round id, e.g. 2024-03, or "
    "delete the whole row.",
)
ROUND_BAD_CHARACTER = Text(
    'Mã kỳ thi "{value}" có ký tự {chars} nên không đặt được tên trang "{tab}". Hãy sửa mã, '
    'không dùng các ký tự / \\ ? * [ ] : (ví dụ "{example}").',
    'The round id "{value}" holds {chars}, so the tab "{tab}" cannot be made. Change the id, '
    'without any of / \\ ? * [ ] : (e.g. "{example}").',
)
ROUND_TOO_LONG = Text(
    'Mã kỳ thi "{value}" dài {length} ký tự: tên trang "{tab}" sẽ quá {limit} ký tự mà bảng '
    "tính cho phép. Hãy rút mã kỳ thi xuống tối đa {room} ký tự, ví dụ 2024-03.",
    'The round id "{value}" is {length} characters long: the tab "{tab}" would pass the '
    "{limit} characters a tab title may have. Shorten the id to at most {room} characters, "
    "e.g. 2024-03.",
)
ROUND_TWICE = Text(
    'Kỳ thi "{value}" đã có ở dòng {first}. Mỗi kỳ thi chỉ một dòng; hãy xóa dòng thừa '
    'hoặc đổi mã kỳ thi, ví dụ "{value}b".',
    'The round "{value}" is already in row {first}. One row per round: delete the extra row '
    'or change the id, e.g. "{value}b".',
)
OPENS_BLANK = Text(
    "Chưa có ngày giờ mở. Hãy ghi ngày và giờ mở bài thi, ví dụ {example}.",
    "The opening date and time is blank. Write when the quiz opens, e.g. {example}.",
)
DATETIME_UNREADABLE = Text(
    'Không đọc được "{value}" là ngày giờ. Hãy ghi theo dạng {pattern}, ví dụ {example}.',
    '"{value}" cannot be read as a date and time. Write it as {pattern}, e.g. {example}.',
)
DATETIME_IMPOSSIBLE = Text(
    '"{value}" không phải là ngày giờ có thật (kiểm tra lại ngày, tháng, giờ, phút). '
    "Hãy sửa lại theo dạng {pattern}, ví dụ {example}.",
    '"{value}" is not a real date and time (check the day, month, hour and minute). '
    "Correct it as {pattern}, e.g. {example}.",
)
DATE_ONLY = Text(
    "Mới có ngày ({value}), chưa có giờ. Hãy ghi cả giờ, ví dụ {example}.",
    "Only a date ({value}), no time. Add the time, e.g. {example}.",
)
TIME_ONLY = Text(
    "Mới có giờ ({value}), chưa có ngày. Hãy ghi cả ngày, ví dụ {example}.",
    "Only a time ({value}), no date. Add the date, e.g. {example}.",
)
COUNT_BAD = Text(
    'Số câu "{value}" không hợp lệ: phải là số nguyên từ {low} đến {high}. Hãy sửa, hoặc để '
    "trống để dùng mặc định {default}.",
    'The number of questions "{value}" is not valid: it must be a whole number from {low} to '
    "{high}. Correct it, or leave it blank for the default {default}.",
)
SECONDS_BAD = Text(
    'Giây mỗi câu "{value}" không hợp lệ: phải là số nguyên từ {low} đến {high}. Hãy sửa, '
    "hoặc để trống để dùng mặc định {default}.",
    'The seconds per question "{value}" are not valid: it must be a whole number from {low} '
    "to {high}. Correct it, or leave it blank for the default {default}.",
)
STATUS_UNKNOWN = Text(
    'Trạng thái "{value}" không rõ. Hãy để trống (nghĩa là {pending}) hoặc ghi một trong: '
    "{choices}.",
    'The status "{value}" is unknown. Leave it blank (meaning {pending}) or write one of: '
    "{choices}.",
)
CLOSED_BEFORE_OPENED = Text(
    'Đóng lúc ({closed}) sớm hơn "{opened_header}" ({opened}). Hãy kiểm tra và sửa lại '
    "một trong hai ô.",
    'Closed at ({closed}) is earlier than "{opened_header}" ({opened}). Check and correct '
    "one of the two cells.",
)

PATTERN = {
    ("vi", "dmy"): "ngày/tháng/năm giờ:phút",
    ("vi", "mdy"): "tháng/ngày/năm giờ:phút",
    ("en", "dmy"): "day/month/year hour:minute",
    ("en", "mdy"): "month/day/year hour:minute",
}
EXAMPLE = {"dmy": "05/03/2024 14:00", "mdy": "03/05/2024 14:00"}

# --- dates and times -----------------------------------------------------------


class DateTimeError(ValueError):
    """A value that is not a date and time; ``kind`` says why, for wording it to people.

    Kinds: ``unreadable``, ``impossible`` (31/02/2024, 25:00), ``date_only``,
    ``time_only``.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


_SEP = r"[/.\-]"
_DAY_FIRST = rf"(?P<a>\d{{1,2}}){_SEP}(?P<b>\d{{1,2}}){_SEP}(?P<y>\d{{4}})"
_YEAR_FIRST = rf"(?P<y>\d{{4}}){_SEP}(?P<b>\d{{1,2}}){_SEP}(?P<a>\d{{1,2}})"
_TIME = (
    r"(?P<H>\d{1,2})(?::(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6}))?)?|h(?P<Mh>\d{2})?)"
    r"(?:\s*(?P<ap>am|pm|sa|ch))?"
)
_ZONE = r"(?:\s*(?P<z>z|[+-]\d{2}:?\d{2}))?"
_GAP = r"(?:\s*,\s*|\s+|t)"
_DATETIME_PATTERNS = tuple(
    (re.compile(pattern), year_first)
    for date_part, year_first in ((_DAY_FIRST, False), (_YEAR_FIRST, True))
    for pattern in (
        rf"^{date_part}{_GAP}{_TIME}{_ZONE}$",
        rf"^{_TIME}{_GAP}{date_part}$",
    )
)
_DATE_ONLY = tuple(re.compile(rf"^{p}$") for p in (_DAY_FIRST, _YEAR_FIRST))
_TIME_ONLY = re.compile(rf"^{_TIME}$")


def parse_datetime(value: Cell, tz: tzinfo, date_order: str = "dmy") -> datetime | None:
    """A cell read as an aware date and time; ``None`` when the cell is blank.

    A date-time cell is taken as it is (a naive one is in ``tz``). Text may be
    ``dd/mm/yyyy HH:MM`` (one-digit day, month and hour allowed; seconds
    optional; ``/``, ``-`` or ``.`` between the date's parts; ``14h30`` too),
    or year first as in ISO ``yyyy-mm-dd HH:MM[:SS]`` / ``yyyy-mm-ddTHH:MM:SS+07:00``.
    With ``date_order="mdy"`` (a sheet in the US locale) the month comes
    first; ``"ymd"`` reads day-first text as ``dmy``. Raises
    :class:`DateTimeError` (a ``ValueError``) with a short reason otherwise.
    """
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        raise DateTimeError("date_only", "a date without a time")
    if isinstance(value, time):
        raise DateTimeError("time_only", "a time without a date")
    if not isinstance(value, str):
        raise DateTimeError("unreadable", "not a date and time")
    text = clean(value).casefold()
    for pattern, year_first in _DATETIME_PATTERNS:
        match = pattern.match(text)
        if match:
            return _build(match, year_first, date_order, tz)
    if any(pattern.match(text) for pattern in _DATE_ONLY):
        raise DateTimeError("date_only", "a date without a time")
    if _TIME_ONLY.match(text):
        raise DateTimeError("time_only", "a time without a date")
    raise DateTimeError("unreadable", "not a date and time")


def _build(match: re.Match[str], year_first: bool, date_order: str, tz: tzinfo) -> datetime:
    parts = match.groupdict()
    first, second = int(parts["a"]), int(parts["b"])
    if year_first:
        day, month = first, second
    elif date_order == "mdy":
        month, day = first, second
    else:
        day, month = first, second
    hour = int(parts["H"])
    minute = int(parts["M"] or parts["Mh"] or 0)
    second_ = int(parts["S"] or 0)
    micro = int((parts["f"] or "0").ljust(6, "0"))
    if parts["ap"]:
        if not 1 <= hour <= 12:
            raise DateTimeError("impossible", "the hour must be 1–12 with AM/PM")
        hour = hour % 12 + (12 if parts["ap"] in ("pm", "ch") else 0)
    zone = tz
    if parts.get("z"):
        zone = _offset(parts["z"])
    try:
        return datetime(int(parts["y"]), month, day, hour, minute, second_, micro, tzinfo=zone)
    except ValueError as exc:
        raise DateTimeError("impossible", f"no such date or time ({exc})") from exc


def _offset(text: str) -> tzinfo:
    if text == "z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise DateTimeError("impossible", "no such UTC offset")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


# --- small readers ---------------------------------------------------------------

_ERRORS = frozenset({
    "#REF!", "#VALUE!", "#N/A", "#NAME?", "#DIV/0!", "#NUM!", "#NULL!", "#ERROR!", "#SPILL!",
    "#CALC!", "#GETTING_DATA",
})
_EMAIL = re.compile(r"^[^@\s]+@(?:[^@\s.]+\.)+[^@\s.]{2,}$")
_ANSWER_SEPARATORS = re.compile(r"(?:[,;/+&\s]|\bvà\b|\band\b)+")
_ANSWER_TOKEN = re.compile(r"^\(?([a-z])[.)]?$")
_LIST_SEPARATORS = re.compile(r"[,;\n]+")


def _whole(value: Cell) -> int | None:
    """A whole number as the secretary typed it (``3``, ``3.0``, ``"3"``), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def round_id_text(value: Cell) -> str:
    """A round id as typed: a cell the spreadsheet turned into a date reads as ISO.

    Excel and LibreOffice turn ``2024-03`` into 1 March 2024; reading that back
    as ``2024-03`` keeps ``Câu hỏi`` and ``Lịch thi`` (and the command line) in step.
    """
    if isinstance(value, datetime) and value.time() == time(0, 0):
        value = value.date()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%Y-%m") if value.day == 1 else value.isoformat()
    return cell_text(value)


class AnswerError(ValueError):
    """An answer cell that does not name option letters; ``kind`` says how."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def parse_answer(value: Cell) -> frozenset[str]:
    """The answer letters (``"b."`` → ``{"B"}``, ``"a; c"`` → ``{"A", "C"}``).

    Raises :class:`AnswerError` with ``kind`` ``unreadable`` (not letters, or
    letters run together such as ``AC``) or ``not_option`` (a letter after F).
    """
    tokens = [t for t in _ANSWER_SEPARATORS.split(normalize(cell_text(value))) if t]
    letters: set[str] = set()
    kind = ""
    for token in tokens:
        match = _ANSWER_TOKEN.match(token)
        if not match:
            raise AnswerError("unreadable")
        letter = match.group(1).upper()
        if letter not in OPTION_LETTERS:
            kind = "not_option"
        letters.add(letter)
    if kind or not letters:
        raise AnswerError(kind or "unreadable")
    return frozenset(letters)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- reading a tab ---------------------------------------------------------------


@dataclass
class _Tab:
    """One secretary tab: where its columns are, and the problems found in it."""

    spec: TabSpec
    title: str
    rows: list[list[Cell]]
    language: str
    index: dict[str, int] = field(default_factory=dict)  # column key -> 0-based index
    written: dict[str, str] = field(default_factory=dict)  # column key -> header as written
    width: int = 0
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    def read_header(self, required: tuple[str, ...]) -> None:
        header = self.rows[0] if self.rows else []
        for position, cell in enumerate(header):
            text = cell_text(cell)
            if not text:
                continue
            self.width = position + 1
            column = self.spec.find_column(text)
            if column is None:
                continue
            if column.key in self.index:
                first = self.written[column.key]
                self.add(HEADER_ROW, text, HEADER_TWICE(self.language, header=text, first=first))
                continue
            self.index[column.key] = position
            self.written[column.key] = text
        for key in required:
            if key not in self.index:
                name = self.spec.column(key).header(self.language)
                self.add(HEADER_ROW, name, COLUMN_MISSING(self.language, header=name))
                self.readable = False

    def place(self) -> ColumnPlace:
        columns = {key: position + 1 for key, position in self.index.items()}
        return ColumnPlace(self.title, HEADER_ROW, columns, self.width)

    def header(self, key: str) -> str:
        """The column's header as written, or the contract's when the column is missing."""
        return self.written.get(key) or self.spec.column(key).header(self.language)

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.title, row, column, message))

    def records(self) -> list[_Row]:
        """The non-blank rows below the header, with their sheet row numbers.

        A row is blank when the secretary's columns are: what the service wrote in its
        own columns (a note left on a row she has since cleared) does not count.
        """
        found = []
        secretary = {c.key for c in self.spec.columns if not c.service}
        for number, cells in enumerate(self.rows[1:], start=HEADER_ROW + 1):
            values = {key: cells[i] if i < len(cells) else None for key, i in self.index.items()}
            if all(is_blank(v) for k, v in values.items() if k in secretary):
                continue
            found.append(_Row(self, number, values))
        return found


@dataclass
class _Row:
    """One non-blank row; ``add`` records a problem and marks the row defective."""

    tab: _Tab
    number: int
    values: dict[str, Cell]
    defective: bool = False
    flagged: set[str] = field(default_factory=set)

    def cell(self, key: str) -> Cell:
        return self.values.get(key)

    def text(self, key: str) -> str:
        return cell_text(self.values.get(key))

    def add(self, key: str, message: str) -> None:
        """Record a problem in the cell under ``key``; one problem per cell is enough."""
        self.defective = True
        if key in self.flagged:
            return
        self.flagged.add(key)
        self.tab.add(self.number, self.tab.header(key), message)

    def check_formula_errors(self) -> None:
        """A cell showing ``#REF!`` and the like: its real value is unknown."""
        for key, value in self.values.items():
            if isinstance(value, str) and value.strip().upper() in _ERRORS:
                self.add(key, FORMULA_ERROR(self.tab.language, value=value.strip()))


def _open_tab(
    tabs: Mapping[str, list[list[Cell]]], spec: TabSpec, language: str, required: tuple[str, ...]
) -> tuple[_Tab | None, list[Problem]]:
    """Find ``spec``'s tab by either title; a missing or doubled tab is a problem."""
    title = find_tab(tabs.keys(), spec)
    if title is None:
        other = spec.title("vi" if language == "en" else "en")
        name = spec.title(language)
        return None, [Problem(name, None, None, TAB_MISSING(language, title=name, other=other))]
    problems = [
        Problem(extra, None, None, TAB_TWICE(language, used=title, title=extra))
        for extra in tabs
        if extra != title and spec.matches(extra)
    ]
    tab = _Tab(spec, title, list(tabs[title]), language)
    tab.read_header(required)
    return tab, problems


# --- the three tabs -----------------------------------------------------------------


def _round_id_problem(round_id: str, language: str, title_limit: int) -> str:
    """Why ``round_id`` cannot name the round's tabs (``Kết quả <id>``…), or ``""``."""
    tab = RESULTS.title(language, round_id)
    bad = sorted({c for c in round_id if c in TITLE_FORBIDDEN})
    if bad or round_id.startswith("'") or round_id.endswith("'"):
        example = "".join("-" if c in TITLE_FORBIDDEN else c for c in round_id).strip("'")
        shown = " ".join(bad) if bad else "'"
        return ROUND_BAD_CHARACTER(language, value=_short(round_id), chars=shown, tab=_short(tab),
                                   example=_short(example or "2024-03"))
    room = round_id_room(title_limit)
    if len(round_id) > room:
        return ROUND_TOO_LONG(language, value=_short(round_id), length=len(round_id),
                              tab=_short(tab), limit=title_limit, room=room)
    return ""


def _read_schedule(
    tab: _Tab, quiz: QuizSettings, tz: tzinfo, date_order: str, title_limit: int
) -> tuple[list[Round], dict[str, str]]:
    """The valid rounds, and every round id written (defective rows too) by its key."""
    lang = tab.language
    order = "mdy" if date_order == "mdy" else "dmy"
    example, pattern = EXAMPLE[order], PATTERN[(lang if lang == "en" else "vi", order)]
    seen: dict[str, int] = {}
    round_ids_written: dict[str, str] = {}
    rounds: list[Round] = []

    def when(row: _Row, key: str) -> datetime | None:
        value = row.cell(key)
        shown = _short(cell_text(value))
        try:
            moment = parse_datetime(value, tz, date_order)
        except DateTimeError as exc:
            message = {
                "impossible": DATETIME_IMPOSSIBLE,
                "date_only": DATE_ONLY,
                "time_only": TIME_ONLY,
            }.get(exc.kind, DATETIME_UNREADABLE)
            row.add(key, message(lang, value=shown, pattern=pattern, example=example))
            return None
        if key == "opens_at" and isinstance(value, datetime) and value.time() == time(0, 0):
            row.add(key, DATE_ONLY(lang, value=shown, example=example))
            return None
        return moment

    def whole(row: _Row, key: str, default: int, limits: tuple[int, int], text: Text) -> int:
        value = row.cell(key)
        if is_blank(value):
            return default
        number = _whole(value)
        low, high = limits
        if number is None or not low <= number <= high:
            shown = _short(cell_text(value))
            row.add(key, text(lang, value=shown, low=low, high=high, default=default))
            return default
        return number

    for row in tab.records():
        row.check_formula_errors()
        round_id = round_id_text(row.cell("round"))
        if not round_id:
            row.add("round", ROUND_BLANK(lang))
        elif problem := _round_id_problem(round_id, lang, title_limit):
            row.add("round", problem)
        elif normalize(round_id) in seen:
            first = seen[normalize(round_id)]
            row.add("round", ROUND_TWICE(lang, value=round_id, first=first))
        else:
            seen[normalize(round_id)] = row.number
            round_ids_written[normalize(round_id)] = round_id
        opens_at = when(row, "opens_at")
        if opens_at is None and is_blank(row.cell("opens_at")):
            row.add("opens_at", OPENS_BLANK(lang, example=example))
        count = whole(row, "questions", quiz.questions_per_round, QUESTION_COUNT_RANGE, COUNT_BAD)
        seconds = whole(row, "seconds", quiz.seconds_per_question, SECONDS_RANGE, SECONDS_BAD)
        status = Status.parse(row.text("status"))
        if status is None:
            choices = ", ".join(s.label(lang) for s in Status)
            row.add("status", STATUS_UNKNOWN(lang, value=_short(row.text("status")),
                                             pending=Status.PENDING.label(lang), choices=choices))
        opened_at = when(row, "opened_at")
        closed_at = when(row, "closed_at")
        if opened_at and closed_at and closed_at < opened_at:
            row.add("closed_at", CLOSED_BEFORE_OPENED(
                lang, closed=row.text("closed_at"), opened=row.text("opened_at"),
                opened_header=tab.header("opened_at")))
        if row.defective or opens_at is None or status is None:
            continue
        rounds.append(Round(
            row=row.number, round_id=round_id, opens_at=opens_at, question_count=count,
            seconds_per_question=seconds, status=status, form_link=row.text("form_link"),
            form_id=row.text("form_id"), opened_at=opened_at, closed_at=closed_at,
            note=row.text("note"),
        ))
    return rounds, round_ids_written


def _read_members(tab: _Tab, identity: str) -> list[Member]:
    lang = tab.language
    names: dict[str, int] = {}
    emails: dict[str, int] = {}
    members: list[Member] = []
    for row in tab.records():
        row.check_formula_errors()
        name = row.text("name")
        email = row.text("email")
        if not name:
            row.add("name", NAME_BLANK(lang))
        elif normalize(name) in names:
            row.add("name", NAME_TWICE(lang, value=_short(name), first=names[normalize(name)]))
        else:
            names[normalize(name)] = row.number
        if email:
            if not _EMAIL.match(email):
                row.add("email", EMAIL_BAD(lang, value=_short(email)))
            elif normalize(email) in emails:
                first = emails[normalize(email)]
                row.add("email", EMAIL_TWICE(lang, value=_short(email), first=first))
            else:
                emails[normalize(email)] = row.number
        elif identity == "email":
            row.add("email", EMAIL_REQUIRED(lang))
        if not row.defective:
            members.append(Member(row=row.number, name=name, email=email, code=row.text("code")))
    return members


def _read_questions(tab: _Tab, round_ids: Mapping[str, str] | None) -> list[Question]:
    """``round_ids`` maps each schedule round id's key to its spelling (``None``: unknown)."""
    lang = tab.language
    texts: dict[str, int] = {}
    questions: list[Question] = []
    for row in tab.records():
        row.check_formula_errors()
        text = row.text("question")
        if not text:
            row.add("question", QUESTION_BLANK(lang))
        elif normalize(text) in texts:
            row.add("question", QUESTION_TWICE(lang, first=texts[normalize(text)]))
        else:
            texts[normalize(text)] = row.number
        options = _options(row)
        answer = _answer(row, options)
        points = 1
        if not is_blank(row.cell("points")):
            number = _whole(row.cell("points"))
            if number is None or number < 1:
                row.add("points", POINTS_BAD(lang, value=_short(row.text("points"))))
            else:
                points = number
        round_id: str | None = round_id_text(row.cell("round")) or None
        if round_id is not None and round_ids is not None:
            known = round_ids.get(normalize(round_id))
            if known is None:
                row.add("round", ROUND_UNKNOWN(lang, value=_short(round_id),
                                               schedule=SCHEDULE.title(lang)))
            round_id = known
        used = tuple(clean(u) for u in _LIST_SEPARATORS.split(row.text("used_in")) if clean(u))
        if row.defective or answer is None:
            continue
        questions.append(Question(
            row=row.number, text=text, options=options, answer=answer, points=points,
            round_id=round_id, source=row.text("source"), explanation=row.text("explanation"),
            used_in=used,
        ))
    return questions


def _options(row: _Row) -> tuple[str, ...]:
    """The options in letter order; gaps, duplicates and too few are problems."""
    lang = row.tab.language
    texts = [row.text(letter) for letter in OPTION_LETTERS]
    last = max((i for i, t in enumerate(texts) if t), default=-1)
    options = tuple(texts[: last + 1])
    for i, text in enumerate(options):
        if not text:
            later = OPTION_LETTERS[next(j for j in range(i, last + 1) if texts[j])]
            row.add(OPTION_LETTERS[i], OPTION_GAP(lang, letter=OPTION_LETTERS[i], later=later))
    filled = [t for t in options if t]
    if len(filled) < 2:
        missing = OPTION_LETTERS[len(filled)] if len(options) == len(filled) else None
        if missing is not None:
            row.add(missing, TOO_FEW_OPTIONS(lang, count=len(filled)))
    first: dict[str, str] = {}
    for letter, text in zip(OPTION_LETTERS, options, strict=False):
        if not text:
            continue
        if normalize(text) in first:
            row.add(letter, OPTION_TWICE(lang, letter=letter, text=_short(text),
                                         first=first[normalize(text)]))
        else:
            first[normalize(text)] = letter
    return options


def _answer(row: _Row, options: tuple[str, ...]) -> frozenset[str] | None:
    lang = row.tab.language
    value = row.cell("answer")
    if is_blank(value):
        row.add("answer", ANSWER_BLANK(lang))
        return None
    try:
        letters = parse_answer(value)
    except AnswerError as exc:
        message = ANSWER_NOT_OPTION if exc.kind == "not_option" else ANSWER_UNREADABLE
        row.add("answer", message(lang, value=_short(cell_text(value))))
        return None
    blank = [x for x in sorted(letters) if OPTION_LETTERS.index(x) >= len(options)
             or not options[OPTION_LETTERS.index(x)]]
    if blank:
        row.add("answer", ANSWER_BLANK_OPTION(lang, letter=", ".join(blank)))
        return None
    return letters


# --- the bank -------------------------------------------------------------------

_REQUIRED: dict[str, tuple[str, ...]] = {
    spec.key: tuple(c.key for c in spec.columns if c.required) for spec in SECRETARY_TABS
}
# Without columns A and B no question can be read: treat them as required.
_REQUIRED[QUESTIONS.key] = ("question", "A", "B", "answer")


def read_bank(
    tabs: Mapping[str, list[list[Cell]]],
    *,
    quiz: QuizSettings,
    tz: tzinfo,
    language: str = "vi",
    date_order: str = "dmy",
    title_limit: int = TITLE_LIMIT_GOOGLE,
) -> Bank:
    """Read the three secretary tabs (found by title in either language) into a ``Bank``.

    ``title_limit`` is how long a tab title may be in this spreadsheet (31 in an
    .xlsx): a round id too long to name its tabs is a problem of its row.

    ``tabs`` holds each tab's cells by title, row 1 first; trailing blanks may
    be missing. Every problem is in ``Bank.problems`` (questions, then
    members, then the schedule); the records hold only the valid rows.
    ``Bank.places`` says where each found tab's columns are.
    """
    opened: dict[str, tuple[_Tab | None, list[Problem]]] = {
        spec.key: _open_tab(tabs, spec, language, _REQUIRED[spec.key]) for spec in SECRETARY_TABS
    }
    schedule, _ = opened[SCHEDULE.key]
    members_tab, _ = opened[MEMBERS.key]
    questions_tab, _ = opened[QUESTIONS.key]

    rounds: list[Round] = []
    round_ids: dict[str, str] | None = None
    if schedule is not None and schedule.readable:
        rounds, round_ids = _read_schedule(schedule, quiz, tz, date_order, title_limit)
    members = _readable(members_tab, lambda t: _read_members(t, quiz.identity))
    questions = _readable(questions_tab, lambda t: _read_questions(t, round_ids))

    problems: list[Problem] = []
    places: dict[str, ColumnPlace] = {}
    for spec in SECRETARY_TABS:
        tab, tab_problems = opened[spec.key]
        problems.extend(tab_problems)
        if tab is not None:
            problems.extend(tab.problems)
            places[spec.key] = tab.place()
    return Bank(
        questions=tuple(questions),
        members=tuple(members),
        rounds=tuple(rounds),
        places=places,
        problems=tuple(problems),
        codes_in_use=members_tab is not None and "code" in members_tab.index,
    )


def _readable(tab: _Tab | None, read: Callable[[_Tab], list[_T]]) -> list[_T]:
    return read(tab) if tab is not None and tab.readable else []
