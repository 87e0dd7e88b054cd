"""Huey jobs of hybrid mail, one module per part (Huey's Django integration imports each app's `tasks`)."""

from .tasks_send import *  # noqa: F403  (mail-send: mail-merge chunks)
