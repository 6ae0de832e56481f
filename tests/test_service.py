"""``automation run``: the loop that ticks forever, its lock, and a clean stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automation.backends import open_backend
from automation.filelock import exclusive, lock_path
from automation.service import Loop, run
from automation.tick import TickReport
from tests.localcell import LocalCell, local, question_rows

OPENS = local("10/03/2023 14:00")
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def cell(tmp_path: Path) -> LocalCell:
    cell = LocalCell(tmp_path)
    assert cell.run("init") == 0
    cell.questions(question_rows(8))
    cell.members(["Nguyễn Văn An", "Trần Thị Bình"])
    cell.schedule([{"round": "2023-03", "opens_at": OPENS.replace(tzinfo=None), "questions": 5}])
    return cell


def test_a_second_tick_on_the_same_spreadsheet_does_nothing(cell: LocalCell) -> None:
    backend = open_backend(cell.settings, clock=lambda: OPENS)
    with exclusive(lock_path(backend.owner)):
        assert cell.tick(OPENS) == 0
        assert "đang làm việc" in cell.last_output
    assert cell.rounds()["2023-03"]["status"] == ""
    assert cell.tick(OPENS) == 0
    assert cell.rounds()["2023-03"]["status"] == "Đang mở"


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; whether it held."""
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_loop_outlives_a_failed_tick_and_moves_rounds_on(
    cell: LocalCell, caplog: pytest.LogCaptureFixture
) -> None:
    clock = {"now": OPENS - timedelta(hours=1)}
    stop = threading.Event()
    good = cell.workbook.read_bytes()
    cell.workbook.write_bytes(b"not a workbook")  # every tick fails until it is mended
    settings = replace(
        cell.settings, local=replace(cell.settings.local, host="127.0.0.1", port=free_port())
    )
    service = threading.Thread(
        target=run,
        args=(settings,),
        kwargs={"clock": lambda: clock["now"], "stop": stop, "reread": 0.2},
    )
    service.start()
    try:
        # Three ticks in a row fail on the broken file, and the loop goes on.
        assert wait_for(lambda: caplog.text.count("tick failed") >= 3), caplog.text
        assert service.is_alive()
        cell.workbook.write_bytes(good)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and cell.rounds()["2023-03"]["status"] == "":
            time.sleep(0.1)
        assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"
        clock["now"] = OPENS
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and cell.rounds()["2023-03"]["status"] != "Đang mở":
            time.sleep(0.1)
        assert cell.rounds()["2023-03"]["status"] == "Đang mở"
        assert (cell.workbook.parent / "qr-2023-03.png").exists()
    finally:
        stop.set()
        service.join(10)
    assert not service.is_alive()


def serve_until_sigterm(config_file: Path, port: int, log_file: Path) -> tuple[int, str]:
    """``automation run --log-file`` in its own process, stopped by SIGTERM once its web form
    listens on ``port``: its exit code and what it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "automation", "run", "--config", str(config_file),
         "--log-file", str(log_file)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("the web form never started listening")
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, out.decode("utf-8", "replace")


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM is POSIX")
def test_sigterm_stops_the_service_cleanly(cell: LocalCell) -> None:
    port = free_port()
    text = cell.config_file.read_text(encoding="utf-8")
    cell.config_file.write_text(
        text.replace("[local]", f'[local]\nhost = "127.0.0.1"\nport = {port}'), encoding="utf-8"
    )
    log_file = cell.folder / "logs" / "service.log"
    code, text = serve_until_sigterm(cell.config_file, port, log_file)
    assert code == 0, text
    assert "service stopped" in text
    # The log file has the same events, each stamped in the cell's zone (day first).
    logged = log_file.read_text(encoding="utf-8")
    assert "service started" in logged and "service stopped" in logged
    stamp = re.match(r"(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d) INFO ", logged)
    assert stamp, logged
    moment = datetime.strptime(stamp.group(1), "%d/%m/%Y %H:%M:%S").replace(tzinfo=OPENS.tzinfo)
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=2)  # local time, not UTC


def test_now_replaces_the_clock_in_the_configured_zone(cell: LocalCell) -> None:
    """``--now`` in the configured zone when it has no offset: a catch-up by hand."""
    assert cell.run("tick", "--now", "10/03/2023 13:00") == 0
    assert cell.rounds()["2023-03"]["status"] == "Đã chuẩn bị"
    assert cell.run("tick", "--now", "2023-03-10T14:00:00+07:00") == 0
    assert cell.rounds()["2023-03"]["status"] == "Đang mở"
    assert cell.run("tick", "--now", "không phải giờ") == 2  # a usage error
    assert "--now" in cell.last_output


class SteppedClock:
    """A clock that moves only when the loop naps: ``wait(s)`` moves it ``s`` seconds on."""

    def __init__(self, start: datetime, stop_at: datetime) -> None:
        self.now = start
        self.stop_at = stop_at

    def __call__(self) -> datetime:
        return self.now

    def is_set(self) -> bool:
        return self.now >= self.stop_at

    def wait(self, seconds: float) -> bool:
        self.now += timedelta(seconds=seconds)
        return self.is_set()


def test_the_loop_ticks_at_each_due_moment_to_the_microsecond() -> None:
    """A form opens at Mở lúc and closes at its deadline, not at the next periodic tick."""
    start = OPENS - timedelta(seconds=10)
    due = [OPENS, OPENS + timedelta(seconds=5 * 30 + 60, microseconds=250_000)]
    clock = SteppedClock(start, stop_at=due[-1] + timedelta(seconds=5))
    ticks: list[datetime] = []

    def tick() -> TickReport:
        ticks.append(clock())
        upcoming = [moment for moment in due if moment > clock()]
        return TickReport(next_moment=min(upcoming, default=None))

    Loop(tick, clock, reread=30).run(clock)  # type: ignore[arg-type]  # a stepped Event
    assert ticks[0] == start
    assert due[0] in ticks and due[1] in ticks
    # Between two due moments it naps at most a second at a time, and never ticks early.
    assert all(moment == start or moment in due for moment in ticks)
