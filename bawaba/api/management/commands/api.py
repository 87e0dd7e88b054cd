"""`bawaba api token create|revoke|list`, `bawaba api schema`, `bawaba api purge-keys`."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from bawaba.api.models import ApiToken
from bawaba.api.services import (
    IDEMPOTENCY_RETENTION,
    do_create_token,
    do_revoke_token,
    purge_idempotency_keys,
    split_token,
)
from bawaba.orgs.models import Organisation

API_ROOT = "/api/v1/"  # config/urls.py mounts bawaba.api.urls at api/, which mounts the API at v1/


def openapi_schema() -> dict:
    """The schema as /api/v1/openapi.json serves it (tests check they are equal)."""
    from bawaba.api.api import api

    with translation.override("en"):
        return api.get_openapi_schema(path_prefix=API_ROOT)


def openapi_text() -> str:
    return json.dumps(openapi_schema(), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "API tokens of integrations, the OpenAPI schema and idempotency keys."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        token = actions.add_parser("token", help="Create, revoke or list API tokens.")
        token_actions = token.add_subparsers(dest="token_action", required=True, metavar="ACTION")
        create = token_actions.add_parser(
            "create", help="Issue a token; prints the secret once, alone on standard output.",
        )
        create.add_argument("--org", required=True, metavar="SLUG", help="Organisation slug.")
        create.add_argument("--name", required=True, help="What the integration is, e.g. 'CRM sync'.")
        create.add_argument("--read-only", action="store_true", help="Only GET requests.")
        create.add_argument("--expires-days", type=int, metavar="N", help="Stop accepting it after N days.")
        revoke = token_actions.add_parser("revoke", help="Stop accepting a token at once.")
        revoke.add_argument("prefix", help="The prefix shown by 'list' (or the whole token).")
        listing = token_actions.add_parser("list", help="Tokens with their prefix, scopes and last use.")
        listing.add_argument("--org", metavar="SLUG", help="Only this organisation's tokens.")
        listing.add_argument("--all", action="store_true", help="Include revoked tokens.")

        actions.add_parser("schema", help="Print the OpenAPI schema (bawaba api schema > docs/openapi.json).")

        purge = actions.add_parser("purge-keys", help="Delete old Idempotency-Key records.")
        purge.add_argument("--days", type=int, default=IDEMPOTENCY_RETENTION.days,
                           help=f"Keep the last N days (default {IDEMPOTENCY_RETENTION.days}).")

    def handle(self, *args, action, **options):
        if action == "schema":
            self.stdout.write(openapi_text(), ending="")
        elif action == "purge-keys":
            if options["days"] < 1:
                raise CommandError("--days must be at least 1.")
            deleted = purge_idempotency_keys(dt.timedelta(days=options["days"]))
            self.stdout.write(f"{deleted} idempotency key(s) deleted.")
        else:
            getattr(self, "token_" + options["token_action"])(**options)

    def token_create(self, *, org, name, read_only, expires_days, **_options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {org!r}.")
        expires_at = None
        if expires_days is not None:
            if expires_days < 1:
                raise CommandError("--expires-days must be at least 1.")
            expires_at = timezone.now() + dt.timedelta(days=expires_days)
        try:
            token, secret = do_create_token(organisation, name, read_only=read_only, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # The explanation goes to standard error, so that `TOKEN=$(bawaba api token create ...)` keeps
        # only the secret.
        self.stderr.write(
            f"Token {token.prefix} created for {organisation.slug} ({', '.join(token.scopes)}), acting as "
            f"{token.user.username}. Copy it now: it is not stored and will not be shown again."
        )
        self.stdout.write(secret)

    def token_revoke(self, *, prefix, **_options):
        prefix = split_token(prefix) or prefix.strip()
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with the prefix {prefix!r}.")
        already = token.revoked_at is not None
        token = do_revoke_token(token)
        if already:
            self.stdout.write(f"Token {token.prefix} was already revoked on {token.revoked_at:%Y-%m-%d %H:%M}.")
        else:
            self.stdout.write(f"Token {token.prefix} ({token.name}, {token.organisation.slug}) revoked.")

    def token_list(self, *, org, all, **_options):  # noqa: A002 - argparse destination
        tokens = ApiToken.objects.select_related("organisation").order_by("organisation__slug", "-created_at")
        if org:
            tokens = tokens.filter(organisation__slug=org)
        if not all:
            tokens = tokens.filter(revoked_at__isnull=True)
        rows = [("PREFIX", "ORGANISATION", "NAME", "SCOPES", "CREATED", "LAST USED", "STATE")]
        now = timezone.now()
        for token in tokens:
            state = "revoked" if token.revoked_at else ("expired" if not token.is_usable(now) else "active")
            rows.append((
                token.prefix, token.organisation.slug, token.name, ",".join(token.scopes),
                f"{token.created_at:%Y-%m-%d}", f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-",
                state,
            ))
        if len(rows) == 1:
            self.stdout.write("No tokens.")
            return
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())


