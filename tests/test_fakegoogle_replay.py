"""Fidelity: the fake answers real recorded Google traffic as Google did.

Every recording in ../shared/google-recordings whose requests the fake implements is
replayed in order; each answer must have Google's status and JSON structure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fakegoogle import FakeGoogle, replay

RECORDINGS = Path(__file__).resolve().parents[1].parent / "shared" / "google-recordings"
MINIMUM = 40


@pytest.mark.skipif(
    not RECORDINGS.is_dir() and not os.environ.get("CI"),
    reason=f"recordings folder absent: {RECORDINGS} (in CI it must be there)",
)
def test_recorded_google_traffic_replays_with_the_same_answers(
    fake_google: FakeGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted((RECORDINGS / "gspread-cassettes").glob("*.json"))
    assert len(files) >= MINIMUM, f"expected the recordings in {RECORDINGS}, found {len(files)}"
    outcomes = []
    for path in files:
        interactions = replay.load(path)
        if replay.supported(interactions):
            outcomes.append(replay.replay(fake_google, path.stem, interactions))
    matched = [o for o in outcomes if o.matched]
    with capsys.disabled():  # the count belongs in every run's output, CI's included
        print(f"\nrecordings replayed: {len(outcomes)} of {len(files)}; matched: {len(matched)}")
    failures = "\n".join(
        f"{o.name}:\n  " + "\n  ".join(o.problems[:5]) for o in outcomes if not o.matched
    )
    assert len(matched) == len(outcomes), failures
    assert len(outcomes) >= MINIMUM


def test_shape_comparison_catches_a_missing_key_and_a_wrong_type() -> None:
    expected = {"range": "Sheet1!A1", "values": [["a", 1]], "majorDimension": "ROWS"}
    assert (
        replay.shape_problems(
            expected, {"range": "X!B2", "values": [["b", 2.5]], "majorDimension": "ROWS"}
        )
        == []
    )
    assert replay.shape_problems(
        expected, {"range": "X", "values": [["a", "1"]], "majorDimension": "ROWS"}
    )
    assert replay.shape_problems(expected, {"range": "X", "values": [["a", 1]]})
    assert replay.shape_problems(expected, {**expected, "extra": 1})
    assert replay.shape_problems(expected, {**expected, "values": [["a", 1], ["b", 2]]})
