"""The OpenAPI schema: committed snapshot and declared error replies. Real responses to generated input are
checked against it by tests/fuzz (schemathesis)."""

import json
from pathlib import Path

from django.core.management import call_command

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def served_schema(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_served_schema_equals_the_committed_snapshot(client, settings):
    settings.ROOT_URLCONF = "bawaba.api.tests.urls"
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    # Refresh with: bawaba api schema > docs/openapi.json (and review the diff: clients depend on it).
    assert served_schema(client) == committed


def test_schema_command_prints_the_snapshot(capsys):
    call_command("api", "schema")
    assert capsys.readouterr().out == SNAPSHOT.read_text(encoding="utf-8")


def test_schema_is_the_same_in_every_language(client):
    english = served_schema(client)
    assert client.get("/api/v1/openapi.json", headers={"Accept-Language": "ar"}).json() == english


def test_every_operation_declares_its_errors_with_the_error_body(client):
    schema = served_schema(client)
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) == 9
    for path, method, operation in operations:
        declared = set(operation["responses"])
        expected = {"400", "401", "403", "404", "422"} | ({"409", "413"} if method == "post" else set())
        assert expected <= declared, (method, path)
        for code in expected:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut"
        assert operation["security"] == [{"ApiTokenAuth": []}]
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


def test_docs_page_works_offline_once_ninja_is_an_installed_app(client, settings):
    # django-ninja serves Swagger UI from its own static files only when "ninja" is in INSTALLED_APPS;
    # otherwise the page loads it from a CDN, which the centre's networks may not reach.
    if "ninja" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "ninja"]
    content = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in content
    assert "https://" not in content


def test_unknown_addresses_under_the_api_answer_in_json(client):
    for path in ("/api/v1/nothing", "/api/v1/requests/ABCD-EFGH/unknown", "/api/v1/requests/"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": {}}


# Generated requests (schemathesis) over this API and every other OpenAPI document the platform serves:
# tests/fuzz/test_openapi_documents.py.
