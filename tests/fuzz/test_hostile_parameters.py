"""Input that broke the APIs with a 500 (a NUL character in a path or query parameter, integers past 2**63),
sent systematically to every parameter of every operation of every OpenAPI document the platform serves: each
answer is a 4xx that the operation documents."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from bawaba.api.services import do_create_token

from .test_openapi_documents import DOCUMENTS

HOSTILE = {"string": ["a\x00b", "\x00"], "integer": [2**63, 2**64, -(2**63) - 1, 2**63 - 1]}
PLAIN = {"string": "x", "integer": "1"}


def operations():
    client = Client()
    for name, url in DOCUMENTS.items():
        schema = client.get(url).json()
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                yield pytest.param(schema, path, method, operation, id=f"{name}: {method.upper()} {path}")


def kind(parameter) -> str:
    schema = parameter.get("schema", {})
    types = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf", [])}
    return "integer" if "integer" in types else "string"


def requests_for(path, operation):
    """(method-less) (url, query) pairs: one hostile value in one parameter, plain values elsewhere."""
    parameters = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
    for target in parameters:
        for value in HOSTILE[kind(target)]:
            url, query = path, {}
            for parameter in parameters:
                given = value if parameter is target else PLAIN[kind(parameter)]
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", str(given).replace("\x00", "%00"))
                elif parameter is target or parameter.get("required"):
                    query[parameter["name"]] = str(given)
            yield target["name"], value, url, query


@pytest.fixture
def token(orgs, settings):
    settings.API_TOKEN_FAILURE_RATE = None
    return do_create_token(orgs["algerie-telecom"], "Hostile input")[1]


@pytest.mark.django_db
@pytest.mark.parametrize(("schema", "path", "method", "operation"), list(operations()))
def test_nul_characters_and_huge_integers_get_a_documented_4xx(client, token, schema, path, method, operation):
    if not any(p["in"] in ("path", "query") for p in operation.get("parameters", [])):
        pytest.skip("no path or query parameter")
    documented = set(operation["responses"])
    sent = 0
    for name, value, url, query in requests_for(path, operation):
        assert not re.search(r"\{\w+\}", url)
        response = client.generic(method.upper(), url + ("?" + "&".join(
            f"{key}={str(val).replace(chr(0), '%00')}" for key, val in query.items()) if query else ""),
            json.dumps({}), content_type="application/json", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (name, value, response.content[:300])
        assert str(response.status_code) in documented, (name, value, response.status_code, documented)
        sent += 1
    assert sent
