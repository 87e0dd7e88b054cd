"""Background work of hybrid mail (huey finds an app's tasks in this module). Each part keeps its tasks in its
own module and lists it here."""

from .timer import purge_old_codes, sweep_unopened_letters  # noqa: F401 - mail-box: paper timer, old SMS codes
