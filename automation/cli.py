"""The ``automation`` command: each subcommand wires the adapters to the core.

Exit codes: 0 done, 1 the input needs fixing (the message says where),
2 usage, 3 an outside service failed after retries.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from automation import __version__, config, logs, registrycli, report
from automation.backends import Backend, open_backend, open_spreadsheet
from automation.commandline import (
    CREATED,
    KEPT,
    UsageError,
    example_opening,
    now_utc,
    parse_now,
)
from automation.config import Settings
from automation.filelock import AlreadyRunning, exclusive, lock_path
from automation.i18n import Text, count
from automation.layout import SCHEDULE, Status
from automation.lifecycle import Step, effective_status
from automation.model import Bank, Problem, Round
from automation.ports import BackendError, InputError
from automation.ratingtabs import criteria_template
from automation.selection import NotEnoughQuestions, select_questions, shortages
from automation.tables import month_text, result_table, table, year_text
from automation.text import Cell, normalize
from automation.tick import TickReport, load_bank

log = logging.getLogger("automation")

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BACKEND = 0, 1, 2, 3

NO_ROUND = Text(
    "Không có kỳ thi '{round}' trong trang Lịch thi. Các kỳ đang có: {known}.",
    "There is no round '{round}' in the Schedule tab. Rounds there: {known}.",
)
BUSY = Text(
    "Một lần chạy khác đang làm việc với bảng tính này; lần này không làm gì.",
    "Another run is working on this spreadsheet; this one does nothing.",
)
CHECK_OK = Text("Không có lỗi: {questions}, {members}, {rounds}.",
                "No problems: {questions}, {members}, {rounds}.")
CHECK_BAD = Text("{problems} cần sửa.", "{problems} to fix.")
NO_CONFIG = Text(
    "Chưa có tệp cấu hình {file}: dùng cài đặt mặc định ({backend}, bảng tính {workbook}). "
    "Chép config/settings.example.toml thành {file} để đổi, hoặc chỉ tệp khác bằng --config.",
    "No settings file {file}: using the defaults ({backend}, workbook {workbook}). Copy "
    "config/settings.example.toml to {file} to change them, or name another with --config.",
)
ALREADY = Text(
    "Kỳ {round} đang ở trạng thái '{status}': không có gì để {what}.",
    "Round {round} is '{status}': nothing to {what}.",
)
CLOSE_FIRST = Text(
    "Kỳ {round} đang mở. Hãy đóng trước: automation close {round}.",
    "Round {round} is open. Close it first: automation close {round}.",
)
NEW_SPREADSHEET = Text(
    "Đã tạo bảng tính mới: {url}\nHãy ghi vào config/settings.toml, mục [google]:\n"
    'spreadsheet_id = "{id}"',
    "Created a new spreadsheet: {url}\nPut this in config/settings.toml, under [google]:\n"
    'spreadsheet_id = "{id}"',
)
BAD_PERIOD = Text(
    "automation rate {value!r}: hãy ghi một tháng (ví dụ 2027-03) hoặc một năm (ví dụ 2027).",
    "automation rate {value!r}: give a month (e.g. 2027-03) or a year (e.g. 2027).",
)
RATING_OFF = Text(
    "Bảng tính chưa có trang Tiêu chí nên chưa đánh giá \"6 tốt\". Chạy automation init để "
    "thêm trang Tiêu chí (với 6 tiêu chí mẫu cho chi bộ và 6 cho đảng viên), không đụng tới "
    "các trang khác.",
    "The spreadsheet has no Criteria tab, so the \"six good\" rating is off. Run automation "
    "init to add it (with the sample 6 criteria for the cell and 6 for members); other tabs "
    "are left alone.",
)
RESULTS_WRITTEN = Text("Kết quả đã ghi vào {where}.", "Results written to {where}.")


# --- output for people -------------------------------------------------------


def print_tick(outcome: TickReport, settings: Settings) -> int:
    for change in outcome.changes:
        detail = f"  {change.detail}" if change.detail and change.after is Status.PREPARED else ""
        print(
            f"{change.round_id}: {change.before.label(settings.language)} → "
            f"{change.after.label(settings.language)}{detail}"
        )
    for problem in outcome.problems:
        print(problem, file=sys.stderr)
    for failure in outcome.failures:
        print(failure, file=sys.stderr)
    if outcome.failures:
        return EXIT_BACKEND
    return EXIT_INPUT if outcome.problems else EXIT_OK


# --- commands ----------------------------------------------------------------


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    language = settings.language
    if settings.backend == "google" and not settings.google.spreadsheet_id:
        from automation.googlebackend import create_spreadsheet

        spreadsheet_id, url = create_spreadsheet(settings, settings.quiz.title)
        print(NEW_SPREADSHEET(language, url=url, id=spreadsheet_id))
        settings = replace(settings, google=replace(settings.google, spreadsheet_id=spreadsheet_id))
    sheet = open_spreadsheet(settings)
    # The "6 tốt" rating is on once Tiêu chí exists: init adds it with the article's criteria.
    tabs = [*report.template_tabs(language, opens_at=example_opening(settings)),
            criteria_template(language)]
    created = sheet.add_tabs(tabs)
    kept = [t.title for t in tabs if t.title not in created]
    where = sheet.location()
    if created:
        print(CREATED(language, tabs=", ".join(created), where=where))
    if kept:
        print(KEPT(language, tabs=", ".join(kept), where=where))
    return EXIT_OK


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    language = settings.language
    sheet = open_spreadsheet(settings)
    today = now_utc().astimezone(settings.tz).date()
    raw, bank = load_bank(sheet, settings, today=today)
    problems = [p.describe(language) for p in bank.problems]
    problems += [p.describe(language) for p in rating_problems(raw, bank, settings)]
    short = shortages(bank.questions, bank.rounds)
    if args.round:
        round_ = find_round(bank.rounds, args.round, language)
        if not any(normalize(s.round_id) == normalize(round_.round_id) for s in short):
            try:
                select_questions(bank.questions, round_)
            except NotEnoughQuestions as alone:
                short.append(alone)
    problems += [s.message(language) for s in short]
    for line in problems:
        print(line)
    if problems:
        print(CHECK_BAD(language, problems=count(language, len(problems), "lỗi", "problem")),
              file=sys.stderr)
        return EXIT_INPUT
    print(
        CHECK_OK(
            language,
            questions=count(language, len(bank.questions), "câu hỏi", "question"),
            members=count(language, len(bank.members), "đảng viên", "member"),
            rounds=count(language, len(bank.rounds), "kỳ thi", "round"),
        )
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    language = settings.language
    sheet = open_spreadsheet(settings)
    _, bank = load_bank(sheet, settings)
    headers = [
        SCHEDULE.column(k).header(language)
        for k in ("round", "opens_at", "questions", "status", "form_link", "note")
    ]
    rows = [
        [
            r.round_id,
            r.opens_at.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M"),
            r.question_count,
            r.status.label(language),
            r.form_link,
            r.note,
        ]
        for r in bank.rounds
    ]
    print(sheet.location())
    print(table(headers, rows))
    for problem in bank.problems:
        print(problem.describe(language), file=sys.stderr)
    upcoming = [
        r for r in bank.rounds if r.form_link and r.status in (Status.PREPARED, Status.OPEN)
    ]
    if upcoming and settings.backend == "local":
        from automation.qr import terminal

        print(terminal(upcoming[0].form_link))
    return EXIT_INPUT if bank.problems else EXIT_OK


def cmd_tick(args: argparse.Namespace, settings: Settings) -> int:
    now = parse_now(args.now, settings) if args.now else now_utc()
    backend = open_backend(settings, clock=lambda: now)
    with exclusive(lock_path(backend.owner, settings.language), settings.language):
        outcome = backend.quiz(settings).tick(now)
    return print_tick(outcome, settings)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """The service: one cell, or with ``registry`` set every cell of the committee."""
    from automation.service import run, run_committee

    logs.setup(settings.tz, service=True, log_file=Path(args.log_file) if args.log_file else None)
    return run_committee(settings) if settings.registry else run(settings)


def cmd_step(step: Step) -> Callable[[argparse.Namespace, Settings], int]:
    """``open``, ``close`` and ``rank`` by hand: the same rules as the tick, now."""

    def command(args: argparse.Namespace, settings: Settings) -> int:
        if step is Step.RANK and args.responses_csv:
            return rank_from_csv(args, settings)
        now = now_utc()
        backend = open_backend(settings, clock=now_utc)
        with exclusive(lock_path(backend.owner, settings.language), settings.language):
            return by_hand(step, args.round, backend, settings, now)

    return command


def by_hand(step: Step, round_id: str, backend: Backend, settings: Settings, now: datetime) -> int:
    language = settings.language
    quiz = backend.quiz(settings)
    bank = quiz.load()
    round_ = find_round(bank.rounds, round_id, language)
    status = effective_status(round_, now, settings.quiz.grace)
    outcome = TickReport()
    what = {Step.OPEN: "mở", Step.CLOSE: "đóng", Step.RANK: "xếp hạng"}[step]
    if language == "en":
        what = step.value
    if step is Step.OPEN:
        if status in (Status.PENDING, Status.MISSED):
            round_ = quiz.advance(bank, round_, now, outcome, only=Step.PREPARE)
            status = round_.status
            if outcome.problems or outcome.failures:  # it could not be prepared: say why
                return print_tick(outcome, settings)
        if status is not Status.PREPARED:
            return refuse(
                ALREADY(language, round=round_.round_id, status=status.label(language), what=what),
                outcome,
                settings,
            )
    elif step is Step.CLOSE and status is not Status.OPEN:
        return refuse(
            ALREADY(language, round=round_.round_id, status=status.label(language), what=what),
            outcome,
            settings,
        )
    elif step is Step.RANK and (
        status in (Status.PENDING, Status.PREPARED, Status.OPEN)
        or (status is Status.MISSED and round_.opened_at is None)  # it never opened
    ):
        message = CLOSE_FIRST if status is Status.OPEN else ALREADY
        return refuse(
            message(language, round=round_.round_id, status=status.label(language), what=what),
            outcome,
            settings,
        )
    quiz.advance(bank, round_, now, outcome, only=step)
    code = print_tick(outcome, settings)
    if step is Step.OPEN and not outcome.failures and not outcome.problems:
        print(round_.form_link or "")
    return code


def refuse(message: str, outcome: TickReport, settings: Settings) -> int:
    print_tick(outcome, settings)
    print(message, file=sys.stderr)
    return EXIT_INPUT


def rank_from_csv(args: argparse.Namespace, settings: Settings) -> int:
    """Rank a Google Forms response export of a form made by hand."""
    from automation.csvimport import read_export

    language = settings.language
    path = Path(args.responses_csv)
    try:
        # Undecodable bytes (an .xlsx, a file re-saved in another code page) are left for
        # read_export to report as "not a CSV export" with what to do.
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: {exc}") from exc
    backend = open_backend(settings, clock=now_utc)
    with exclusive(lock_path(backend.owner, settings.language), settings.language):
        quiz = backend.quiz(settings)
        bank = quiz.load()
        round_ = find_round(bank.rounds, args.round, language)
        order = args.date_format or ("mdy" if language == "en" else "dmy")
        exported = read_export(
            text,
            questions=bank.questions,
            tz=settings.tz,
            date_order=order,
            language=language,
            file_name=str(path),
            identity=settings.quiz.identity,
        )
        titles = {normalize(t) for e in exported for t in e.response.answers}
        questions = [q for q in bank.questions if q.key in titles]
        if not questions:
            questions = list(quiz.round_questions(bank, round_))
        result = quiz.publish(
            bank,
            round_,
            questions,
            [e.response for e in exported],
            scores={e.response.response_id: e.score for e in exported if e.score is not None},
        )
        quiz.record_ranked(round_)
    print(result_table(result, settings))
    print()
    print(RESULTS_WRITTEN(language, where=backend.sheet.location()))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from automation.demo import run_demo

    return run_demo(language=settings.language, keep=Path(args.folder) if args.folder else None)


def cmd_auth(args: argparse.Namespace, settings: Settings) -> int:
    from automation.auth import sign_in

    path = sign_in(settings)
    print(path)
    return EXIT_OK


def cmd_rate(args: argparse.Namespace, settings: Settings) -> int:
    """The "6 tốt" rating by hand: make or refresh a month's tab, or write a year's proposal."""
    from automation.monthly import MonthlyOutcome
    from automation.rating import month_id, parse_month

    language = settings.language
    today = now_utc().astimezone(settings.tz).date()
    wanted = (args.period or month_id(today.year, today.month)).strip()
    month = parse_month(wanted)
    year = int(wanted) if wanted.isdecimal() and len(wanted) == 4 else None
    if month is None and year is None:
        raise UsageError(BAD_PERIOD(language, value=wanted))
    backend = open_backend(settings, clock=now_utc)
    with exclusive(lock_path(backend.owner, language), language):
        quiz = backend.quiz(settings)
        quiz.load(today)
        rating = quiz.rating
        assert rating is not None
        if not rating.on:
            raise InputError(RATING_OFF(language))
        for problem in rating.criteria.problems:
            print(problem.describe(language), file=sys.stderr)
        if not rating.criteria.usable:
            return EXIT_INPUT
        done = MonthlyOutcome()
        years = {year} if year else None
        changed = rating.refresh(today, done, make=wanted if month else None, years=years)
        for changed_year in sorted(changed | ({year} if year else set())):
            rating.write_year(changed_year, today, done)
    if month is not None and wanted in done.refreshed:
        print(month_text(done.refreshed[wanted], settings))
    if year is not None:
        print(year_text(done.years[year], settings))
    for problem in done.problems:
        print(problem.describe(language), file=sys.stderr)
    return EXIT_INPUT if done.problems else EXIT_OK


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from automation.doctor import diagnose

    checks = diagnose(settings)
    for ok, line in checks:
        print(f"{'✓' if ok else '✗'} {line}")
    return EXIT_OK if all(ok for ok, _ in checks) else EXIT_INPUT


# --- helpers -----------------------------------------------------------------


def rating_problems(raw: dict[str, list[list[Cell]]], bank: Bank, settings: Settings
                    ) -> list[Problem]:
    """What the "6 tốt" rating's tabs need fixed: Tiêu chí, then each month tab read."""
    from automation.rating import find_month_tabs, read_criteria
    from automation.ratingmonth import plan_month

    criteria = read_criteria(raw, language=settings.language)
    if not criteria.found:
        return []
    problems = list(criteria.problems)
    if criteria.usable:
        for month, title in find_month_tabs(raw).items():
            problems += plan_month(month, title, raw[title], criteria=criteria,
                                   members=bank.members, settings=settings.rating,
                                   language=settings.language).problems
    return problems


def find_round(rounds: Sequence[Round], round_id: str, language: str) -> Round:
    for round_ in rounds:
        if normalize(round_.round_id) == normalize(round_id):
            return round_
    known = ", ".join(r.round_id for r in rounds) or "-"
    raise InputError(NO_ROUND(language, round=round_id, known=known))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automation",
        description="Thi trắc nghiệm hằng tháng của chi bộ: tạo biểu mẫu từ ngân hàng câu hỏi, "
        "mở và đóng đúng giờ, xếp hạng, ghi kết quả vào bảng tính.",
    )
    parser.add_argument("--version", action="version", version=f"automation {__version__}")
    config_help = "settings file (default: config/settings.toml, or $AUTOMATION_CONFIG)"
    parser.add_argument("--config", metavar="PATH", help=config_help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        # Before or after the command alike: `automation tick --config PATH` works too.
        sub.add_argument("--config", metavar="PATH", help=config_help,
                         default=argparse.SUPPRESS)
        if name not in ("demo", "auth"):
            sub.add_argument("--cell", metavar="NAME", default=None,
                             help="with a registry of cells: act on this cell only")
        return sub

    add("init", cmd_init, "create the workbook or the template tabs; never overwrites data")
    add("check", cmd_check, "validate questions, members and schedule").add_argument(
        "round", nargs="?", metavar="ROUND", help="also check that this round can be filled"
    )
    add("tick", cmd_tick, "one pass of the round's life, then exit").add_argument(
        "--now",
        metavar="TIME",
        help="act as if it were TIME (configured time zone unless it has an offset): "
        "for tests and for catching up by hand",
    )
    add(
        "run", cmd_run, "the service: tick every 30 seconds (local: also serve the form)"
    ).add_argument("--log-file", metavar="PATH", help="also log to this rotating file")
    for step, name, text in (
        (Step.OPEN, "open", "prepare (if needed) and open ROUND now"),
        (Step.CLOSE, "close", "close ROUND now, then rank it"),
        (Step.RANK, "rank", "rank ROUND (again) and write the results"),
    ):
        sub = add(name, cmd_step(step), text)
        sub.add_argument("round", metavar="ROUND")
        if step is Step.RANK:
            sub.add_argument(
                "--responses-csv",
                metavar="FILE",
                help="a Google Forms response export (CSV) of a form made by hand",
            )
            sub.add_argument(
                "--date-format",
                metavar="ORDER",
                help="how the export's timestamps read: dmy, mdy, ymd or a strptime format "
                "(default: dmy for vi, mdy for en)",
            )
    add("status", cmd_status, "the schedule with each round's state")
    add("demo", cmd_demo, "a complete round offline in under a minute").add_argument(
        "--folder",
        metavar="DIR",
        help="where to put the demo workbook (default: a new temp folder)",
    )
    add("auth", cmd_auth, "one-time Google sign-in that stores a refreshable token")
    add("doctor", cmd_doctor, "check config, credentials, APIs and spreadsheet access")
    add("rate", cmd_rate, 'the "6 tốt" rating: make or refresh a month\'s tab (MONTH, e.g. '
        "2027-03; default this month), or write a year's proposal (YEAR)").add_argument(
        "period", nargs="?", metavar="MONTH | YEAR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    language = "vi"
    try:
        path = config.config_path(args.config)
        settings = config.load(path)
        language = settings.language
        logs.setup(settings.tz, service=False)
        if settings.source is None and args.command != "demo":
            print(NO_CONFIG(language, file=path.resolve(), backend=settings.backend,
                            workbook=settings.local.workbook), file=sys.stderr)
        if settings.registry and args.command not in ("demo", "auth"):
            return registrycli.dispatch(args, settings, args.handler, print_tick,  # type: ignore[arg-type]
                                        check=cmd_check)
        return int(args.handler(args, settings))
    except UsageError as usage:
        print(usage, file=sys.stderr)
        return EXIT_USAGE
    except InputError as problem:
        print(problem, file=sys.stderr)
        return EXIT_INPUT
    except BackendError as failure:
        print(failure, file=sys.stderr)
        return EXIT_BACKEND
    except AlreadyRunning:
        print(BUSY(language), file=sys.stderr)
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
