"""Limits shared by the fibre pages' forms."""

from __future__ import annotations

MAX_TEXT = 2000
