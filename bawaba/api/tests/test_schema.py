"""The OpenAPI schema: committed snapshot, declared error replies, and real responses that conform
(schemathesis drives the WSGI application with generated valid and invalid input)."""

import json
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

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


# Loaded from the snapshot (equal to the served schema, see above) so that the cases can be listed when
# the tests are collected; requests go to the WSGI application in-process.
generated = schemathesis.openapi.from_path(str(SNAPSHOT))
generated.app = WSGIHandler()
# The token is sent by the test (its absence is tested in test_auth.py); OpenAPI allows parameters the
# schema does not name (the list endpoints refuse them: test_list_requests.py).
generated.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)


@pytest.fixture
def seeded(make_request):
    return make_request()  # something to list and read


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: requests must not close the connection that holds the test's
    transaction (PostgreSQL would otherwise lose it after the first generated request)."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@generated.parametrize()
@settings(max_examples=30, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_generated_requests_get_conforming_answers_and_never_a_server_error(case, at_token, seeded,
                                                                          keep_test_connection):
    # All checks but "schema-valid data is accepted": a well-formed phone number, commune id, service code
    # or username that does not exist is rightly refused with 422, which the schema cannot express.
    case.call_and_validate(headers={"Authorization": f"Bearer {at_token[1]}"},
                           excluded_checks=[positive_data_acceptance])
