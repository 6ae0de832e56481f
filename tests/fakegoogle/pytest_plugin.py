"""Pytest fixture ``fake_google``: a fake Google of its own for each test.

Every test starts its own server (on its own port) and stops it after: nothing a test
leaves behind (a late request from a thread, a kept-alive connection) can reach the next
test's state or request log. Starting one costs a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake import FakeGoogle


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    """A fresh fake Google for this test alone."""
    fake = FakeGoogle.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def fake_google_server() -> Iterator[FakeGoogle]:
    """A fake Google for this test module alone: its tests restore the state they need
    (the crash tests: one arranged round, replayed once per crash point)."""
    fake = FakeGoogle.start()
    try:
        yield fake
    finally:
        fake.stop()
