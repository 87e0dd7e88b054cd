"""Background work of hybrid mail (huey finds an app's tasks in this module). Each part keeps its tasks in its
own module and lists it here."""

from .timer import sweep_unopened_letters  # noqa: F401 - mail-box: the paper timer, every minute
