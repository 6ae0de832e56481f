"""A Google that accepts connections but never answers: every command stops, exit 3, within
a minute, naming what did not answer (issue 9, item 4). Real time, real sockets, the default
budgets: the three commands run side by side so the test waits about half a minute."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 60


class Silent:
    """A TCP server on loopback that accepts every connection and never says a word."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)  # kept open, never read from, never answered

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        for connection in self.held:
            connection.close()
        self.listener.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.stop()


def config(folder: Path, *, valid_token: bool) -> Path:
    """A google config whose credentials need a token refresh, or hold a token still valid
    (so the first call to hang is the API itself)."""
    folder.mkdir()
    token: dict[str, object] = {
        "type": "authorized_user", "client_id": "c.apps.googleusercontent.com",
        "client_secret": "s", "refresh_token": "1//r", "account": "admin@example.com",
    }
    if valid_token:
        token["token"] = "ya29.still-valid"
        token["expiry"] = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (folder / "credentials.json").write_text(json.dumps(token), encoding="utf-8")
    settings = folder / "settings.toml"
    settings.write_text(
        'backend = "google"\nlanguage = "en"\n[google]\nspreadsheet_id = "1Sheet"\n'
        f'credentials = "{(folder / "credentials.json").as_posix()}"\n', encoding="utf-8")
    return settings


def start(command: list[str], settings: Path, endpoint: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOMATION_")}
    env["AUTOMATION_GOOGLE_ENDPOINT"] = endpoint
    return subprocess.Popen(
        [sys.executable, "-m", "automation", "--config", str(settings), *command],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
@pytest.mark.parametrize(("valid_token", "named"), [
    (False, "Google sign-in (token) did not answer"),
    (True, "did not answer"),
])
def test_every_command_stops_within_a_minute_naming_what_hung(
    silent: Silent, tmp_path: Path, valid_token: bool, named: str
) -> None:
    settings = config(tmp_path / "cell", valid_token=valid_token)
    began = time.monotonic()
    running = {name: start(command, settings, silent.url) for name, command in (
        ("check", ["check"]), ("tick", ["tick"]), ("doctor", ["doctor"]),
        ("status", ["status"]), ("open", ["open", "2023-03"]), ("close", ["close", "2023-03"]),
        ("rank", ["rank", "2023-03"]), ("init", ["init"]))}
    for name, process in running.items():
        out, _ = process.communicate(timeout=LIMIT_S + 30)
        text = out.decode("utf-8", "replace")
        elapsed = time.monotonic() - began
        assert process.returncode == 3, f"{name}: {text}"
        assert elapsed < LIMIT_S, f"{name} took {elapsed:.0f} s"
        assert named in text, f"{name}: {text}"
        if valid_token and name != "doctor":  # the doctor refreshes the token first, by design
            assert "Google Sheets API did not answer" in text, f"{name}: {text}"
