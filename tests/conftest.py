"""Shared test set-up. Area-specific fixtures live beside their tests."""

pytest_plugins = ["tests.fakegoogle.pytest_plugin"]
