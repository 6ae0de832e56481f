"""``automation demo``: a complete round, offline, in under a minute.

It makes a sample workbook in a fresh folder (questions built from the
article's facts, fictional members), schedules a round that opens now with a
short time per question, serves the real web form on 127.0.0.1, lets a dozen
simulated members answer over real HTTP (one of them late, one twice), then
closes, ranks, prints the ranked table and says where the workbook is. It
leaves nothing running.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from automation import report
from automation.backends import Backend, forms_db
from automation.config import LocalSettings, QuizSettings, Settings
from automation.i18n import Text
from automation.layout import (
    CRITERIA,
    DISCIPLINED,
    MEMBERS,
    MONTH_COLUMNS,
    RATING_YEAR,
    RESULTS,
    SCHEDULE,
    Mark,
    TabSpec,
)
from automation.localforms import LocalForms
from automation.model import Member, Question
from automation.monthly import MonthlyOutcome
from automation.ports import SheetTab
from automation.rating import month_id, read_criteria
from automation.ratingtabs import criteria_template, month_tab
from automation.ratingyear import YearTable
from automation.tables import result_table, year_text
from automation.text import Cell
from automation.tick import load_bank
from automation.webform import FormServer, MemberClient
from automation.workbook import LocalWorkbook

ROUND_ID = "demo"
QUESTION_COUNT = 5
SECONDS_PER_QUESTION = 5
GRACE_SECONDS = 2

#: Fictional members of the demo cell: (name, how likely they answer right, seconds to answer).
DEMO_MEMBERS = (
    ("Nguyễn Văn An", 1.0, 6.0),
    ("Trần Thị Bình", 1.0, 8.5),
    ("Lê Hoàng Cường", 0.8, 5.0),
    ("Phạm Thị Dung", 0.8, 9.0),
    ("Võ Minh Đức", 0.6, 7.0),
    ("Huỳnh Thị Giang", 0.9, 11.0),
    ("Đặng Quốc Hùng", 0.5, 4.0),
    ("Bùi Thị Lan", 0.7, 12.5),
    ("Đỗ Văn Minh", 0.9, 10.0),
    ("Ngô Thị Ngọc", 0.4, 13.0),
    ("Dương Văn Phúc", 0.8, 14.0),  # submits twice: the first counts
    ("Lý Thị Quyên", 1.0, -1.0),  # late: submits after the deadline
    ("Trương Văn Sơn", 0.0, 0.0),  # does not take part
)
TWICE = "Dương Văn Phúc"
LATE = "Lý Thị Quyên"
ABSENT = "Trương Văn Sơn"

FOLDER = Text("Thư mục demo: {folder}", "Demo folder: {folder}")
OPENED = Text(
    "Kỳ thi '{round}' đã mở: {questions} câu, {seconds} giây mỗi câu. Link làm bài: {url}",
    "Round '{round}' is open: {questions} questions, {seconds} seconds each. Form link: {url}",
)
ANSWERING = Text(
    "{count} đảng viên (giả lập) đang làm bài qua HTTP...",
    "{count} simulated members are answering over HTTP...",
)
WAITING = Text(
    "Chờ hết giờ ({seconds} giây) để đóng biểu mẫu...",
    "Waiting for the time to run out ({seconds} seconds) to close the form...",
)
DONE = Text(
    "Xong. Kết quả nằm trong trang '{tab}', đề xuất xếp loại trong trang '{rating}' của bảng "
    "tính:\n  {path}\nMở bằng Excel hoặc LibreOffice để xem. Chạy lại `automation demo` để làm "
    "một kỳ mới.",
    "Done. The results are in the tab '{tab}', the proposed rating in '{rating}', of the "
    "workbook:\n  {path}\nOpen it in Excel or LibreOffice. Run `automation demo` again for a "
    "new round.",
)
RATING = Text(
    "Đánh giá \"6 tốt\" của chi bộ mẫu: 12 tháng của năm {year} do chi ủy chấm, và đề xuất "
    "xếp loại năm:",
    "The sample cell's \"six good\" rating: the 12 months of {year} as the cell committee "
    "marked them, and the year's proposal:",
)
FAILED = Text("Demo không hoàn thành: {error}", "The demo did not finish: {error}")


def demo_settings(folder: Path, language: str) -> Settings:
    return Settings(
        backend="local",
        language=language,
        quiz=replace(
            QuizSettings(),
            questions_per_round=QUESTION_COUNT,
            seconds_per_question=SECONDS_PER_QUESTION,
            grace_seconds=GRACE_SECONDS,
        ),
        local=LocalSettings(workbook=folder / "quiz.xlsx", host="127.0.0.1", port=0),
    )


def sample_tabs(language: str, opens_at: datetime) -> list[SheetTab]:
    """The init template, with the demo's members and a round that opens at ``opens_at``."""
    tabs = report.template_tabs(language)
    for tab in tabs:
        if MEMBERS.matches(tab.title):
            tab.rows = [tab.rows[0]] + [
                _row(MEMBERS, tab.rows[0], {"name": name}) for name, *_ in DEMO_MEMBERS
            ]
        elif SCHEDULE.matches(tab.title):
            tab.rows = [
                tab.rows[0],
                _row(
                    SCHEDULE,
                    tab.rows[0],
                    {
                        "round": ROUND_ID,
                        "opens_at": opens_at.replace(tzinfo=None),
                        "questions": QUESTION_COUNT,
                        "seconds": SECONDS_PER_QUESTION,
                    },
                ),
            ]
            tab.notes = {}
    return tabs


def _row(spec: TabSpec, header: Sequence[Cell], values: Mapping[str, Cell]) -> list[Cell]:
    cells: list[Cell] = [None] * len(header)
    for index, title in enumerate(header):
        column = spec.find_column(str(title or ""))
        if column is not None and column.key in values:
            cells[index] = values[column.key]
    return cells


def answers_for(name: str, skill: float, questions: list[Question]) -> dict[str, list[str]]:
    """A member's answers: right with probability ``skill``, deterministic per name."""
    chance = random.Random(name)
    answers: dict[str, list[str]] = {}
    for question in questions:
        if chance.random() < skill:
            answers[question.text] = list(question.correct_texts)
        else:
            wrong = [o for o in question.options if o not in question.correct_texts]
            answers[question.text] = [chance.choice(wrong)]
    return answers


def run_demo(*, language: str = "vi", keep: Path | None = None) -> int:
    folder = keep or Path(tempfile.mkdtemp(prefix="automation-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(FOLDER(language, folder=folder))
    clock = lambda: datetime.now(UTC)  # noqa: E731 - the demo runs in real time
    settings = demo_settings(folder, language)
    tz = settings.tz
    start = clock().astimezone(tz).replace(microsecond=0)
    workbook = LocalWorkbook(settings.local.workbook, language=language)
    if settings.local.workbook.exists():
        settings.local.workbook.unlink()
    forms_db(settings).unlink(missing_ok=True)
    workbook.add_tabs(sample_tabs(language, start))
    forms = LocalForms(forms_db(settings), public_url="", clock=clock)
    server = FormServer(forms, host="127.0.0.1", port=0, language=language, clock=clock)
    server.start()
    try:
        backend = Backend(workbook, forms, owner=str(settings.local.workbook.resolve()))
        quiz = backend.quiz(settings)
        quiz.tick(clock())
        _, bank = load_bank(workbook, settings)
        round_ = bank.round(ROUND_ID)
        if round_ is None or not round_.form_link or round_.opened_at is None:
            note = round_.note if round_ else ""
            print(FAILED(language, error=note or "the round did not open"))
            return 1
        print(
            OPENED(
                language,
                round=ROUND_ID,
                questions=QUESTION_COUNT,
                seconds=SECONDS_PER_QUESTION,
                url=round_.form_link,
            )
        )
        questions = list(quiz.round_questions(bank, round_))
        deadline = round_.deadline(settings.quiz.grace)
        print(ANSWERING(language, count=len(DEMO_MEMBERS) - 1))
        members = [
            threading.Thread(
                target=_member,
                args=(server.base_url, round_.form_link, name, skill, delay, questions, deadline),
            )
            for name, skill, delay in DEMO_MEMBERS
            if name != ABSENT
        ]
        for thread in members:
            thread.start()
        wait = max(0.0, (deadline - clock()).total_seconds())
        print(WAITING(language, seconds=round(wait)))
        for thread in members:
            thread.join()
        time.sleep(max(0.0, (deadline - clock()).total_seconds()) + 0.2)
        quiz.tick(clock())
        _, bank = load_bank(workbook, settings)
        final = bank.round(ROUND_ID)
        result = quiz.results.get(ROUND_ID)
        if final is None or result is None:
            print(FAILED(language, error=final.note if final else f"{ROUND_ID}?"))
            return 1
    finally:
        server.stop()
    print()
    print(result_table(result, settings))
    year = start.year - 1
    print()
    print(RATING(language, year=year))
    print(year_text(demo_rating(backend, settings, year), settings))
    print()
    print(DONE(language, tab=RESULTS.title(language, ROUND_ID), path=settings.local.workbook,
               rating=RATING_YEAR.title(language, str(year))))
    return 0


def demo_rating(backend: Backend, settings: Settings, year: int) -> YearTable:
    """A year of "6 tốt" marks for the demo cell, made by the service's own code: the
    criteria from the article, twelve month tabs the chi ủy filled, then the proposal."""
    language = settings.language
    members = [Member(row=n, name=name) for n, (name, *_) in enumerate(DEMO_MEMBERS, start=2)]
    criteria = read_criteria({CRITERIA.title(language): criteria_template(language).rows},
                             language=language)
    months = []
    for month in range(1, 13):
        tab = month_tab(month_id(year, month), members=members, criteria=criteria,
                        settings=settings.rating, language=language)
        _fill_marks(tab, month, language)
        months.append(tab)
    backend.sheet.add_tabs([criteria_template(language), *months])
    quiz = backend.quiz(settings)
    end = date(year, 12, 31)
    quiz.load(end)
    assert quiz.rating is not None
    done = MonthlyOutcome()
    quiz.rating.refresh(end, done, years={year})
    return quiz.rating.write_year(year, end, done)


def _fill_marks(tab: SheetTab, month: int, language: str) -> None:
    """The chi ủy's marks for one month: mostly met, by each member's diligence; one member
    disciplined in March, one month (June) left half-rated for one member."""
    met, not_met = Mark.MET.label(language), Mark.NOT_MET.label(language)
    header = tab.rows[0]
    numbered = [i for i, title in enumerate(header) if str(title).isdigit()]
    disciplined = header.index(MONTH_COLUMNS[0].header(language))
    skills = {name: skill for name, skill, _ in DEMO_MEMBERS}
    for row in tab.rows[1:]:
        name = str(row[0])
        chance = random.Random(f"{name}|{month}")
        diligence = 0.55 + 0.42 * skills.get(name, 1.0)
        for index in numbered:
            row[index] = met if chance.random() < diligence else not_met
        if name == DEMO_MEMBERS[4][0] and month == 3:
            row[disciplined] = DISCIPLINED[1] if language == "en" else DISCIPLINED[0]
        if name == DEMO_MEMBERS[9][0] and month == 6:
            for index in numbered[3:]:
                row[index] = None


def _member(
    base_url: str,
    form_link: str,
    name: str,
    skill: float,
    delay: float,
    questions: list[Question],
    deadline: datetime,
) -> None:
    """One simulated phone: open the link, pick the name, answer, submit."""
    client = MemberClient(base_url)
    path = "/" + form_link.split("/", 3)[3] if form_link.count("/") >= 3 else form_link
    client.open_form(path)
    client.start(name)
    if delay < 0:  # the late one submits just after the deadline
        delay = max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.5
    time.sleep(delay)
    answers = answers_for(name, skill, questions)
    client.submit(name, answers)
    if name == TWICE:
        time.sleep(0.5)
        client.submit(name, answers_for(name + " again", 1.0, questions))
