"""The tick lock: in a folder of the user's own, never through a planted link."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from automation.filelock import AlreadyRunning, exclusive, lock_path
from automation.ports import InputError

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX owners and modes")


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's runtime folder, as a desktop session provides it."""
    folder = tmp_path / "run-user"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


def test_the_lock_lives_where_only_its_owner_can_reach_it(runtime: Path) -> None:
    path = lock_path("/home/secretary/data/quiz.xlsx")
    assert path.parent == runtime / "automation"
    assert not str(path).startswith("/tmp/automation-")  # no predictable shared name
    with exclusive(path):
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
        with pytest.raises(AlreadyRunning), exclusive(path):
            pass


def test_a_folder_others_may_write_in_is_made_private(runtime: Path) -> None:
    folder = runtime / "automation"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    lock_path("a spreadsheet")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_a_link_planted_where_the_lock_goes_is_not_followed(runtime: Path) -> None:
    path = lock_path("1AbCspreadsheetId")
    victim = runtime / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    path.symlink_to(victim)
    with pytest.raises(InputError, match="automation"), exclusive(path):
        pass
    assert victim.read_text(encoding="utf-8") == "precious"


def test_a_link_in_place_of_the_folder_is_refused(runtime: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (runtime / "automation").symlink_to(elsewhere)
    with pytest.raises(InputError, match="automation"):
        lock_path("x")
