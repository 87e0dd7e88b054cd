"""The standard interfaces under generated input (tmf-open311).

TMF621: schemathesis drives the published TMF621 v4 document (served unmodified at
/tmf-api/troubleTicket/v4/swagger.json) through the WSGI application with a real token: every answer must be
one the document lists, with its schema, and none a server error. The listener operations are the client's,
not ours: excluded. Open311 has no OpenAPI document: hostile values (NUL characters, huge numbers, wrong
types) go to every parameter of every GeoReport method, and each answer must be an Open311 error list.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bawaba.api.services import do_create_token

from . import test_openapi_documents as documents

FUZZ_SETTINGS = documents.FUZZ_SETTINGS
# The shared fixtures (PostgreSQL's connection kept across generated requests; no token throttling).
keep_test_connection = documents.keep_test_connection
no_throttling = documents.no_throttling

pytestmark = pytest.mark.fuzz

TMF621_DOCUMENT = "/tmf-api/troubleTicket/v4/swagger.json"

tmf621_schema = schemathesis.openapi.from_wsgi(TMF621_DOCUMENT, WSGIHandler())
tmf621_schema.config.generation.update(with_security_parameters=False)


@pytest.fixture
def tmf621_token(no_throttling, orgs, settings):
    from bawaba.tmf621.services import do_create_ticket

    token, secret = do_create_token(orgs["algerie-telecom"], "Fuzzing")
    do_create_ticket({"description": "Ligne coupée", "severity": "Major", "ticketType": "faults"},
                     actor=token.user, organisation=token.organisation)
    return secret


@tmf621_schema.exclude(path_regex="^/listener/").parametrize()
@FUZZ_SETTINGS
def test_the_tmf621_api_answers_generated_requests_as_documented(case, tmf621_token, keep_test_connection):
    case.call_and_validate(headers={"Authorization": f"Bearer {tmf621_token}"},
                           excluded_checks=[positive_data_acceptance])


HOSTILE = ["a\x00b", str(2**64), "-1e999", "[]", "{}", "🙂" * 300, "' OR 1=1 --", "../../etc/passwd"]
OPEN311 = [
    ("get", "/open311/v2/services.{fmt}", ["jurisdiction_id"]),
    ("get", "/open311/v2/services/{value}.{fmt}", ["jurisdiction_id"]),
    ("get", "/open311/v2/requests.{fmt}", ["jurisdiction_id", "service_request_id", "service_code", "start_date",
                                           "end_date", "status"]),
    ("get", "/open311/v2/requests/{value}.{fmt}", ["jurisdiction_id"]),
    ("get", "/open311/v2/tokens/{value}.{fmt}", []),
    ("post", "/open311/v2/requests.{fmt}", ["api_key", "jurisdiction_id", "service_code", "lat", "long",
                                            "address_string", "address_id", "email", "device_id", "account_id",
                                            "first_name", "last_name", "phone", "description", "media_url"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("method, path, names", OPEN311, ids=[f"{m} {p}" for m, p, _n in OPEN311])
def test_open311_answers_hostile_values_with_its_error_list(method, path, names, orgs, settings):
    from bawaba.open311.services import do_issue_key

    settings.PUBLIC_FORM_RATE = "100000/m"
    _app, key = do_issue_key("Fuzzing")
    client = Client()
    valid = {"api_key": key, "service_code": "algerie-telecom/faults", "lat": "36.7", "long": "3.0"}
    for fmt in ("json", "xml"):
        for value in HOSTILE:
            url = path.format(fmt=fmt, value=value.replace("\x00", "%00").replace("/", "%2F"))
            targets = names or [None]
            for name in targets:
                params = {**(valid if method == "post" else {}), **({name: value} if name else {})}
                response = getattr(client, method)(url, params)
                assert response.status_code < 500, (url, name, value)
                if response.status_code >= 400:
                    if fmt == "json":
                        [error] = json.loads(response.content)
                        assert set(error) == {"code", "description"}
                    else:
                        assert b"<errors>" in response.content
