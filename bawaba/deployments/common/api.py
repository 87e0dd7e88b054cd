"""The fibre REST API's shared parts: the NinjaAPI object, error replies, paging, links, idempotency keys.

Authentication: the platform's bearer tokens when bawaba.api.auth provides them (see _auth_backends),
and the Django session with CSRF protection for the contractor portal's own JavaScript.
Errors: 401 not signed in, 403 not for your role, 404 unknown or another organisation's (not revealed), 409 state
conflict, 422 invalid input."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI
from ninja.security import SessionAuth

from bawaba.core.parsing import MAX_ID

from . import errors as common_errors
from .models import IdempotencyRecord
from .schemas import (
    ErrorOut,
)


def _auth_backends():
    """Bearer tokens from the platform API app when it offers them, then the session (with CSRF)."""
    backends = []
    try:
        from bawaba.api import auth as platform_auth  # written by the platform API helper
    except ImportError:
        platform_auth = None
    for name in ("bearer_auth", "token_auth", "BearerAuth", "TokenAuth", "ApiTokenAuth"):
        candidate = getattr(platform_auth, name, None) if platform_auth else None
        if candidate is not None:
            backends.append(candidate() if isinstance(candidate, type) else candidate)
            break
    backends.append(SessionAuth(csrf=True))
    return backends


api = NinjaAPI(
    title="Bawaba fibre deployment API",
    version="1",
    description="Work orders (TM Forum TMF697 naming), field reports, acceptance results, statements, GeoJSON.",
    urls_namespace="deployments:fibre-api",  # included by deployments/urls.py (app_name "deployments")
    auth=_auth_backends(),
)


MAX_LIMIT = 200
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
          429: ErrorOut}  # 429: too many refused tokens from one address (bawaba.api.auth)


def _error(request, status, detail, errors=None):
    return api.create_response(request, {"detail": str(detail), "errors": errors or {}}, status=status)


def _url(name: str, **kwargs) -> str:
    """Reverse an API route whether the API is mounted inside the deployments namespace or on its own."""
    from django.urls import NoReverseMatch

    for prefix in ("deployments:fibre-api:", "fibre-api:"):
        try:
            return reverse(prefix + name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _page(limit: int, offset: int) -> tuple[int, int]:
    """Every list's page: limit clamped to 1..MAX_LIMIT; an offset past the databases' integers is refused (422)."""
    if offset > MAX_ID:
        raise ValidationError({"offset": [_("Ensure this value is less than or equal to %(limit_value)s.")
                                          % {"limit_value": MAX_ID}]})
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)


# --------------------------------------------------------------------------- idempotency of money writes



class IdempotencyKeyReused(ValidationError):
    """The key was already used with a different body (422 on the Idempotency-Key header)."""

    def __init__(self):
        message = _("This Idempotency-Key was already used with a different request body.")
        super().__init__({"Idempotency-Key": [message]})


def idempotent(user, kind: str, key: str | None, body, *, create, load):
    """`create()` once per (organisation, kind, key); a retry with the same body gets `load(pk)` back.

    Returns (object, created). The same key with another body raises IdempotencyKeyReused. The key is
    recorded in the database in the same transaction as the write (`IdempotencyRecord`): a retry finds the
    write or nothing, a concurrent retry waits on the unique key and then replays, and when `create` fails
    nothing is kept, so the key can be used again once the input is fixed.
    """
    if not key:
        return create(), True
    scope = user.organisation_id or f"u{user.pk}"
    key_hash = hashlib.sha256(f"{kind}|{scope}|{key}".encode()).hexdigest()
    fingerprint = hashlib.sha256(json.dumps([str(part) for part in body]).encode()).hexdigest()
    for _attempt in range(2):
        earlier = IdempotencyRecord.objects.filter(key_hash=key_hash).first()
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            found = load(earlier.object_pk)
            if found is not None:
                return found, False
        try:
            with transaction.atomic():
                created = create()
                IdempotencyRecord.objects.create(key_hash=key_hash, kind=kind, fingerprint=fingerprint,
                                                 object_pk=created.pk)
            return created, True
        except IntegrityError:
            if not IdempotencyRecord.objects.filter(key_hash=key_hash).exists():
                raise  # not the key: a real integrity problem of the write itself
            # a concurrent submission with the same key committed first: replay it on the next turn
    raise common_errors.Conflict(_("A request with this Idempotency-Key is still being processed; retry in a moment."),
                            retryable=True)


def _form_or_422(form):
    """Validate with the pages' form so the API gives the same translated messages per field."""
    if not form.is_valid():
        raise ValidationError({field: [str(message) for message in messages]
                               for field, messages in form.errors.items()})
    return form.cleaned_data


IDEMPOTENCY_HEADER = Header(
    None, alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="Any unique text (a UUID): a retry with the same key and body never records twice.")
