"""The committee's one budget of Sheets requests: buckets, 429 pauses, deferred steps.

The buckets are driven by a clock the test moves. The committee's service is
played against the fake Google over HTTP: a form opens on time even when no
write is left, its record is written when the budget allows (with the form's
own opening time, not the late write's), and neither an empty budget nor a 429
ever shows the secretary a ``Lỗi``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from automation import config, googlebackend
from automation.committee import Committee as Service
from automation.committee import CommitteeLoop
from automation.throttle import MAX_PAUSE, PAUSE, Deferred, Throttle, kind_of
from tests.committeecell import GoogleCommittee, joint_rounds
from tests.localcell import local, question_rows

START = local("10/03/2023 13:00")
OPENS = local("10/03/2023 14:00")
ROUND = "2023-03-chung"
CELLS = ("Chi bộ Ấp 1", "Chi bộ Ấp 2")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def spend(throttle: Throttle, kind: str) -> int:
    """Take every request left of ``kind``; how many there were."""
    taken = 0
    while throttle.try_take(kind):
        taken += 1
    return taken


def test_a_burst_then_the_rate() -> None:
    clock = Clock(START)
    throttle = Throttle(clock, {"sheets.read": 30.0}, burst=10)
    assert spend(throttle, "sheets.read") == 10
    with pytest.raises(Deferred, match=r"sheets\.read"):
        throttle.take("sheets.read")
    clock.now += timedelta(seconds=10)  # 30 a minute: 5 in 10 s
    assert throttle.available("sheets.read")
    assert spend(throttle, "sheets.read") == 5
    clock.now += timedelta(hours=1)  # never more than the burst saved up
    assert spend(throttle, "sheets.read") == 10
    assert len(throttle.used("sheets.read")) == 25


def test_a_kind_without_a_budget_always_goes() -> None:
    throttle = Throttle(Clock(START), {"sheets.read": 1.0}, burst=1)
    assert all(throttle.try_take("forms") for _ in range(100))
    assert kind_of("GET", "https://sheets.googleapis.com/v4/spreadsheets/x") == "sheets.read"
    assert kind_of("POST", "https://sheets.googleapis.com/v4/spreadsheets/x:batchUpdate") == (
        "sheets.write")
    assert kind_of("GET", "https://www.googleapis.com/drive/v3/files") == ""


def test_each_429_in_a_row_pauses_everyone_twice_as_long_up_to_a_cap() -> None:
    clock = Clock(START)
    throttle = Throttle(clock, {"sheets.write": 30.0}, burst=10)
    pauses = []
    for _ in range(8):
        throttle.refused("sheets.write")
        waited = timedelta()
        while not throttle.available("sheets.write"):
            clock.now += timedelta(seconds=1)
            waited += timedelta(seconds=1)
        pauses.append(waited)
    assert pauses[0] >= PAUSE and pauses[1] >= 2 * PAUSE and pauses[2] >= 4 * PAUSE
    assert max(pauses) <= MAX_PAUSE + timedelta(seconds=3)
    throttle.answered("sheets.write")  # one went through: the next 429 pauses briefly again
    throttle.refused("sheets.write")
    clock.now += PAUSE + timedelta(seconds=3)
    assert throttle.available("sheets.write")


@pytest.fixture
def committee(fake_google: object, tmp_path: Path) -> GoogleCommittee:
    made = GoogleCommittee(fake_google, tmp_path)
    assert made.run("init") == 0, made.last_output
    rows = []
    for n, name in enumerate(CELLS):
        cell = made.add_cell(name, tmp_path / f"cell{n}")
        cell.members(["Nguyễn Văn An", "Trần Thị Bình"])
        cell.read_with_gspread = False
        rows.append((name, cell.spreadsheet_id, ""))
    made.cells_tab(rows)
    made.joint_schedule([{"round": ROUND, "opens_at": "10/03/2023 14:00", "questions": 5}])
    made.joint_questions(question_rows(8, prefix="Câu chung"))
    return made


def service(committee: GoogleCommittee, clock: Clock) -> tuple[CommitteeLoop, Throttle]:
    throttle = Throttle(clock)
    loop = CommitteeLoop(Service(config.load(committee.config_file), clock=clock,
                                 throttle=throttle), clock)
    return loop, throttle


def statuses(committee: GoogleCommittee) -> dict[str, str]:
    """Each cell's ``Thi chung`` status of the round ("" before the tab is made)."""
    found = {}
    for name, cell in committee.cells.items():
        titles = [t["properties"]["title"] for t in
                  committee.fake.spreadsheet(cell.spreadsheet_id)["sheets"]]  # type: ignore[attr-defined]
        rows = joint_rounds(cell) if "Thi chung" in titles else {}
        found[name] = rows.get(ROUND, {}).get("status", "")
    return found


def prepare_every_cell(committee: GoogleCommittee, loop: CommitteeLoop, clock: Clock) -> None:
    """Passes of the loop until every cell's joint round is prepared (well before opening)."""
    while any(s != "Đã chuẩn bị" for s in statuses(committee).values()):
        loop.once()
        clock.now += timedelta(seconds=5)
        assert clock.now < OPENS - timedelta(minutes=30), statuses(committee)


def test_forms_open_on_time_with_no_write_left_and_are_recorded_when_it_allows(
        committee: GoogleCommittee) -> None:
    clock = Clock(START)
    loop, throttle = service(committee, clock)
    prepare_every_cell(committee, loop, clock)
    clock.now = OPENS
    spend(throttle, "sheets.write")  # the budget is spent just as the round opens
    outcome = loop.once()
    assert not outcome.failures and not outcome.problems, outcome
    assert {d for d in outcome.deferred if d.endswith(ROUND)} == {
        f"{name}: {ROUND}" for name in CELLS}, outcome
    forms = {name: committee.fake.form(joint_rounds(cell)[ROUND]["form_id"])
             for name, cell in committee.cells.items()}
    for form in forms.values():  # members can answer from the planned minute
        assert form["publishSettings"]["publishState"]["isAcceptingResponses"]
    assert set(statuses(committee).values()) == {"Đã chuẩn bị"}  # no Lỗi: only later
    assert loop.nap() <= 1.0

    while set(statuses(committee).values()) != {"Đang mở"}:
        clock.now += timedelta(seconds=1)
        loop.once()
        assert clock.now < OPENS + timedelta(minutes=1), statuses(committee)
    for cell in committee.cells.values():  # the form's own opening time, not the write's
        assert joint_rounds(cell)[ROUND]["opened_at"] == "10/03/2023 14:00:00"


def test_a_429_pauses_the_writes_without_a_problem_for_the_secretary(
        committee: GoogleCommittee) -> None:
    clock = Clock(OPENS - timedelta(minutes=50))
    loop, throttle = service(committee, clock)
    committee.fake.fault("POST /v4/spreadsheets/", status=429, times=1)
    outcome = loop.once()
    assert not outcome.failures and not outcome.problems, outcome
    assert outcome.deferred
    assert not throttle.available("sheets.write")  # every cell waits, none retries alone
    assert "Lỗi" not in statuses(committee).values()
    for _ in range(120):
        if set(statuses(committee).values()) == {"Đã chuẩn bị"}:
            break
        clock.now += timedelta(seconds=1)
        loop.once()
    assert set(statuses(committee).values()) == {"Đã chuẩn bị"}


def test_forms_close_on_time_while_their_opening_still_waits_to_be_written(
        committee: GoogleCommittee) -> None:
    clock = Clock(START)
    loop, throttle = service(committee, clock)
    prepare_every_cell(committee, loop, clock)
    clock.now = OPENS
    deadline = OPENS + timedelta(seconds=5 * 30 + 60)  # 5 questions, 30 s, 60 s of grace
    while clock.now <= deadline + timedelta(seconds=1):
        spend(throttle, "sheets.write")  # not one write from the opening to the deadline
        loop.once()
        clock.now += timedelta(seconds=min(loop.nap(), 1.0))
    assert set(statuses(committee).values()) == {"Đã chuẩn bị"}  # nothing written yet
    for name, cell in committee.cells.items():
        form_id = joint_rounds(cell)[ROUND]["form_id"]
        state = committee.fake.form(form_id)["publishSettings"]["publishState"]
        assert not state["isAcceptingResponses"], name
        marks = committee.fake.file(form_id)["appProperties"]
        closed = datetime.fromisoformat(marks["automationClosedAt"])
        assert deadline <= closed <= deadline + timedelta(seconds=1), (name, closed)

    while set(statuses(committee).values()) != {"Đã xếp hạng"}:  # the budget comes back
        clock.now += timedelta(seconds=5)
        loop.once()
        assert clock.now < deadline + timedelta(minutes=5), statuses(committee)


def test_a_secretarys_edit_is_read_before_cells_only_the_service_changed(
        committee: GoogleCommittee, tmp_path: Path) -> None:
    clock = Clock(START)
    loop, throttle = service(committee, clock)
    committee.fake.state.clock = clock  # Drive's modification times in the test's time
    loop.once()  # every cell read; the service writes its tabs into both
    second = committee.cells[CELLS[1]]
    committee.fake.share(second.spreadsheet_id, "secretary@example.com")
    token = committee.fake.authorized_user_file(tmp_path / "secretary.json")
    her = googlebackend.gspread_client(
        replace(second.settings, google=replace(second.settings.google, credentials=token)))
    clock.now += timedelta(seconds=15)
    her.open_by_key(second.spreadsheet_id).worksheet("Đảng viên").append_row(
        ["Lê Văn Cường"], value_input_option="RAW")
    spend(throttle, "sheets.read")
    clock.now += timedelta(seconds=2.5)  # room for one read
    loop.once()
    runs = {run.entry.name: run for run in loop.committee.cells.values()}
    assert runs[CELLS[0]].dirty and not runs[CELLS[0]].edited  # its last change: our own
    assert runs[CELLS[1]].read_at == clock.now  # hers is read first
    assert runs[CELLS[0]].read_at == START
