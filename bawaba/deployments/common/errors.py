"""Domain errors of the fibre app shared by every step: Conflict (→ 409)."""

from __future__ import annotations


class Conflict(Exception):
    """The request is well-formed but clashes with the current state (HTTP 409).

    `retryable` marks a clash with another request in flight: the same request sent again a moment later can
    succeed, so a client's outbox keeps it queued (the answer carries Retry-After) instead of giving up."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
