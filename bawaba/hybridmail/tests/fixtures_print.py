"""Fixtures of the print part of hybrid mail (imported by conftest.py)."""
