"""Fixtures of the API tests: tokens of Algérie Télécom and a client that sends them."""

import json

import pytest
from django.test import Client

from bawaba.api.services import do_create_token


class ApiClient:
    """A Django test client that sends a bearer token and JSON bodies, and reads JSON answers."""

    def __init__(self, token: str | None = None, language: str = "en"):
        self.client = Client()
        self.headers = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, params=None, **headers):
        return self.client.get(path, params or {}, headers={**self.headers, **headers})

    def post(self, path, body=None, *, raw=None, **headers):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", headers={**self.headers, **headers})


@pytest.fixture(autouse=True)
def _api_urls(settings):
    settings.ROOT_URLCONF = "bawaba.api.tests.urls"


@pytest.fixture
def at_token(orgs):
    """A read-write token of Algérie Télécom: (ApiToken, secret)."""
    return do_create_token(orgs["algerie-telecom"], "CRM sync")


@pytest.fixture
def api(at_token):
    return ApiClient(at_token[1])


@pytest.fixture
def read_only_api(orgs):
    _token, secret = do_create_token(orgs["algerie-telecom"], "Dashboard", read_only=True)
    return ApiClient(secret)


@pytest.fixture
def poste_api(orgs):
    _token, secret = do_create_token(orgs["algerie-poste"], "Poste CRM")
    return ApiClient(secret)


@pytest.fixture
def anonymous():
    return ApiClient()


NEW_REQUEST = {
    "citizen_phone": "0550 12 34 56",
    "citizen_name": "Samir Benali",
    "subject": "Ligne fixe en dérangement",
    "text": "Pas de tonalité sur ma ligne fixe depuis ce matin.",
    "service": "algerie-telecom/faults",
    "region_code": "16",
}
