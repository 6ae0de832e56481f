"""Pytest fixtures: `fake_google` (fresh state per test) on one server per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake import FakeGoogle


@pytest.fixture(scope="session")
def fake_google_server() -> Iterator[FakeGoogle]:
    fake = FakeGoogle.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_google(fake_google_server: FakeGoogle) -> Iterator[FakeGoogle]:
    """The fake Google, emptied before each test (state, request log, faults, switches)."""
    fake_google_server.reset()
    yield fake_google_server
    fake_google_server.reset()
