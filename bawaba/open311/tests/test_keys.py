"""Open311 api_keys: issued by a platform admin (shown once, only the hash stored), from the admin or the CLI."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command

from bawaba.open311.models import App
from bawaba.open311.services import find_app

pytestmark = pytest.mark.django_db


def test_an_admin_issues_a_key_shown_once(client, platform_admin):
    client.force_login(platform_admin)
    response = client.post("/admin/open311/app/add/", {"name": "FixMyCity", "contact_email": "dev@fix.test"})
    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("o311_") and key in response.content.decode()
    app = App.objects.get()
    assert app.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(app.__dict__)
    assert find_app(key) == app
    page = client.get(f"/admin/open311/app/{app.pk}/change/").content.decode()
    assert key not in page


def test_the_command_line_issues_lists_and_revokes(orgs):
    out = io.StringIO()
    call_command("open311", "key", "issue", "--name", "FixMyCity", stdout=out)
    key = out.getvalue().strip()
    app = find_app(key)
    assert app is not None
    call_command("open311", "key", "revoke", app.prefix, stderr=io.StringIO())
    assert find_app(key) is None
    listing = io.StringIO()
    call_command("open311", "key", "list", stdout=listing)
    assert "revoked" in listing.getvalue()


def test_an_organisation_admin_cannot_issue_keys(client, at_admin):
    client.force_login(at_admin)
    assert client.post("/admin/open311/app/add/", {"name": "X"}).status_code == 403
    assert not App.objects.exists()
