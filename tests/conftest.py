"""Shared test set-up. Area-specific fixtures live beside their tests."""
