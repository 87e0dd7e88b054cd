"""Tokens in the admin: an organisation admin issues one, sees the secret once, and revokes it."""

import pytest

from bawaba.api.models import ApiToken
from bawaba.api.services import do_create_token, hash_token

from .conftest import ApiClient


@pytest.fixture
def admin_client_at(client, at_admin):
    at_admin.is_staff = True
    at_admin.save()
    client.force_login(at_admin)
    return client


def test_org_admin_creates_a_token_and_sees_the_secret_once(admin_client_at, orgs, at_admin):
    response = admin_client_at.post("/admin/api/apitoken/add/", {
        "organisation": orgs["algerie-telecom"].pk, "name": "CRM sync", "read_only": "on",
    })
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert token.secret_hash == hash_token(secret)
    assert token.organisation == orgs["algerie-telecom"]
    assert token.created_by == at_admin
    assert token.scopes == ["read"]
    page = admin_client_at.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert secret.encode() not in page.content
    assert ApiClient(secret).get("/api/v1/requests").status_code == 200


def test_org_admin_cannot_issue_tokens_for_another_organisation(admin_client_at, orgs):
    response = admin_client_at.post("/admin/api/apitoken/add/", {"organisation": orgs["mobilis"].pk, "name": "X"})
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


def test_org_admin_sees_only_their_tokens_and_revokes_them(admin_client_at, orgs):
    own, secret = do_create_token(orgs["algerie-telecom"], "CRM")
    other, _secret = do_create_token(orgs["mobilis"], "Mobilis CRM")
    listing = admin_client_at.get("/admin/api/apitoken/")
    assert b"Mobilis CRM" not in listing.content and b"CRM" in listing.content
    response = admin_client_at.post("/admin/api/apitoken/", {
        "action": "revoke", "_selected_action": [own.pk, other.pk]}, follow=True)
    assert response.status_code == 200
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None
    assert other.revoked_at is None
    assert ApiClient(secret).get("/api/v1/requests").status_code == 401


def test_agents_cannot_manage_tokens(client, at_agent):
    at_agent.is_staff = True
    at_agent.save()
    client.force_login(at_agent)
    assert client.get("/admin/api/apitoken/").status_code == 403
