"""Local quiz forms kept in SQLite beside the workbook: the offline ``Forms`` backend.

A form goes through the same states as a Google Form: built (not accepting),
open (accepting until the deadline given to :meth:`LocalForms.open`), closed.
The answer key is stored with the form and never leaves the server before the
form's deadline. Every write is one SQLite transaction in WAL mode, so a
submission is acknowledged only after it is committed and a server restart
keeps everything. The file holds the answer keys, the personal codes and the
web form's session key: it is readable by its owner only.

Recorded attempts (why ``responses`` may return more than one row per member):

* the first submission of a member while the form is open is *accepted*;
* a later submission of the same member is refused on the page ("the first
  counts") but *recorded as repeated*, so the ranking lists it (rule 5);
* a quiz submission after the deadline while the form is still open (the
  service closes it within a second or so) is refused on the page but
  *recorded as late*, so the ranking lists it as late (rule 3). A survey's
  deadline is its closing time: after it nothing is recorded;
* once the form is closed nothing more is recorded, as Google Forms refuses
  answers to a closed form. Open, late or closed is decided inside the write
  transaction, so a submission racing the close is recorded before it or refused;
* at most :data:`MAX_ATTEMPTS` rows are kept per member and form, so a
  looping client cannot fill the disk;
* a name that is not in the roster, an option that does not exist, or a
  submission while the form is not open is refused and not recorded.

Members' times never go backwards while the service runs: when the system clock
jumps back, the store keeps counting from its last stamp with the monotonic
clock, so a later arrival never gets an earlier time (equal scores keep their
order of arrival) and a submission after the deadline is still late.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from automation.i18n import Text
from automation.ports import (
    BackendError,
    FormQuestion,
    FormRef,
    FormResponse,
    FormSpec,
    FormStatus,
    InputError,
)
from automation.text import clean, normalize

#: Rows kept per member and form (the first plus repeated or late attempts).
MAX_ATTEMPTS = 5
#: Personal codes kept per member and form (one per phone that picked the name).
MAX_CODES = 20
#: The longest personal code and free answer taken (characters).
MAX_CODE = 64
MAX_TEXT = 2000
#: How far the tick's "now" (from which it computed the deadline) may precede the
#: store's own opening moment and still be taken as the opening time (rule 3).

UNKNOWN_FORM = Text(
    "Không tìm thấy biểu mẫu '{form_id}' trong {db}. Hãy kiểm tra cột 'Mã biểu mẫu' "
    "của trang Lịch thi, hoặc xóa ô đó để biểu mẫu được tạo lại.",
    "No form '{form_id}' in {db}. Check the 'Form id' column of the Schedule tab, or "
    "clear that cell so the form is built again.",
)
STORE_BROKEN = Text(
    "Không dùng được tệp dữ liệu biểu mẫu {db} ({error}). Tệp bị hỏng hoặc không ghi được: "
    "hãy kiểm tra quyền ghi của tệp và thư mục chứa nó; nếu tệp bị hỏng, hãy đổi tên tệp đó "
    "(cùng các tệp -wal, -shm bên cạnh) để dịch vụ tạo tệp mới, và giữ tệp cũ vì bài đã "
    "nộp nằm trong đó.",
    "Cannot use the form data file {db} ({error}). It is damaged or cannot be written: check "
    "that the file and its folder are writable; if it is damaged, rename it (with the -wal "
    "and -shm files beside it) so the service makes a new one, and keep the old file: the "
    "responses received are in it.",
)
STORE_BUSY = Text(
    "Tệp dữ liệu biểu mẫu {db} đang bị một chương trình khác khóa quá lâu ({error}); "
    "sẽ thử lại ở lần sau.",
    "The form data file {db} stayed locked by another program ({error}); it will be "
    "retried.",
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
NAIVE_TIME = "the clock must return timezone-aware datetimes"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forms (
    form_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    round_key TEXT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    built_at TEXT NOT NULL,
    deadline TEXT,
    opened_at TEXT,
    closed_at TEXT,
    UNIQUE (owner, round_key)
);
CREATE TABLE IF NOT EXISTS starts (
    form_id TEXT NOT NULL REFERENCES forms(form_id),
    member_key TEXT NOT NULL,
    respondent TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (form_id, member_key)
);
CREATE TABLE IF NOT EXISTS submissions (
    response_id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES forms(form_id),
    member_key TEXT NOT NULL,
    respondent TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    started_at TEXT,
    answers TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_by_member ON submissions (form_id, member_key);
CREATE TABLE IF NOT EXISTS codes (
    token TEXT PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES forms(form_id),
    member_key TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS codes_by_member ON codes (form_id, member_key);
"""
# Columns added since the first release: (table, column, declaration).
_ADDED_COLUMNS = (
    ("submissions", "code", "TEXT"),
    ("submissions", "client_addr", "TEXT NOT NULL DEFAULT ''"),
    ("submissions", "device", "TEXT NOT NULL DEFAULT ''"),
)
_RESPONSE_COLUMNS = (
    "response_id, respondent, submitted_at, answers, started_at, code, client_addr, device"
)


class FormState(Enum):
    BUILT = "built"  # not accepting yet
    OPEN = "open"
    CLOSED = "closed"


class Outcome(Enum):
    """What happened to a submission that was recorded."""

    ACCEPTED = "accepted"
    REPEATED = "repeated"  # refused on the page: the member's first submission counts
    LATE = "late"  # refused on the page: after the deadline


class Refusal(Enum):
    """Why a submission or a start was refused without being recorded."""

    NOT_OPEN = "not_open"
    CLOSED = "closed"
    UNKNOWN_MEMBER = "unknown_member"
    BAD_ANSWER = "bad_answer"
    MISSING_ANSWER = "missing_answer"  # a survey's required question left blank
    TOO_MANY = "too_many"


class Refused(Exception):
    """The store refused a start or a submission; nothing was written."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class LocalForm:
    """A stored form with its state; ``spec`` holds the answer key (server side only)."""

    form_id: str
    spec: FormSpec
    state: FormState
    deadline: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None

    @property
    def survey(self) -> bool:
        return self.spec.kind == "survey"

    def accepting(self, now: datetime) -> bool:
        return self.state is FormState.OPEN and (self.deadline is None or now <= self.deadline)

    def finished(self, now: datetime) -> bool:
        """Past the deadline (closed or not): the answer key may be shown.

        A form closed by hand before its deadline is not finished: it may be
        opened again, so its key stays on the server until the deadline.
        """
        if self.state is FormState.BUILT:
            return False
        if self.deadline is None:
            return self.state is FormState.CLOSED
        return now > self.deadline

    def question(self, title: str) -> FormQuestion | None:
        for question in self.spec.questions:
            if question.title == title:
                return question
        return None

    def member(self, given: str) -> str | None:
        """The respondent as stored for what a person picked or typed; None if refused.

        Roster: one of ``spec.member_names``, returned as the roster spells it.
        Email: a well-formed email, one of ``spec.member_emails`` when that is
        given (otherwise any: the ranking lists a stranger as not a member).
        """
        wanted = normalize(given)
        if not wanted or len(given) > 254:
            return None
        if self.spec.identity == "roster":
            for name in self.spec.member_names:
                if normalize(name) == wanted:
                    return name
            return None
        if not _EMAIL.fullmatch(wanted) or _CONTROL.search(given):
            return None
        allowed = {normalize(email) for email in self.spec.member_emails}
        return clean(given) if not allowed or wanted in allowed else None


@dataclass(frozen=True)
class Receipt:
    """A recorded submission, returned only after its transaction committed."""

    response_id: str
    outcome: Outcome
    respondent: str
    submitted_at: datetime
    started_at: datetime | None
    score: float  # the form's own grading, out of 10 (the ranking grades again)
    correct: int


def form_score(spec: FormSpec, answers: Mapping[str, Sequence[str]]) -> tuple[float, int]:
    """The form's own grading, as Google Forms shows it to a member: (score /10, correct).

    A question is correct when exactly its correct options are chosen; a
    question without a key (a free answer) is not graded and weighs nothing.
    """
    graded = [q for q in spec.questions if q.correct]
    total = sum(q.points for q in graded)
    earned = correct = 0
    for question in graded:
        chosen = {normalize(text) for text in answers.get(question.title, ())}
        if chosen and chosen == {normalize(text) for text in question.correct}:
            earned += question.points
            correct += 1
    if not total:
        return 0.0, correct
    score = (Decimal(earned * 10) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return float(score), correct


class LocalForms:
    """The ``Forms`` port over one SQLite file; safe to share between threads.

    ``public_url`` is the address phones use (no trailing slash); it may be
    set again once the server knows its port: links are made from it on
    demand, never stored. A damaged or unwritable file raises
    :class:`InputError` naming it, when the store opens and whenever it is used.
    """

    def __init__(self, db_path: Path, *, public_url: str, clock: Callable[[], datetime],
                 language: str = "vi") -> None:
        self.db_path = Path(db_path)
        self.public_url = public_url
        self.clock = clock
        self.language = language
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._last: tuple[datetime, float] | None = None  # the last stamp, and when (monotonic)
        with self._guard():
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.db_path)
            db = self._db()
            db.executescript(_SCHEMA)
            self._add_columns()
            (verdict,) = db.execute("PRAGMA quick_check(1)").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(str(verdict))
            _make_private(self.db_path)

    # --- the Forms port ------------------------------------------------------

    def build(self, spec: FormSpec) -> FormRef:
        """Store the form, not accepting; the same (owner, round) gives the same form.

        While the form has not been opened, building again replaces its
        questions with the new spec; once opened it is kept as it was.
        """
        round_key = normalize(spec.round_id)
        data = json.dumps(asdict(spec), ensure_ascii=False, default=_iso)
        with self._write() as db:
            row = db.execute(
                "SELECT form_id, state FROM forms WHERE owner = ? AND round_key = ?",
                (spec.owner, round_key),
            ).fetchone()
            if row is None:
                form_id = secrets.token_urlsafe(9)
                db.execute(
                    "INSERT INTO forms (form_id, owner, round_key, spec, state, built_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (form_id, spec.owner, round_key, data, FormState.BUILT.value, self._now()),
                )
            else:
                form_id = row[0]
                if row[1] == FormState.BUILT.value:
                    db.execute("UPDATE forms SET spec = ? WHERE form_id = ?", (data, form_id))
        return FormRef(form_id, self.url(form_id))

    def open(self, form_id: str, duration: timedelta) -> datetime:
        """Accept responses for ``duration`` from the first opening (later ones are late).

        The opening time is kept to the millisecond, as a spreadsheet keeps it,
        so the deadline the server enforces is the one the ranking computes.
        Opening an open form again changes nothing; reopening a form closed by
        hand keeps its first opening time, hence its deadline (rule 3). Returns
        that time.
        """
        now = _aware(self.clock())
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        with self._write() as db:
            form = self._stored(db, form_id)
            first = form.opened_at or now
            if form.state is not FormState.OPEN:
                db.execute(
                    "UPDATE forms SET state = ?, deadline = ?, opened_at = ?, closed_at = NULL "
                    "WHERE form_id = ?",
                    (FormState.OPEN.value, (first + duration).isoformat(),
                     first.isoformat(), form_id),
                )
        return first

    def restate(self, form_id: str, description: str) -> None:
        """Nothing to do: the member pages state the deadline from the opening itself."""
        del form_id, description

    def close(self, form_id: str) -> datetime:
        """Stop accepting; closing a closed form keeps its first closing time, returned."""
        with self._write() as db:
            self._stored(db, form_id)
            db.execute(
                "UPDATE forms SET state = ?, closed_at = COALESCE(closed_at, ?) "
                "WHERE form_id = ?",
                (FormState.CLOSED.value, self._now(), form_id),
            )
            (closed,) = db.execute(
                "SELECT closed_at FROM forms WHERE form_id = ?", (form_id,)
            ).fetchone()
        return datetime.fromisoformat(closed)

    def status(self, form_id: str) -> FormStatus:
        """Accepting or not, and since when, as this store knows it."""
        form = self.form(form_id)
        if form is None:
            raise InputError(UNKNOWN_FORM(self.language, form_id=form_id, db=self.db_path))
        return FormStatus(
            accepting=form.accepting(self.clock()),
            opened_at=form.opened_at,
            closed_at=form.closed_at if form.state is FormState.CLOSED else None,
            titles=tuple(q.title for q in form.spec.questions),
        )

    def responses(self, form_id: str) -> list[FormResponse]:
        """Every recorded submission (accepted, repeated and late), in order of arrival."""
        with self._guard():
            db = self._db()
            self._stored(db, form_id)
            rows = db.execute(
                f"SELECT {_RESPONSE_COLUMNS} FROM submissions WHERE form_id = ? ORDER BY rowid",
                (form_id,),
            ).fetchall()
        return [_response(row) for row in rows]

    # --- what the web form needs ---------------------------------------------

    def url(self, form_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/f/{form_id}"

    def form(self, form_id: str) -> LocalForm | None:
        with self._guard():
            row = self._db().execute(
                "SELECT form_id, spec, state, deadline, opened_at, closed_at FROM forms "
                "WHERE form_id = ?",
                (form_id,),
            ).fetchone()
        return _form(row) if row else None

    def open_forms(self) -> list[LocalForm]:
        """Forms accepting responses now, newest first (the home page lists them)."""
        now = self.clock()
        with self._guard():
            rows = self._db().execute(
                "SELECT form_id, spec, state, deadline, opened_at, closed_at FROM forms "
                "WHERE state = ? ORDER BY opened_at DESC",
                (FormState.OPEN.value,),
            ).fetchall()
        return [form for form in map(_form, rows) if form.accepting(now)]

    def start(self, form_id: str, given: str) -> tuple[str, datetime]:
        """Record the moment a member opens the questions; the first moment counts.

        Returns the respondent as stored and when they started. Refused when
        the form is not accepting (decided in the write transaction) or the
        member is unknown.
        """
        respondent = _member(self._known(form_id), given)
        key = normalize(respondent)
        with self._write() as db:
            form = self._stored(db, form_id)
            now = self._moment()
            _check_accepting(form, now)
            db.execute(
                "INSERT OR IGNORE INTO starts (form_id, member_key, respondent, started_at) "
                "VALUES (?, ?, ?, ?)",
                (form_id, key, respondent, now.isoformat()),
            )
            (started,) = db.execute(
                "SELECT started_at FROM starts WHERE form_id = ? AND member_key = ?",
                (form_id, key),
            ).fetchone()
        return respondent, datetime.fromisoformat(started)

    def started_at(self, form_id: str, respondent: str) -> datetime | None:
        with self._guard():
            row = self._db().execute(
                "SELECT started_at FROM starts WHERE form_id = ? AND member_key = ?",
                (form_id, normalize(respondent)),
            ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def keep_code(self, form_id: str, respondent: str, code: str) -> str:
        """Keep the personal code a member typed on one phone; returns a token for it.

        The code stays on the server (the phone keeps only the random token),
        so it is never sent back; a code typed on another phone for the same
        name is kept apart and does not replace it.
        """
        if len(code) > MAX_CODE:
            raise Refused(Refusal.BAD_ANSWER, "code too long")
        key = normalize(respondent)
        token = secrets.token_urlsafe(16)
        with self._write() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM codes WHERE form_id = ? AND member_key = ?",
                (form_id, key),
            ).fetchone()
            if count >= MAX_CODES:
                raise Refused(Refusal.TOO_MANY, respondent)
            db.execute(
                "INSERT INTO codes (token, form_id, member_key, code) VALUES (?, ?, ?, ?)",
                (token, form_id, key, code),
            )
        return token

    def kept_code(self, form_id: str, respondent: str, token: str) -> str | None:
        """The code kept under ``token`` for this member and form; None if there is none."""
        with self._guard():
            row = self._db().execute(
                "SELECT code FROM codes WHERE token = ? AND form_id = ? AND member_key = ?",
                (token, form_id, normalize(respondent)),
            ).fetchone()
        return str(row[0]) if row else None

    def submit(self, form_id: str, given: str, answers: Mapping[str, Sequence[str]], *,
               code: str | None = None, client_addr: str = "", device: str = "") -> Receipt:
        """Record a submission and return its receipt once committed.

        ``answers`` maps question titles to the option texts chosen (a free
        answer: the text typed). ``code`` is the personal code as typed (None:
        not asked); ``client_addr`` and ``device`` say where it came from.
        Raises :class:`Refused` (nothing written) for a form not open or closed,
        an unknown member, a question or option that does not exist, a
        survey's required question left blank, or too many attempts.
        """
        form = self._known(form_id)
        respondent = _member(form, given)
        chosen = _checked_answers(form, answers)
        key = normalize(respondent)
        response_id = uuid.uuid4().hex
        with self._write() as db:
            form = self._stored(db, form_id)
            row = db.execute(
                "SELECT started_at FROM starts WHERE form_id = ? AND member_key = ?",
                (form_id, key),
            ).fetchone()
            started = row[0] if row else None
            now = self._moment()
            if started is not None and now < datetime.fromisoformat(started):
                now = datetime.fromisoformat(started).astimezone(now.tzinfo)
            if form.state is FormState.BUILT:
                raise Refused(Refusal.NOT_OPEN, form_id)
            late = form.deadline is not None and now > form.deadline
            if form.state is FormState.CLOSED or (late and form.survey):
                raise Refused(Refusal.CLOSED, form_id)
            # With personal codes, "this member's first submission" is per code: an impostor
            # with a wrong code (listed, not ranked) never locks the member out.
            rows = db.execute(
                "SELECT outcome, code IS ? FROM submissions WHERE form_id = ? AND member_key = ?",
                (code, form_id, key),
            ).fetchall()
            outcomes = [o for o, same_code in rows if same_code]
            if len(outcomes) >= MAX_ATTEMPTS or len(rows) >= MAX_ATTEMPTS * 10:
                raise Refused(Refusal.TOO_MANY, respondent)
            if late:
                outcome = Outcome.LATE
            elif Outcome.ACCEPTED.value in outcomes:
                outcome = Outcome.REPEATED
            else:
                outcome = Outcome.ACCEPTED
            db.execute(
                "INSERT INTO submissions (response_id, form_id, member_key, respondent, "
                "submitted_at, started_at, answers, outcome, code, client_addr, device) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (response_id, form_id, key, respondent, now.isoformat(), started,
                 json.dumps(chosen, ensure_ascii=False), outcome.value, code, client_addr,
                 device),
            )
        score, correct = form_score(form.spec, chosen)
        return Receipt(
            response_id=response_id,
            outcome=outcome,
            respondent=respondent,
            submitted_at=now,
            started_at=datetime.fromisoformat(started) if started else None,
            score=score,
            correct=correct,
        )

    def first_response(self, form_id: str, respondent: str, code: str | None = None
                       ) -> FormResponse | None:
        """The member's accepted submission (the one that counts), if any.

        With personal codes, the one made with ``code`` (this phone's): another code's
        submission under the same name is someone else's.
        """
        with self._guard():
            row = self._db().execute(
                f"SELECT {_RESPONSE_COLUMNS} FROM submissions "
                "WHERE form_id = ? AND member_key = ? AND outcome = ? AND code IS ? "
                "ORDER BY rowid LIMIT 1",
                (form_id, normalize(respondent), Outcome.ACCEPTED.value, code),
            ).fetchone()
        return _response(row) if row else None

    def secret(self, name: str) -> str:
        """A random secret kept in the database (the web form's session key), so
        sessions survive a server restart."""
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                (f"secret:{name}", secrets.token_hex(32)),
            )
            (value,) = db.execute(
                "SELECT value FROM meta WHERE key = ?", (f"secret:{name}",)
            ).fetchone()
        return str(value)

    def close_db(self) -> None:
        """Close every connection (before deleting or moving the file)."""
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
            self._local = threading.local()

    # --- plumbing ------------------------------------------------------------

    def _now(self) -> str:
        return _aware(self.clock()).isoformat()

    def _moment(self) -> datetime:
        """A member's stamp: the clock, unless it went back since the previous stamp; then
        the previous stamp plus the time elapsed since (monotonic), so a clock set back
        reorders nobody and a submission after the deadline stays late. Taken inside the
        write transaction, so stamps follow the order of commits."""
        with self._lock:
            wall, ticks = _aware(self.clock()), time.monotonic()
            if self._last is not None and wall < self._last[0]:
                last, last_ticks = self._last
                elapsed = max(timedelta(seconds=ticks - last_ticks), timedelta(microseconds=1))
                wall = (last + elapsed).astimezone(wall.tzinfo)
            self._last = (wall, ticks)
            return wall

    def _known(self, form_id: str) -> LocalForm:
        """The form, refused early when it plainly takes nothing (the write transaction
        decides again, for good)."""
        form = self.form(form_id)
        if form is None or form.state is FormState.BUILT:
            raise Refused(Refusal.NOT_OPEN, form_id)
        if form.state is FormState.CLOSED or (form.survey and not form.accepting(self.clock())):
            raise Refused(Refusal.CLOSED, form_id)
        return form

    def _stored(self, db: sqlite3.Connection, form_id: str) -> LocalForm:
        row = db.execute(
            "SELECT form_id, spec, state, deadline, opened_at, closed_at FROM forms "
            "WHERE form_id = ?",
            (form_id,),
        ).fetchone()
        if row is None:
            raise InputError(UNKNOWN_FORM(self.language, form_id=form_id, db=self.db_path))
        return _form(row)

    def _add_columns(self) -> None:
        """Bring a file made by an earlier version up to date (one writer at a time)."""
        with self._write() as db:
            for table, column, declaration in _ADDED_COLUMNS:
                present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def _db(self) -> sqlite3.Connection:
        """This thread's connection: SQLite connections are not shared between threads."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.db_path, timeout=30, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                # FULL: each commit is synced to disk before the member sees "received".
                connection.execute("PRAGMA synchronous = FULL")
                connection.execute("PRAGMA foreign_keys = ON")
            except BaseException:
                connection.close()
                raise
            with self._lock:
                self._connections.append(connection)
            self._local.connection = connection
        return connection

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite and file-system failures as messages that name the file."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # our own mistakes, not the file's
        except (sqlite3.DatabaseError, OSError) as exc:
            error = " ".join(str(exc).split())  # SQLite's reports span lines
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in error or
                                                              "busy" in error):
                raise BackendError(STORE_BUSY(self.language, db=self.db_path,
                                              error=error)) from exc
            raise InputError(STORE_BROKEN(self.language, db=self.db_path, error=error)) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front so concurrent writers queue, not fail."""
        with self._guard():
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    with suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise


def _member(form: LocalForm, given: str) -> str:
    """The respondent for what was picked or typed (the roster is fixed once opened)."""
    respondent = form.member(given)
    if respondent is None:
        raise Refused(Refusal.UNKNOWN_MEMBER, given[:80])
    return respondent


def _check_accepting(form: LocalForm, now: datetime) -> None:
    if form.state is FormState.BUILT:
        raise Refused(Refusal.NOT_OPEN, form.form_id)
    if not form.accepting(now):
        raise Refused(Refusal.CLOSED, form.form_id)


def _checked_answers(form: LocalForm, answers: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Answers with the option texts as built; refuses anything the form does not offer.

    A free answer is kept as typed (control characters dropped, at most
    :data:`MAX_TEXT` characters). A survey's required questions must be answered;
    a quiz takes blanks (the countdown submits whatever is filled in).
    """
    chosen: dict[str, list[str]] = {}
    for title, texts in answers.items():
        question = form.question(title)
        if question is None:
            raise Refused(Refusal.BAD_ANSWER, f"no question {title[:80]!r}")
        if question.kind == "text":
            if len(texts) > 1 or any(len(text) > MAX_TEXT for text in texts):
                raise Refused(Refusal.BAD_ANSWER, f"free answer too long for {title[:80]!r}")
            typed = _CONTROL.sub("", "".join(texts).replace("\r\n", "\n")).strip()
            if typed:
                chosen[title] = [typed]
            continue
        picked = [text for text in question.options if text in set(texts)]
        if len(picked) != len(set(texts)):
            raise Refused(Refusal.BAD_ANSWER, f"no such option in {title[:80]!r}")
        if len(picked) > 1 and not question.multi:
            raise Refused(Refusal.BAD_ANSWER, f"several options for {title[:80]!r}")
        if picked:
            chosen[title] = picked
    if form.survey:
        for question in form.spec.questions:
            if question.required and question.title not in chosen:
                raise Refused(Refusal.MISSING_ANSWER, question.title[:80])
    return chosen


def _form(row: tuple[str, str, str, str | None, str | None, str | None]) -> LocalForm:
    form_id, spec, state, deadline, opened_at, closed_at = row
    data = json.loads(spec)
    questions = tuple(
        FormQuestion(
            title=q["title"],
            options=tuple(q["options"]),
            multi=q["multi"],
            points=q["points"],
            correct=tuple(q["correct"]),
            explanation=q.get("explanation", ""),
            kind=q.get("kind", "choice"),
            required=q.get("required", True),
        )
        for q in data.pop("questions")
    )
    data["member_names"] = tuple(data["member_names"])
    data["member_emails"] = tuple(data.get("member_emails", ()))
    data["opens_at"] = _parse(data.get("opens_at"))
    return LocalForm(
        form_id=form_id,
        spec=FormSpec(questions=questions, **data),
        state=FormState(state),
        deadline=_parse(deadline),
        opened_at=_parse(opened_at),
        closed_at=_parse(closed_at),
    )


def _response(row: tuple[Any, ...]) -> FormResponse:
    response_id, respondent, submitted_at, answers, started_at, code, addr, device = row
    return FormResponse(
        response_id=response_id,
        respondent=respondent,
        submitted_at=datetime.fromisoformat(submitted_at),
        answers={title: tuple(texts) for title, texts in json.loads(answers).items()},
        started_at=_parse(started_at),
        code=code,
        client=client_text(addr or "", device or ""),
    )


def client_text(addr: str, device: str) -> str:
    """Where a submission came from, as the secretary reads it: ``192.168.1.23 · 3f9a2c``."""
    return " · ".join(part for part in (addr, device[:6]) if part)


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only before SQLite opens it (SQLite gives
    its -wal and -shm files the database file's permissions)."""
    if not os.path.lexists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    _make_private(path)


def _make_private(path: Path) -> None:
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.is_file() and part.stat().st_mode & 0o077:
            os.chmod(part, 0o600)


def _iso(value: object) -> str:
    """JSON for the datetimes of a stored spec."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(NAIVE_TIME)
    return moment
