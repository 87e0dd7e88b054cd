"""Writes of the API app: issuing and revoking tokens, and creating requests idempotently."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.accounts.backends import forget_user
from bawaba.accounts.models import Role, User, legacy_role_grants
from bawaba.accounts.services import do_set_roles
from bawaba.core import refdata
from bawaba.orgs.models import Organisation
from bawaba.servicedesk.models import Request
from bawaba.servicedesk.services import do_create_request

from .models import ApiToken, IdempotencyKey, Scope

log = logging.getLogger(__name__)

PUBLIC_MARK = "bwb"  # tokens read bwb_<prefix>_<secret>: recognisable by secret scanners
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes, no "_" (the separator)
PREFIX_LENGTH = 8
IDEMPOTENCY_RETENTION = dt.timedelta(days=30)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def split_token(raw: str) -> str | None:
    """The prefix of `bwb_<prefix>_<secret>`, or None when the text cannot be one of our tokens."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PUBLIC_MARK or len(parts[1]) != PREFIX_LENGTH or len(parts[2]) < 32:
        return None
    return parts[1]


def find_token(raw: str) -> ApiToken | None:
    """The token whose hash matches `raw` (revoked and expired ones included: the caller decides)."""
    prefix = split_token(raw)
    if prefix is None:
        return None
    # Kept in memory between calls (bawaba.core.refdata): saving or deleting a token, its organisation or
    # any other reference row makes every process read it again, so a revocation applies at once.
    token = refdata.reference(
        f"api-token:{prefix}",
        lambda: ApiToken.objects.select_related("organisation").filter(prefix=prefix).first(),
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_token(raw.strip())):
        return None
    return token


@transaction.atomic
def do_create_token(
    organisation: Organisation,
    name: str,
    *,
    read_only: bool = False,
    created_by: User | None = None,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token and its integration user. Returns (token, secret): the secret is never stored,
    so this is the only moment anyone can copy it."""
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("This field cannot be empty.")})
    if len(name) > 100:
        raise ValidationError({"name": _("At most 100 characters.")})
    if not organisation.is_active:
        raise ValidationError({"organisation": _("This organisation is not active.")})
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    for _attempt in range(5):
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _i in range(PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    else:  # pragma: no cover - 32^8 prefixes
        raise RuntimeError("could not draw a unique token prefix")
    raw = f"{PUBLIC_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    # The integration user: the actor of every change the token makes. A supervisor so that it can
    # assign requests to agents like a dispatcher; a read-only token's user is a plain agent.
    user = User(
        username=f"api.{prefix}@{organisation.slug}"[:150],
        first_name=name[:150],
        last_name="(API)",
        organisation=organisation,
        is_active=True,
        is_staff=False,
    )
    user.set_unusable_password()
    user.save()
    # The roles of a plain member (read-only) or a supervisor of this kind of organisation: a contractor's
    # token reports work, an operator's assigns requests.
    do_set_roles(user, legacy_role_grants(Role.AGENT if read_only else Role.SUPERVISOR, organisation.kind))
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        secret_hash=hash_token(raw),
        scopes=[Scope.READ] if read_only else [Scope.READ, Scope.WRITE],
        user=user,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
    )
    log.info("API token %s created for %s by %s", prefix, organisation.slug, created_by or "command line")
    return token, raw


@transaction.atomic
def do_revoke_token(token: ApiToken, *, actor: User | None = None, now: dt.datetime | None = None) -> ApiToken:
    """Stop accepting the token at once. The token row and its integration user stay, so the history
    of the requests it changed keeps naming it."""
    now = now or timezone.now()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = now
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        User.objects.filter(pk=token.user_id).update(is_active=False)
        forget_user(token.user_id)
        log.info("API token %s revoked by %s", token.prefix, actor or "command line")
    return token


def touch_token(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record use, at most once a minute per token (no write on every request)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def body_hash(data: dict) -> str:
    """A fingerprint of a validated body: the same fields and values give the same hash whatever
    the key order or white space of the JSON that carried them."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class IdempotencyKeyReused(Exception):
    """The key was already used for a different body (API: 422 on the Idempotency-Key header)."""


def replayed_request(organisation: Organisation, key: str, fingerprint: str) -> Request | None:
    """The request an earlier submission with this key created, or None; IdempotencyKeyReused when the
    key came with another body."""
    claim = IdempotencyKey.objects.select_related("request").filter(organisation=organisation, key=key).first()
    if claim is None or claim.request is None:
        return None
    if claim.body_hash != fingerprint:
        raise IdempotencyKeyReused(key)
    return claim.request


def do_create_request_idempotent(
    organisation: Organisation,
    *,
    key: str | None,
    fingerprint: str,
    now: dt.datetime | None = None,
    **fields,
) -> tuple[Request, bool]:
    """Create a request for an integration of `organisation`. Returns (request, created).

    Without a key this is do_create_request. With a key, the key is claimed first, in the same
    transaction as the request: a concurrent retry waits on the unique index (PostgreSQL) or the write
    lock (SQLite), then fails to claim it and returns the request the first one created. When the
    creation fails (ValidationError) nothing is kept and the key can be used again.
    """
    now = now or timezone.now()
    if not key:
        return do_create_request(now=now, **fields), True
    existing = replayed_request(organisation, key, fingerprint)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(
                organisation=organisation, key=key, body_hash=fingerprint, created_at=now
            )
            request = do_create_request(now=now, **fields)
            claim.request = request
            claim.save(update_fields=["request"])
    except IntegrityError:
        existing = replayed_request(organisation, key, fingerprint)
        if existing is None:
            raise
        return existing, False
    return request, True


def purge_idempotency_keys(older_than: dt.timedelta = IDEMPOTENCY_RETENTION, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=now - older_than).delete()
    return deleted
