"""`bawaba api token create|list|revoke` and `bawaba api purge-keys`."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from bawaba.api.models import ApiToken, IdempotencyKey
from bawaba.api.services import hash_token

from .conftest import ApiClient


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("api", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_secret_alone_on_stdout_once(orgs):
    out, err = run("token", "create", "--org", "algerie-telecom", "--name", "CRM sync")
    secret = out.strip()
    token = ApiToken.objects.get()
    assert token.secret_hash == hash_token(secret)
    assert token.prefix in err and "will not be shown again" in err
    assert token.scopes == ["read", "write"]
    assert ApiClient(secret).get("/api/v1/requests").status_code == 200
    listing, _err = run("token", "list")
    assert token.prefix in listing and "CRM sync" in listing
    assert secret not in listing


def test_read_only_and_expiring_tokens(orgs):
    out, _err = run("token", "create", "--org", "mobilis", "--name", "Tableau de bord", "--read-only",
                    "--expires-days", "30")
    token = ApiToken.objects.get()
    assert token.scopes == ["read"]
    assert timezone.now() + dt.timedelta(days=29) < token.expires_at < timezone.now() + dt.timedelta(days=31)
    assert ApiClient(out.strip()).post("/api/v1/requests", {}).status_code == 403


def test_revoke_by_prefix(orgs):
    out, _err = run("token", "create", "--org", "algerie-poste", "--name", "Guichet")
    token = ApiToken.objects.get()
    revoked, _err = run("token", "revoke", token.prefix)
    assert "revoked" in revoked
    assert ApiClient(out.strip()).get("/api/v1/requests").status_code == 401
    assert run("token", "list")[0].strip() == "No tokens."
    assert "revoked" in run("token", "list", "--all")[0]
    assert "already revoked" in run("token", "revoke", out.strip())[0]


def test_errors_are_reported_plainly(orgs):
    with pytest.raises(CommandError, match="No organisation"):
        run("token", "create", "--org", "nowhere", "--name", "X")
    # A refusal of the service is in the active language.
    with translation.override("fr"), pytest.raises(CommandError, match="Ce champ ne peut pas être vide"):
        run("token", "create", "--org", "mobilis", "--name", "  ")
    with translation.override("en"), pytest.raises(CommandError, match="cannot be empty"):
        run("token", "create", "--org", "mobilis", "--name", "  ")
    with pytest.raises(CommandError, match="No token"):
        run("token", "revoke", "zzzzzzzz")


def test_purge_keys_keeps_recent_ones(api, orgs):
    from .conftest import NEW_REQUEST

    api.post("/api/v1/requests", NEW_REQUEST, **{"Idempotency-Key": "old"})
    api.post("/api/v1/requests", {**NEW_REQUEST, "subject": "Autre"}, **{"Idempotency-Key": "new"})
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(days=31))
    out, _err = run("purge-keys")
    assert out.strip() == "1 idempotency key(s) deleted."
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
