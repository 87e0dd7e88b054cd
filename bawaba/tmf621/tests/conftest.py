"""Fixtures of the TMF621 tests: Algérie Télécom's integration token, a client, and the published schema."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest
from django.test import Client

from bawaba.api.services import do_create_token
from bawaba.tmf621.schema import spec

BASE = "/tmf-api/troubleTicket/v4"


class TmfClient:
    def __init__(self, token: str | None = None):
        self.client = Client()
        self.headers = {"Accept-Language": "en"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, params=None):
        return self.client.get(BASE + path, params or {}, headers=self.headers)

    def post(self, path, body, *, raw=None, content_type="application/json"):
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(BASE + path, data, content_type=content_type, headers=self.headers)

    def patch(self, path, body, *, content_type="application/merge-patch+json"):
        return self.client.patch(BASE + path, json.dumps(body), content_type=content_type, headers=self.headers)

    def delete(self, path):
        return self.client.delete(BASE + path, headers=self.headers)


def conforms(response, path: str, method: str):
    """The answer is one the published document lists for this operation, and its body matches that schema."""
    operation = spec()["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path}: {status} is not a documented answer"
    schema = operation["responses"][status].get("schema")
    if schema is None:
        assert not response.content
        return None
    body = json.loads(response.content)
    validator = jsonschema_rs.Draft4Validator({**schema, "definitions": spec()["definitions"]}, validate_formats=True)
    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors
    return body


def valid(definition: str, instance) -> list[str]:
    validator = jsonschema_rs.Draft4Validator({"$ref": f"#/definitions/{definition}",
                                               "definitions": spec()["definitions"]}, validate_formats=True)
    return [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(instance)]


@pytest.fixture
def at_token(orgs):
    return do_create_token(orgs["algerie-telecom"], "BSS trouble tickets")


@pytest.fixture
def tmf(at_token):
    return TmfClient(at_token[1])


@pytest.fixture
def poste_tmf(orgs):
    return TmfClient(do_create_token(orgs["algerie-poste"], "Poste OSS")[1])


MINIMAL = {"description": "Plus de tonalité sur la ligne fixe depuis ce matin.", "severity": "Major",
           "ticketType": "faults"}


@pytest.fixture
def ticket(tmf):
    """A ticket created through the API, with a customer who has a phone number."""
    response = tmf.post("/troubleTicket", {
        **MINIMAL, "name": "Ligne coupée", "externalId": "BSS-1001",
        "relatedParty": [{"id": "0550123456", "name": "Samia Kaci", "role": "customer",
                          "@referredType": "Individual"},
                         {"id": "crm-42", "role": "reporter", "@referredType": "PartyRole"}],
        "relatedEntity": [{"id": "LINE-021-55", "role": "affectedLine", "@referredType": "Resource"}],
        "note": [{"text": "Ouvert par le BSS."}],
    })
    assert response.status_code == 201, response.content
    return json.loads(response.content)
