"""The plain records the core reads, computes and returns.

Nothing here does I/O: adapters turn spreadsheet rows into these records (via
:mod:`automation.bank`) and the core turns them into results. All datetimes
are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from automation.layout import OPTION_LETTERS, Status
from automation.text import normalize


@dataclass(frozen=True)
class Problem:
    """Something the secretary (or the admin) must fix, and where it is.

    ``row`` is the sheet row number as the secretary sees it (1 is the header
    row); ``column`` is the header as written in the sheet. ``message`` is in
    the configured language and says what to do.
    """

    tab: str
    row: int | None
    column: str | None
    message: str

    def where(self, language: str = "vi") -> str:
        parts = [self.tab]
        if self.row is not None:
            parts.append(f"{'row' if language == 'en' else 'dòng'} {self.row}")
        if self.column:
            parts.append(f"{'column' if language == 'en' else 'cột'} {self.column}")
        return ", ".join(parts)

    def describe(self, language: str = "vi") -> str:
        return f"{self.where(language)}: {self.message}"


@dataclass(frozen=True)
class Question:
    """One row of ``Câu hỏi``: a multiple-choice question and its answer key."""

    row: int
    text: str
    options: tuple[str, ...]  # in letter order: options[0] is A; no gaps
    answer: frozenset[str]  # the correct letters, e.g. {"B"} or {"A", "C"}
    points: int = 1
    round_id: str | None = None  # None: the general pool
    source: str = ""
    explanation: str = ""
    used_in: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What identifies the question across forms, exports and re-ranking."""
        return normalize(self.text)

    @property
    def letters(self) -> tuple[str, ...]:
        return OPTION_LETTERS[: len(self.options)]

    @property
    def multi(self) -> bool:
        return len(self.answer) > 1

    def option(self, letter: str) -> str:
        return self.options[OPTION_LETTERS.index(letter)]

    @property
    def correct_texts(self) -> tuple[str, ...]:
        return tuple(self.option(letter) for letter in sorted(self.answer))


@dataclass(frozen=True)
class Member:
    """One row of ``Đảng viên``."""

    row: int
    name: str
    email: str = ""
    code: str = ""  # rule 9: the personal code, when the tab has a Mã column

    @property
    def key(self) -> str:
        return normalize(self.name)

    @property
    def email_key(self) -> str:
        return normalize(self.email)


@dataclass(frozen=True)
class Round:
    """One row of ``Lịch thi``: what the secretary planned and what happened."""

    row: int
    round_id: str
    opens_at: datetime
    question_count: int
    seconds_per_question: int
    status: Status = Status.PENDING
    form_link: str = ""
    form_id: str = ""
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    note: str = ""
    allowed: timedelta | None = None  # a form open for a set time (a self-assessment's days)

    @property
    def time_allowed(self) -> timedelta:
        if self.allowed is not None:
            return self.allowed
        return timedelta(seconds=self.question_count * self.seconds_per_question)

    def deadline(self, grace: timedelta) -> datetime:
        """Rule 3: actual opening time (or, never opened, the planned one) + time + grace."""
        return (self.opened_at or self.opens_at) + self.time_allowed + grace


@dataclass(frozen=True)
class ColumnPlace:
    """Where a tab and its columns are, so service cells can be written back."""

    title: str
    header_row: int
    columns: Mapping[str, int]  # column key -> 1-based column index
    width: int  # number of columns in the header row (last non-blank header)


@dataclass(frozen=True)
class Bank:
    """The secretary's three tabs, read and validated."""

    questions: tuple[Question, ...]
    members: tuple[Member, ...]
    rounds: tuple[Round, ...]
    places: Mapping[str, ColumnPlace]  # TabSpec.key -> where that tab is
    problems: tuple[Problem, ...] = ()
    codes_in_use: bool = False  # rule 9: the Members tab has a Mã (Code) column

    def round(self, round_id: str) -> Round | None:
        wanted = normalize(round_id)
        for candidate in self.rounds:
            if normalize(candidate.round_id) == wanted:
                return candidate
        return None


@dataclass(frozen=True)
class Submission:
    """One response as received, with the answers already mapped to letters.

    ``answers`` maps :attr:`Question.key` to the letters chosen. ``score`` is
    set only when the source (a Google Forms export) carries its own score,
    normalised to 10; otherwise the service grades the answers itself.
    """

    respondent: str  # the name picked in the form, or the verified email
    submitted_at: datetime
    answers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    started_at: datetime | None = None  # local form: when this member opened it
    response_id: str = ""
    score: float | None = None
    code: str | None = None  # rule 9: as typed; None when the form did not ask
    code_verdict: bool | None = None  # read back from Bài làm: whether the code matched
    edited_at: datetime | None = None  # Google: edited after submitting, at this time


class Reason(Enum):
    """Why a response is listed but not ranked."""

    LATE = ("Nộp muộn", "Late")
    REPEATED = ("Nộp lại", "Repeated")
    NOT_MEMBER = ("Không có trong danh sách đảng viên", "Not a member")
    WRONG_CODE = ("Sai mã", "Wrong code")
    EDITED_LATE = ("Sửa bài sau hạn", "Edited after the deadline")

    def label(self, language: str) -> str:
        vi, en = self.value
        return en if language == "en" else vi


@dataclass(frozen=True)
class Entry:
    """A graded response: ranked (``rank`` set) or listed with a ``reason``."""

    name: str  # the member's name as in the roster, or the respondent as given
    submission: Submission
    score: float  # out of 10, two decimals
    correct: int  # number of questions answered correctly
    duration: timedelta  # rule 7
    rank: int | None = None
    reason: Reason | None = None
    member: Member | None = None


@dataclass(frozen=True)
class RoundResult:
    """Everything the results tab shows for one round."""

    round_id: str
    questions: tuple[Question, ...]
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    ranked: tuple[Entry, ...]
    unranked: tuple[Entry, ...]
    absent: tuple[Member, ...]
    member_count: int

    @property
    def participants(self) -> int:
        """Members who responded at all (ranked, late or repeated)."""
        return len({e.member.key for e in (*self.ranked, *self.unranked) if e.member})

    @property
    def winners(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.ranked if e.rank == 1)


@dataclass(frozen=True)
class QuestionStat:
    """How one question of one round went."""

    round_id: str
    number: int  # position in the round, from 1
    question: str
    answered: int
    correct: int
    # The TEXT of the most chosen wrong option (members saw the options shuffled, so a
    # letter would mean nothing to them); None when no wrong option was chosen.
    top_wrong: str | None
    top_wrong_count: int
    source: str

    @property
    def percent_correct(self) -> float:
        return round(100 * self.correct / self.answered, 1) if self.answered else 0.0


@dataclass(frozen=True)
class RoundScore:
    """One member's outcome in one ranked round: the season table's input."""

    round_id: str
    name: str
    rank: int
    score: float


@dataclass(frozen=True)
class SeasonRow:
    """One member's year."""

    rank: int
    name: str
    rounds_taken: int
    total: float
    average: float
    first_places: int
