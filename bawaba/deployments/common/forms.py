"""Forms of the fibre pages: they parse and bound input; the rules live in services.py.

(split from forms.py)"""

from __future__ import annotations

MAX_TEXT = 2000
