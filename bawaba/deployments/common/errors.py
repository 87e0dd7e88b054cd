"""Writes of the fibre app: field reports, acceptance, inspection, work-order states.

Every do_* function owns its transaction and writes its audit record (DeploymentEvent) in it.
Exceptions: PermissionDenied → 403, ValidationError → 422 (message_dict by field), Conflict → 409.

(split from services.py)"""

from __future__ import annotations


class Conflict(Exception):
    """The request is well-formed but clashes with the current state (HTTP 409).

    `retryable` marks a clash with another request in flight: the same request sent again a moment later can
    succeed, so a client's outbox keeps it queued (the answer carries Retry-After) instead of giving up."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
