"""The intake tests' fixture: the command line on a real store (test_import.sopflow)."""

from tests.intake.test_import import sopflow  # noqa: F401 - a fixture, found by pytest here
