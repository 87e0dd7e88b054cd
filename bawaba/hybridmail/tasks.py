"""Huey jobs of hybrid mail (Huey's Django integration imports each app's `tasks`); each part keeps its jobs in
its own module: mail-merge chunks (tasks_send), the paper timer and old SMS codes (timer), print runs and
reconciliation (tasks_print, also imported by apps.py)."""

from .tasks_print import *  # noqa: F403
from .tasks_send import *  # noqa: F403
from .timer import purge_old_codes, sweep_unopened_letters  # noqa: F401
