"""Fixtures of the send part of hybrid mail (imported by conftest.py)."""
