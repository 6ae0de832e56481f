"""The spreadsheet contract: tab titles, headers and status words.

Everything a secretary sees as a tab or a header is defined here once, in
Vietnamese and English; the readers, the writers and ``automation init`` all
use these definitions. Headers and titles are matched with
:func:`automation.text.normalize`, and the English name is accepted wherever
the Vietnamese one is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Self, TypeVar

from automation.text import normalize


@dataclass(frozen=True)
class Column:
    """One header of a tab. ``service`` columns are written by the service."""

    key: str
    vi: str
    en: str
    required: bool = False
    service: bool = False
    in_template: bool = True  # False: an opt-in column `automation init` does not add

    def header(self, language: str) -> str:
        return self.en if language == "en" else self.vi

    def matches(self, header: str) -> bool:
        return normalize(header) in (normalize(self.vi), normalize(self.en))


@dataclass(frozen=True)
class TabSpec:
    """A secretary tab: its names and its columns, in the template's order."""

    key: str
    vi: str
    en: str
    columns: tuple[Column, ...]

    def title(self, language: str) -> str:
        return self.en if language == "en" else self.vi

    def matches(self, title: str) -> bool:
        return normalize(title) in (normalize(self.vi), normalize(self.en))

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def find_column(self, header: str) -> Column | None:
        for column in self.columns:
            if column.matches(header):
                return column
        return None


OPTION_LETTERS = ("A", "B", "C", "D", "E", "F")

QUESTIONS = TabSpec(
    "questions",
    "Câu hỏi",
    "Questions",
    (
        Column("round", "Kỳ thi", "Round"),
        Column("question", "Câu hỏi", "Question", required=True),
        *(Column(letter, letter, letter) for letter in OPTION_LETTERS),
        Column("answer", "Đáp án", "Answer", required=True),
        Column("points", "Điểm", "Points"),
        Column("source", "Nguồn", "Source"),
        Column("explanation", "Giải thích", "Explanation"),
        Column("used_in", "Đã dùng", "Used in", service=True),
    ),
)

MEMBERS = TabSpec(
    "members",
    "Đảng viên",
    "Members",
    (
        Column("name", "Họ và tên", "Name", required=True),
        Column("email", "Email", "Email"),
        Column("note", "Ghi chú", "Note"),
        # Rule 9: adding this column turns personal codes on.
        Column("code", "Mã", "Code", in_template=False),
    ),
)

SCHEDULE = TabSpec(
    "schedule",
    "Lịch thi",
    "Schedule",
    (
        Column("round", "Kỳ thi", "Round", required=True),
        Column("opens_at", "Mở lúc", "Opens at", required=True),
        Column("questions", "Số câu", "Questions"),
        Column("seconds", "Giây mỗi câu", "Seconds per question"),
        Column("status", "Trạng thái", "Status", service=True),
        Column("form_link", "Link làm bài", "Form link", service=True),
        Column("form_id", "Mã biểu mẫu", "Form id", service=True),
        Column("opened_at", "Mở thực tế", "Opened at", service=True),
        Column("closed_at", "Đóng lúc", "Closed at", service=True),
        Column("note", "Ghi chú", "Note", service=True),
    ),
)

SECRETARY_TABS = (QUESTIONS, MEMBERS, SCHEDULE)


class Status(Enum):
    """A round's state, as written in the ``Trạng thái`` column."""

    PENDING = ("Chờ", "Pending")
    PREPARED = ("Đã chuẩn bị", "Prepared")
    OPEN = ("Đang mở", "Open")
    CLOSED = ("Đã đóng", "Closed")
    RANKED = ("Đã xếp hạng", "Ranked")
    MISSED = ("Lỡ lịch", "Missed")
    ERROR = ("Lỗi", "Error")
    RERANK = ("Xếp hạng lại", "Rank again")

    def label(self, language: str) -> str:
        vi, en = self.value
        return en if language == "en" else vi

    @classmethod
    def parse(cls, text: str) -> Status | None:
        """The status a cell holds; blank is ``PENDING``; unknown text is ``None``."""
        key = normalize(text)
        if not key:
            return cls.PENDING
        for status in cls:
            if key in (normalize(status.value[0]), normalize(status.value[1])):
                return status
        return None


@dataclass(frozen=True)
class ServiceTab:
    """A tab the service writes; per-round tabs carry the round id after the name."""

    vi: str
    en: str
    per_round: bool

    def title(self, language: str, suffix: str = "") -> str:
        base = self.en if language == "en" else self.vi
        return f"{base} {suffix}" if suffix else base

    def find(self, titles: Iterable[str], suffix: str = "") -> str | None:
        """The existing tab, in either language, if there is one."""
        wanted = {normalize(self.title("vi", suffix)), normalize(self.title("en", suffix))}
        for title in titles:
            if normalize(title) in wanted:
                return title
        return None


RESULTS = ServiceTab("Kết quả", "Results", per_round=True)
RESPONSES = ServiceTab("Bài làm", "Responses", per_round=True)
QUESTION_STATS = ServiceTab("Thống kê câu hỏi", "Question stats", per_round=False)
SEASON = ServiceTab("Tổng kết", "Season", per_round=True)  # suffix: the year

#: The tabs named after a round: its id must fit in their titles.
ROUND_TABS = (RESULTS, RESPONSES)
#: Characters no tab title may hold (Excel refuses them; a Google Sheet is often
#: downloaded as .xlsx), and the most characters a title may have per backend.
TITLE_FORBIDDEN = "/\\?*[]:"
TITLE_LIMIT_XLSX = 31
TITLE_LIMIT_GOOGLE = 100


def round_id_room(title_limit: int) -> int:
    """How long a round id may be so that every tab named after it fits ``title_limit``."""
    longest = max(len(tab.title(language, "x")) - 1 for tab in ROUND_TABS for language in
                  ("vi", "en"))
    return title_limit - longest


# Headers of the ranked table in ``Kết quả <round>``, in the contract's order.
RESULT_COLUMNS = (
    Column("rank", "Hạng", "Rank"),
    Column("name", "Họ và tên", "Name"),
    Column("score", "Điểm (/10)", "Score (/10)"),
    Column("correct", "Số câu đúng", "Correct answers"),
    Column("duration", "Thời gian làm bài", "Time taken"),
    Column("submitted_at", "Nộp lúc", "Submitted at"),
    Column("note", "Ghi chú", "Note"),
)


def same_tab(title: str, other: str) -> bool:
    """Whether two titles name the same tab: equal once normalised, or a tab the secretary
    keeps (``Câu hỏi``, ``Tiêu chí``…) in one language and in the other."""
    if normalize(title) == normalize(other):
        return True
    return any(spec.matches(title) and spec.matches(other) for spec in (
        *SECRETARY_TABS, CRITERIA, SELF_FORMS, CELLS, JOINT_SCHEDULE, JOINT_ROUNDS))


def find_tab(titles: Iterable[str], spec: TabSpec) -> str | None:
    """The title of the tab that holds ``spec``, in either language, if present."""
    for title in titles:
        if spec.matches(title):
            return title
    return None


# --- the monthly "6 tốt" rating -----------------------------------------------------------

CRITERIA = TabSpec(
    "criteria",
    "Tiêu chí",
    "Criteria",
    (
        Column("side", "Đối tượng", "Applies to", required=True),
        Column("number", "Số", "No.", required=True),
        # The text last: a long criterion runs on to the right instead of being cut off.
        Column("weight", "Trọng số", "Weight"),
        Column("text", "Tiêu chí", "Criterion", required=True),
        # What the secretary must fix in a row, written by the service.
        Column("note", "Ghi chú", "Note", service=True, in_template=False),
    ),
)

#: The monthly self-assessment forms (rule 5 of the rating), one row per month: a ledger
#: of the round engine, like ``Lịch thi``, but written by the service alone.
SELF_FORMS = TabSpec(
    "self_forms",
    "Phiếu tự đánh giá",
    "Self-assessment forms",
    (
        Column("round", "Tháng", "Month", required=True),
        Column("opens_at", "Mở lúc", "Opens at", required=True),
        Column("closes_at", "Đóng lúc dự kiến", "Closes at", service=True),
        *(column for column in SCHEDULE.columns if column.service),
    ),
)

#: At most this many criteria per side (one numbered column each in a month's tab).
MAX_CRITERIA = 10


_W = TypeVar("_W", bound="_Words")


class _Words(Enum):
    """Words the secretary writes, a ``(vi, en)`` pair each; either is read."""

    def label(self, language: str) -> str:
        vi, en = self.value
        return en if language == "en" else vi

    @classmethod
    def parse(cls, text: str) -> Self | None:
        keys = _word_keys(cls)
        return keys.get(text) or keys.get(normalize(text))


@cache
def _word_keys(words: type[_W]) -> dict[str, _W]:
    """Each word, as written and as its comparison key → its member (built once per enum:
    a month's tab holds hundreds of drop-down words, mostly written exactly so)."""
    return {key: member for member in words for word in member.value
            for key in (word, normalize(word))}


class Side(_Words):
    """Who a criterion rates: each member, or the cell itself (``Đối tượng``)."""

    MEMBER = ("Đảng viên", "Member")
    CELL = ("Chi bộ", "Cell")


_NOT_ACHIEVED = normalize("Không đạt")


class Mark(_Words):
    """A criterion cell of a month's tab, as the chi ủy fills it (drop-down words)."""

    MET = ("Đạt", "Met")
    NOT_MET = ("Chưa đạt", "Not met")

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """Either language's word; "Không đạt" (not achieved) is read as not met too."""
        found = super().parse(text)
        if found is None and normalize(text) == _NOT_ACHIEVED:
            return cls.NOT_MET
        return found


#: The ``Kỷ luật`` drop-down word; blank (or "Không" / "No") means not disciplined.
DISCIPLINED = ("Có", "Yes")
NOT_DISCIPLINED = ("Không", "No")

RATING_MONTH = ServiceTab("Đánh giá", "Rating", per_round=True)  # suffix: yyyy-mm
RATING_YEAR = ServiceTab("Xếp loại", "Rating", per_round=True)  # suffix: the year

# The columns of ``Đánh giá <yyyy-mm>`` besides the numbered criteria, in the tab's order:
# the name first, the criteria, then these.
MONTH_NAME = Column("name", "Họ và tên", "Name", required=True)
MONTH_COLUMNS = (
    Column("disciplined", "Kỷ luật", "Disciplined"),
    Column("note", "Ghi chú", "Note"),
    Column("self", "Tự đánh giá", "Self-assessment", service=True),
    Column("points", "Điểm", "Points", service=True),
    Column("level", "Xếp loại tháng", "Monthly level", service=True),
)

#: Default names of the monthly levels and of the year's, best first (``[rating]`` may rename).
MONTH_LEVELS = (
    ("Đạt 6 tốt", "Six good"),
    ("Tốt", "Good"),
    ("Đạt", "Pass"),
    ("Chưa đạt", "Below pass"),
)
YEAR_LEVELS = (
    ("Hoàn thành xuất sắc nhiệm vụ", "Completed tasks excellently"),
    ("Hoàn thành tốt nhiệm vụ", "Completed tasks well"),
    ("Hoàn thành nhiệm vụ", "Completed tasks"),
    ("Không hoàn thành nhiệm vụ", "Did not complete tasks"),
)
NOT_ENOUGH_MONTHS = ("Chưa đủ căn cứ", "Not enough months")


# --- many cells, one service: the committee's registry -------------------------------------

#: The registry's list of cells: one row per cell and its spreadsheet.
CELLS = TabSpec(
    "cells",
    "Chi bộ",
    "Cells",
    (
        Column("name", "Chi bộ", "Cell", required=True),
        Column("spreadsheet", "Bảng tính", "Spreadsheet", required=True),
        Column("on", "Bật", "On"),
        Column("status", "Trạng thái", "Status", service=True),
        Column("checked_at", "Kiểm tra lúc", "Checked at", service=True),
    ),
)

#: The registry's joint rounds: exactly the secretary columns of ``Lịch thi``. Each cell
#: keeps its own state of a joint round (in its ``Thi chung``), so there is no service column.
JOINT_SCHEDULE = TabSpec(
    "joint_schedule",
    "Lịch thi chung",
    "Joint schedule",
    tuple(column for column in SCHEDULE.columns if not column.service),
)

#: A cell's copy of the joint rounds, a ledger of the round engine shaped like ``Lịch thi``.
#: The service writes all of it: the planning columns are copied from the registry (they are
#: not marked service, so a row is blank exactly when a schedule row would be).
JOINT_ROUNDS = TabSpec("joint_rounds", "Thi chung", "Joint rounds", SCHEDULE.columns)

#: The tabs of a registry spreadsheet, in the template's order.
REGISTRY_TABS = (CELLS, JOINT_SCHEDULE, QUESTIONS)

#: ``Kết quả chung <round>``: every member of every cell ranked, in the registry.
JOINT_RESULTS = ServiceTab("Kết quả chung", "Joint results", per_round=True)

#: The words of the ``Bật`` column (blank is on).
CELL_ON = ("Bật", "On")
CELL_OFF = ("Tắt", "Off")

#: The first path segments the local web form uses itself: no cell may be served there.
RESERVED_PATHS = frozenset({"f", "static"})


def joint_round_id_room(title_limit: int) -> int:
    """How long a joint round id may be: its cells' tabs and ``Kết quả chung <id>`` must fit."""
    longest = max(len(JOINT_RESULTS.title(language, "x")) - 1 for language in ("vi", "en"))
    return min(round_id_room(title_limit), title_limit - longest)

#: The ranked table of ``Kết quả chung <round>``: the cell's name beside each member's.
JOINT_RESULT_COLUMNS = (
    RESULT_COLUMNS[0],
    Column("cell", "Chi bộ", "Cell"),
    *(column for column in RESULT_COLUMNS[1:] if column.key != "note"),
)
#: The table of ``Kết quả chung <round>`` with one row per cell.
JOINT_CELL_COLUMNS = (
    Column("number", "STT", "No."),
    Column("cell", "Chi bộ", "Cell"),
    Column("members", "Số đảng viên", "Members"),
    Column("participants", "Tham gia", "Took part"),
    Column("percent", "Tỉ lệ tham gia (%)", "Turnout (%)"),
    Column("average", "Điểm trung bình", "Average score"),
    Column("note", "Ghi chú", "Note"),
)
