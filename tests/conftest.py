"""Shared test set-up. Area-specific fixtures live beside their tests."""

import os

from hypothesis import settings

pytest_plugins = ["tests.fakegoogle.pytest_plugin"]

# Property tests: in CI the examples are drawn from a fixed seed, so a failure found
# there shows again on the next run instead of being left to chance; every failure
# prints the blob that replays it (`@reproduce_failure`).
settings.register_profile("ci", derandomize=True, max_examples=200, print_blob=True,
                          deadline=None)
settings.register_profile("dev", print_blob=True, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
