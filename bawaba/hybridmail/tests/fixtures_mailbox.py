"""Fixtures of the mailbox part of hybrid mail (imported by conftest.py)."""
