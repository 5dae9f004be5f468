"""Fixtures: the people of a case and the outbox, shared with the other office apps (tests/people.py)."""

from tests.people import outbox, people  # noqa: F401  (pytest fixtures, imported to be found here)
