"""The two small interfaces every backend implements.

A :class:`Spreadsheet` is the secretary's workbook (a local ``.xlsx`` or a
Google Sheet); a :class:`Forms` service builds, opens, closes and reads the
round's quiz form (the local web form or Google Forms). The core and the shell
talk only to these; tests swap the backend, not the code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from automation.text import Cell


class BackendError(Exception):
    """An outside service failed after retries (exit code 3); the message says what to do."""


class InputError(Exception):
    """The input needs fixing (exit code 1); the message says where and what to do."""


class WorkbookLocked(BackendError):
    """The local workbook is open in another program and could not be saved."""


# --- the spreadsheet ---------------------------------------------------------


@dataclass(frozen=True)
class CellWrite:
    """One cell to write: ``row`` and ``column`` are 1-based, as in the sheet."""

    tab: str
    row: int
    column: int
    value: Cell


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of the rows ``first_row..last_row`` (1-based, inclusive)."""

    title: str
    label_column: int  # 0-based
    value_column: int  # 0-based
    first_row: int
    last_row: int
    # Where its top left corner goes (row 1-based, column 0-based); None: beside the table.
    anchor_row: int | None = None
    anchor_column: int | None = None
    # The value axis runs 0..value_max with a tick every value_step (whole people, never 0.5).
    value_step: int | None = None
    value_max: int | None = None
    width_cm: int = 15
    height_cm: int = 7


@dataclass(frozen=True)
class CellStyle:
    """How one cell looks, over what its row and column give it."""

    bold: bool = False
    size: int | None = None  # font size in points; None: the sheet's default
    align: str = ""  # "left", "center" or "right"; blank: the spreadsheet's own choice
    number_format: str = ""  # as in SheetTab.number_formats; blank: the column's


@dataclass(frozen=True)
class PageSetup:
    """How a tab prints on paper (A4).

    Only the local workbook can carry it: the Google Sheets API has no print
    settings (a sheet is printed from the browser's print dialog, where
    "repeat frozen rows" repeats the frozen header).
    """

    landscape: bool = False
    fit_width: bool = True  # scaled to one page wide, as many pages tall as it takes
    repeat_rows: tuple[int, int] | None = None  # 1-based rows printed atop every page
    repeat_columns: tuple[int, int] | None = None  # 0-based columns printed left on every page
    footer: str = ""  # printed at the foot of every page; {page} and {pages} are filled in


@dataclass(frozen=True)
class Validation:
    """A drop-down list on ``column`` (0-based) for rows ``first_row..last_row``."""

    column: int
    first_row: int
    last_row: int
    values: tuple[str, ...]


@dataclass
class SheetTab:
    """A whole tab as the service writes it, with formatting hints for people.

    Rows and columns are 1-based in ``header_row``, ``bold_rows``,
    ``highlight_rows`` and ``notes``; ``number_formats`` and
    ``column_widths`` are indexed by 0-based column. Number formats use the
    spreadsheet notation both backends understand (``0.00``,
    ``dd/mm/yyyy hh:mm:ss``, ``@`` for text). Values are written as they are,
    never evaluated as formulas. The highlighted rows are bold as well.
    """

    title: str
    rows: list[list[Cell]]
    header_row: int | None = None  # bold, and frozen with everything above it
    bold_rows: frozenset[int] = frozenset()
    highlight_rows: frozenset[int] = frozenset()  # the winner(s)
    column_widths: tuple[int, ...] = ()  # in characters
    number_formats: Mapping[int, str] = field(default_factory=dict)
    notes: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 1-based
    validations: tuple[Validation, ...] = ()
    chart: ChartSpec | None = None
    # Horizontal alignment ("left", "center", "right") of whole columns (0-based), from the
    # header row down; cell_styles override single cells (row, col 1-based), e.g. a title.
    alignments: Mapping[int, str] = field(default_factory=dict)
    cell_styles: Mapping[tuple[int, int], CellStyle] = field(default_factory=dict)
    wrap_columns: frozenset[int] = frozenset()  # 0-based: long text wraps, from the header down
    wrap_header: bool = False  # the header row wraps (long headers over narrow columns)
    page: PageSetup | None = None


class Spreadsheet(Protocol):
    """The secretary's spreadsheet, local or Google."""

    #: How dates typed as text are to be read: "dmy", "mdy" or "ymd" (the sheet's locale).
    date_order: str
    #: The most characters a tab title may have (31 in an .xlsx, 100 on Google).
    title_limit: int

    def location(self) -> str:
        """Where a person finds it: a file path or a URL."""
        ...

    def tab_titles(self) -> list[str]:
        """The titles of all tabs, in order."""
        ...

    def read(self, titles: Sequence[str]) -> dict[str, list[list[Cell]]]:
        """The cells of the named tabs, as the secretary sees them, in one read.

        Trailing blank cells and rows may be missing. A title that is not a
        tab is absent from the result.
        """
        ...

    def update_cells(self, writes: Sequence[CellWrite]) -> None:
        """Write single cells (service columns), never as formulas, in one batch."""
        ...

    def write_tabs(self, tabs: Sequence[SheetTab]) -> None:
        """Create or wholly replace the given service tabs, in one batch."""
        ...

    def add_tabs(self, tabs: Sequence[SheetTab]) -> list[str]:
        """Create the tabs that do not exist yet; never touch an existing one.

        Returns the titles created.
        """
        ...


# --- the form ----------------------------------------------------------------


@dataclass(frozen=True)
class FormQuestion:
    """One question as the form shows it: option texts in the bank's order.

    ``kind`` is ``"choice"`` (radio, or checkboxes when ``multi``) or
    ``"text"`` (a free answer, such as a self-assessment's comment: no
    options, no key). ``required=False`` lets a member leave it blank.
    """

    title: str
    options: tuple[str, ...]
    multi: bool
    points: int
    correct: tuple[str, ...]  # the correct option texts (empty: not graded)
    explanation: str = ""
    kind: str = "choice"
    required: bool = True


@dataclass(frozen=True)
class FormSpec:
    """Everything needed to build a round's quiz form."""

    round_id: str
    owner: str  # the spreadsheet it belongs to (id or workbook path); forms are marked with it
    title: str
    description: str
    identity: str  # "roster": pick a name from member_names; "email": verified email
    member_names: tuple[str, ...]
    questions: tuple[FormQuestion, ...]
    shuffle_options: bool
    seconds_allowed: int  # questions × seconds per question
    language: str = "vi"
    # identity "email", local form only: the members' emails it accepts (Google verifies
    # the email itself). Empty: any well-formed email is taken; the ranking lists strangers.
    member_emails: tuple[str, ...] = ()
    # Rule 9: the form also asks for the member's personal code (never checked or echoed
    # by the form itself: the ranking compares it, so a form is no oracle for codes).
    ask_code: bool = False
    # Google: a graded quiz that shows each member their score and the key right after
    # submitting (show_score_after_submit). Off: the form carries no answer key at all.
    graded: bool = False
    # What the member pages say about the round (the rules are stated from these).
    kind: str = "quiz"  # "quiz", or "survey" (a self-assessment: no key, no score)
    opens_at: datetime | None = None  # the planned opening, for the not-yet-open page
    seconds_per_question: int = 0
    grace_seconds: int = 0
    timezone: str = "Asia/Ho_Chi_Minh"  # every time a member reads is shown in this zone


@dataclass(frozen=True)
class FormRef:
    """A built form: its id and the link members open."""

    form_id: str
    url: str


@dataclass(frozen=True)
class FormResponse:
    """One submission as the form received it.

    ``answers`` maps the question's title (as built) to the option texts
    chosen; the core maps them back to bank questions and letters.
    """

    response_id: str
    respondent: str  # the name picked, or the verified email
    submitted_at: datetime  # the first submission (Google: createTime)
    answers: Mapping[str, tuple[str, ...]]
    started_at: datetime | None = None
    # Rule 9: the personal code as typed (None: the form did not ask). Never shown.
    code: str | None = None
    # Read back from the Responses tab, where codes are never written: whether it matched.
    code_verdict: bool | None = None
    # Google: when a member edited the response after submitting it (lastSubmittedTime).
    edited_at: datetime | None = None
    # Local form: where it came from ("192.168.1.23 · a1b2c3"), so one phone answering
    # for several names shows.
    client: str = ""


@dataclass(frozen=True)
class FormStatus:
    """A form's own state, which the round's life follows when the sheet lags behind."""

    accepting: bool
    opened_at: datetime | None  # when it first started accepting; None: never opened
    closed_at: datetime | None  # when it last stopped accepting; None: open or never opened
    titles: tuple[str, ...] = ()  # the graded questions' titles, as built


class Forms(Protocol):
    """Quiz forms, local or Google. Every method is safe to call again."""

    def build(self, spec: FormSpec) -> FormRef:
        """Build the round's form, not yet accepting responses.

        Idempotent per (``spec.owner``, ``spec.round_id``): if a form for that
        round already exists (even half-built by a crashed run) it is reused
        and completed, never duplicated.
        """
        ...

    def open(self, form_id: str, duration: timedelta) -> datetime:
        """Start accepting responses for ``duration`` (time allowed + grace).

        Returns when the form first started accepting, to the millisecond; the
        deadline is that moment + ``duration`` (the local form enforces it,
        Google's is enforced by the tick closing it). Opening an open form
        again changes nothing and returns the first opening time.
        """
        ...

    def close(self, form_id: str) -> datetime:
        """Stop accepting responses; the link then says the form is closed.

        Returns when it stopped: closing a closed form returns the first closing time.
        """
        ...

    def status(self, form_id: str) -> FormStatus:
        """The form's own state: accepting or not, and since when."""
        ...

    def restate(self, form_id: str, description: str) -> None:
        """Say the form's rules again (it opened late: its deadline moved with it)."""
        ...

    def responses(self, form_id: str) -> list[FormResponse]:
        """Every response received, in any order."""
        ...
