"""A committee's day: 100 cells under one Google account, within quota and on time.

Plays a day against the fake Google (in-process, real HTTP) with the
committee's real service loop (``automation.committee.CommitteeLoop``), driven
by a clock this bench moves (each pass, then the loop's own nap): 100 cells in
the registry (10 of them Sheets Drive cannot see), 29 of them holding a round
of their own through the day, every cell holding one joint round in the
afternoon (30 rounds), members answering each form, and secretaries editing
their sheets all day long (through gspread, as the Sheets UI would). It prints:

* the service's Sheets reads per minute (the most in any minute, and the mean
  over the minutes it was busy), against Google's 60 per user (goal: under 30);
* the lateness of every form at opening and at closing, in the driven time,
  from each form's own record of when it started and stopped accepting (goal:
  at most 1 s);
* how soon the service read each secretary's edit (in Sheets Drive reports, and in
  the few it cannot see; goal: within a minute), once the start-up is over: at
  start the service reads every cell once, a hundred reads that take four minutes
  within the budget, and an edit made then waits for its cell's first turn;
* that every round was ranked in every cell, and the joint results written.

    python bench/many_cells.py [--cells 100]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automation import auth, config, googlebackend
from automation.committee import Committee, CommitteeLoop
from automation.layout import JOINT_ROUNDS, SCHEDULE
from automation.throttle import Throttle
from tests.fakegoogle import FakeGoogle
from tests.localcell import TZ, question_rows

ADMIN = "admin@example.com"
SECRETARY = "secretary@example.com"  # every cell's secretary, as one person: who edits
DAY = datetime(2027, 3, 10, tzinfo=TZ)
START, END = DAY.replace(hour=7), DAY.replace(hour=14)
OWN_ROUNDS = 29
FIRST_OWN, EVERY = DAY.replace(hour=7, minute=30), timedelta(minutes=10)
JOINT = "2027-03-chung"
JOINT_OPENS = DAY.replace(hour=13)
QUESTIONS, SECONDS, GRACE = 5, 30, 60
DURATION = timedelta(seconds=QUESTIONS * SECONDS + GRACE)
EDITS = 300  # secretaries' edits through the day
UNSEEN = 10  # cells whose Sheets Drive cannot see (shared with the account, not made by it)
MEMBERS = 12


class DrivenClock:
    """The bench's clock: it moves only when the loop naps."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def sheet(rows: list[dict[str, object]], keys: list[str], headers: list[str]) -> list[list]:
    return [headers, *([str(r.get(k, "") or "") for k in keys] for r in rows)]


def make_cells(fake: FakeGoogle, count: int) -> dict[str, str]:
    """``count`` cells' spreadsheets: name → id. All but the last ``UNSEEN`` were made by
    the app (``automation init --cell``: drive.file sees them); those were only shared."""
    cells = {}
    q_keys = ["question", "A", "B", "C", "answer"]
    q_head = ["Câu hỏi", "A", "B", "C", "Đáp án"]
    for n in range(count):
        name = f"Chi bộ số {n + 1:03d}"
        own = []
        if n < OWN_ROUNDS:
            opens = FIRST_OWN + EVERY * n
            own = [["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu"],
                   [f"2027-03-cb{n + 1}", f"{opens:%d/%m/%Y %H:%M}", str(QUESTIONS), str(SECONDS)]]
        tabs = {
            "Câu hỏi": sheet(question_rows(8, prefix=f"Câu {n}"), q_keys, q_head),
            "Đảng viên": [["Họ và tên"], *([f"Đảng viên {n}-{m}"] for m in range(MEMBERS))],
            "Lịch thi": own or [["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu"]],
        }
        spreadsheet_id = fake.create_spreadsheet(ADMIN, name, tabs, locale="vi_VN")
        fake.share(spreadsheet_id, SECRETARY)
        if n < count - UNSEEN:
            fake.open_with_app(spreadsheet_id)
        cells[name] = spreadsheet_id
    return cells


def settings_for(folder: Path, fake: FakeGoogle, registry: str) -> config.Settings:
    (folder / "config").mkdir(parents=True, exist_ok=True)
    token = fake.authorized_user_file(folder / "config" / "credentials.json", email=ADMIN,
                                      scopes=auth.SIGN_IN_SCOPES)  # drive.file, as signed in
    file = folder / "config" / "settings.toml"
    file.write_text("\n".join([
        'backend = "google"', f'registry = "{registry}"', 'timezone = "Asia/Ho_Chi_Minh"',
        "[quiz]", f"grace_seconds = {GRACE}", "prepare_hours_ahead = 1", "[google]",
        f'credentials = "{token.as_posix()}"', f'api_endpoint = "{fake.url}"', "",
    ]), encoding="utf-8")
    return config.load(file)


def answer_open_forms(fake: FakeGoogle, answered: set[str], now: datetime) -> None:
    """Members answer each form a minute after it opened (through the member route)."""
    for file_id, record in list(fake.state.files.items()):
        if not record.get("mimeType", "").endswith(".form") or file_id in answered:
            continue
        form = fake.form(file_id)
        state = form.get("publishSettings", {}).get("publishState", {})
        opened = (record.get("appProperties") or {}).get("automationOpenedAt")
        if not (state.get("isAcceptingResponses") and opened):
            continue
        if now < datetime.fromisoformat(opened) + timedelta(seconds=60):
            continue
        answered.add(file_id)
        names = [o["value"] for item in form["items"]
                 if (q := item["questionItem"]["question"]).get("choiceQuestion", {})
                 .get("type") == "DROP_DOWN" for o in q["choiceQuestion"]["options"]]
        for member in names[:3]:
            answers: dict[str, list[str]] = {}
            for item in form["items"]:
                question = item["questionItem"]["question"]
                choices = [o["value"] for o in question["choiceQuestion"]["options"]]
                if question["choiceQuestion"]["type"] == "DROP_DOWN":
                    answers[question["questionId"]] = [member]
                else:
                    answers[question["questionId"]] = [
                        next(c for c in choices if c.startswith("Phương án đúng"))]
            fake.submit(file_id, answers, submit_time=now)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=100)
    count = parser.parse_args().cells
    fake = FakeGoogle.start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            return play(fake, Path(scratch), count)
    finally:
        fake.stop()


def play(fake: FakeGoogle, folder: Path, count: int) -> int:
    cells = make_cells(fake, count)
    registry = fake.create_spreadsheet(ADMIN, "Đảng ủy xã", {
        "Chi bộ": [["Chi bộ", "Bảng tính", "Bật"], *([n, i, ""] for n, i in cells.items())],
        "Lịch thi chung": [["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu"],
                           [JOINT, f"{JOINT_OPENS:%d/%m/%Y %H:%M}", str(QUESTIONS),
                            str(SECONDS)]],
        "Câu hỏi": sheet([{**q, "round": ""} for q in question_rows(12, prefix="Chung")],
                         ["question", "A", "B", "C", "answer"],
                         ["Câu hỏi", "A", "B", "C", "Đáp án", "Đã dùng"]),
    }, locale="vi_VN")
    fake.open_with_app(registry)
    settings = settings_for(folder, fake, registry)
    clock = DrivenClock(START)
    fake.state.clock = clock  # Drive's modification times, in the driven time too
    throttle = Throttle(clock)
    committee = Committee(settings, clock=clock, throttle=throttle)
    loop = CommitteeLoop(committee, clock, max_nap=10.0)
    token = fake.authorized_user_file(folder / "secretary.json", email=SECRETARY)
    secretary = googlebackend.gspread_client(  # the secretaries, in the Sheets UI
        replace(settings, google=replace(settings.google, credentials=token)))
    rng = random.Random(2027)
    edits = sorted(START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds()))
                   for _ in range(EDITS))
    answered: set[str] = set()
    unseen = set(list(cells)[len(cells) - UNSEEN:])
    waiting: list[tuple[str, datetime]] = []  # edits the service has not read yet
    seen_after: dict[bool, list[float]] = {True: [], False: []}  # by Drive-visible or not
    slowest: list[tuple[float, datetime, str]] = []
    during_start: list[float] = []  # edits made before every cell was first read
    passes = 0
    warm: datetime | None = None  # when every cell had been read once (the start-up's end)
    while clock.now < END:
        loop.once()
        passes += 1
        if warm is None and all(r.read_at for r in committee.cells.values()):
            warm = clock.now
        for name, at in list(waiting):
            run = next(r for r in committee.cells.values() if r.entry.name == name)
            if run.read_at is not None and run.read_at > at:
                waiting.remove((name, at))
                if warm is not None and at >= warm:
                    seen_after[name not in unseen].append((run.read_at - at).total_seconds())
                else:
                    during_start.append((run.read_at - at).total_seconds())
                slowest.append(((run.read_at - at).total_seconds(), at, name))
        answer_open_forms(fake, answered, clock.now)
        while edits and edits[0] <= clock.now:
            edits.pop(0)
            name = rng.choice(list(cells))
            book = secretary.open_by_key(cells[name])
            book.worksheet("Đảng viên").append_row([f"Mới {rng.randrange(10**6)}"],
                                                   value_input_option="RAW")
            waiting.append((name, clock.now))
        clock.now += timedelta(seconds=max(loop.nap(), 0.05))

    reads = Counter(moment.replace(second=0, microsecond=0)
                    for moment in throttle.used("sheets.read"))
    writes = Counter(moment.replace(second=0, microsecond=0)
                     for moment in throttle.used("sheets.write"))
    opening, closing, unranked = [], [], []
    for name, spreadsheet_id in cells.items():
        for title in (SCHEDULE.title("vi"), JOINT_ROUNDS.title("vi")):
            try:
                rows = fake.spreadsheet_values(spreadsheet_id, title)
            except KeyError:
                continue
            header = [str(h) for h in rows[0]]
            for row in rows[1:]:
                cells_ = dict(zip(header, (str(c) for c in row), strict=False))
                if not cells_.get("Kỳ thi"):
                    continue
                if cells_.get("Trạng thái") != "Đã xếp hạng":
                    unranked.append(f"{name} {cells_['Kỳ thi']}: {cells_.get('Trạng thái')}")
                    continue
                marks = fake.file(cells_["Mã biểu mẫu"]).get("appProperties", {})
                opened = datetime.fromisoformat(marks["automationOpenedAt"])
                closed = datetime.fromisoformat(marks["automationClosedAt"])
                planned = datetime.strptime(cells_["Mở lúc"][:16], "%d/%m/%Y %H:%M").replace(
                    tzinfo=TZ)
                opening.append((opened - planned).total_seconds())
                closing.append((closed - (opened + DURATION)).total_seconds())
    joint = any(t["properties"]["title"] == f"Kết quả chung {JOINT}"
                for t in fake.spreadsheet(registry)["sheets"])
    print(f"{count} cells, {min(OWN_ROUNDS, count)} rounds of their own + 1 joint round in "
          "every cell, "
          f"{EDITS} secretaries' edits, {passes} passes of the loop over "
          f"{(END - START).total_seconds() / 3600:.0f} h of driven time")
    print(f"Sheets reads per minute: max {max(reads.values())}, mean {mean(reads.values()):.1f} "
          f"over {len(reads)} minutes with reads (Google allows 60; goal under 30)")
    print(f"Sheets writes per minute: max {max(writes.values())}, "
          f"mean {mean(writes.values()):.1f}")
    print(f"forms: {len(opening)}; opening late by max {max(opening):.3f} s, closing late by "
          f"max {max(closing):.3f} s (goal: at most 1 s)")
    for visible, delays in seen_after.items():
        if delays:
            print(f"secretaries' edits read by the service after: max {max(delays):.0f} s, "
                  f"mean {mean(delays):.0f} s ({len(delays)} edits, in Sheets "
                  f"{'Drive reports' if visible else 'Drive cannot see'}, after the start-up; "
                  "goal: within 60 s)")
    assert warm is not None
    print(f"start-up: every cell read once {(warm - START).total_seconds():.0f} s after the "
          f"start (a read each, within the budget); {len(during_start)} edits made by then "
          f"read after max {max(during_start, default=0):.0f} s")
    late = sorted((x for x in slowest if x[0] > 60), reverse=True)
    if late:
        print(f"edits read after more than a minute: {len(late)}; the slowest: " + ", ".join(
            f"{delay:.0f} s ({name}, edited {at.astimezone(TZ):%H:%M:%S})"
            for delay, at, name in late[:5]))
    print(f"every round ranked: {not unranked}; joint results written: {joint}")
    for line in unranked[:10]:
        print("  not ranked:", line)
    ok = (max(reads.values()) < 30 and max(opening) <= 1 and max(closing) <= 1 and not unranked
          and joint and not waiting and all(max(d, default=0) <= 60 for d in seen_after.values()))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
