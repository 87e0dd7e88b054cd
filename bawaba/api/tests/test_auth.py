"""Bearer tokens: who gets in, who is refused and how (401 / 403), and in which language."""

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext

from bawaba.api.models import ApiToken
from bawaba.api.services import do_create_token, do_revoke_token, hash_token

from .conftest import NEW_REQUEST, ApiClient


def test_request_without_token_is_refused_with_401_and_a_bearer_challenge(anonymous):
    response = anonymous.get("/api/v1/requests")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert "Authorization: Bearer" in body["detail"]
    assert body["errors"] == {}


def test_other_authorization_scheme_is_refused(at_token):
    client = ApiClient()
    client.headers["Authorization"] = "Basic dXNlcjpwYXNz"
    assert client.get("/api/v1/requests").status_code == 401


def test_unknown_token_is_refused(orgs):
    response = ApiClient("bwb_abcdefgh_" + "x" * 43).get("/api/v1/requests")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token is not valid."


def test_token_with_a_wrong_secret_is_refused(at_token):
    token, secret = at_token
    forged = f"bwb_{token.prefix}_" + "A" * 43
    assert forged != secret
    assert ApiClient(forged).get("/api/v1/requests").status_code == 401


def test_revoked_token_is_refused(at_token):
    token, secret = at_token
    assert ApiClient(secret).get("/api/v1/requests").status_code == 200
    do_revoke_token(token)
    response = ApiClient(secret).get("/api/v1/requests")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token has been revoked."
    token.user.refresh_from_db()
    assert token.user.is_active is False


def test_expired_token_is_refused(orgs):
    _token, secret = do_create_token(orgs["mobilis"], "Old", expires_at=timezone.now() + dt.timedelta(seconds=1))
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = ApiClient(secret).get("/api/v1/requests")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token has expired."


def test_read_only_token_reads_but_cannot_write(read_only_api):
    assert read_only_api.get("/api/v1/requests").status_code == 200
    response = read_only_api.post("/api/v1/requests", NEW_REQUEST)
    assert response.status_code == 403
    assert response.json()["detail"] == "This API token is read-only."


def test_token_of_a_suspended_organisation_is_refused(at_token, orgs):
    orgs["algerie-telecom"].is_active = False
    orgs["algerie-telecom"].save()
    response = ApiClient(at_token[1]).get("/api/v1/requests")
    assert response.status_code == 403


def test_only_the_hash_of_the_secret_is_stored(at_token):
    token, secret = at_token
    token.refresh_from_db()
    assert secret.startswith(f"bwb_{token.prefix}_")
    assert token.secret_hash == hash_token(secret)
    stored = " ".join(str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert secret not in stored
    assert secret.split("_", 2)[2] not in stored


def test_use_of_a_token_is_recorded(at_token):
    token, secret = at_token
    assert token.last_used_at is None
    ApiClient(secret).get("/api/v1/requests")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_acts_as_its_own_integration_user(at_token, orgs):
    token, _secret = at_token
    user = token.user
    assert user.organisation == orgs["algerie-telecom"]
    assert user.username == f"api.{token.prefix}@algerie-telecom"
    assert not user.has_usable_password()
    assert user.is_active and not user.is_staff and not user.is_platform_admin


def test_errors_follow_accept_language(at_token):
    messages = {}
    for language in ("fr", "ar", "en"):
        response = ApiClient(at_token[1], language=language).post("/api/v1/requests", {"text": "x"})
        assert response.status_code == 422
        assert response["Content-Language"] == language
        with translation.override(language):
            assert response.json()["errors"]["subject"] == [gettext("This field is required.")]
        messages[language] = response.json()["errors"]["subject"][0]
    # Django's own catalogues translate these messages, so this holds before the project's are complete.
    assert len(set(messages.values())) == 3


def test_token_whose_account_was_deactivated_is_refused_at_once(at_token):
    token, secret = at_token
    assert ApiClient(secret).get("/api/v1/requests").status_code == 200
    user = token.user
    user.is_active = False
    user.save()  # e.g. in the admin
    assert ApiClient(secret).get("/api/v1/requests").status_code == 401
