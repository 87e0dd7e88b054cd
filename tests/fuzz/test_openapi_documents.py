"""Every OpenAPI document the platform serves, fuzzed by schemathesis through the WSGI application.

For each operation a bounded, derandomized set of generated requests (valid and invalid: NUL characters,
huge integers, wrong types, unknown references...) is sent with a real bearer token, over seeded data; every
answer must be documented by the schema (status code, content type, body) and none may be a server error.

Select these tests with `-m fuzz` (they run in CI with the other non-browser tests).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bawaba.api.services import do_create_token
from bawaba.deployments.tests.factories import fibre_world, good_report

pytestmark = pytest.mark.fuzz

DOCUMENTS = {"service desk": "/api/v1/openapi.json", "fibre": "/fibre/api/v1/openapi.json",
             "postal": "/post/api/v1/openapi.json",
             "hybrid mail": "/mail/api/v1/openapi.json"}
EXAMPLES = 20  # per operation: the whole run stays within a couple of minutes on two cores


def served_documents(resolver=None, prefix="") -> set[str]:
    """Addresses of the OpenAPI documents in the URL configuration (django-ninja names them `openapi-json`)."""
    found = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            found |= served_documents(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name == "openapi-json":
            found.add("/" + prefix + str(entry.pattern))
    return found


def test_the_fuzzed_documents_are_every_document_the_platform_serves():
    assert served_documents() == set(DOCUMENTS.values())


def load(path):
    schema = schemathesis.openapi.from_wsgi(path, WSGIHandler())
    # The token is sent by the test (requests without it are checked by the schema's "ignored auth" check).
    schema.config.generation.update(with_security_parameters=False)
    return schema


desk_schema = load(DOCUMENTS["service desk"])
fibre_schema = load(DOCUMENTS["fibre"])
postal_schema = load(DOCUMENTS["postal"])

FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.filter_too_much, HealthCheck.data_too_large])


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: requests must not close the connection that holds the test's transaction
    (PostgreSQL would otherwise lose it after the first generated request)."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def no_throttling(settings):
    settings.API_TOKEN_FAILURE_RATE = None  # schemathesis sends many refused tokens on purpose
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # staff made for each test


@pytest.fixture
def desk_token(no_throttling, orgs, make_request):
    """Algérie Télécom's token (a supervisor: the desk's dispatcher), with a request to list and read."""
    make_request()
    return do_create_token(orgs["algerie-telecom"], "Fuzzing")[1]


@pytest.fixture
def fibre_token(no_throttling, orgs, at_supervisor, at_admin, at_agent):
    """Algérie Télécom's token (a supervisor: inspector of the fibre programme), with a fibre world (work
    orders, a field report, contracts) to list and act on."""
    from bawaba.deployments.field import services as field_services

    world = fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01"))
    return do_create_token(orgs["algerie-telecom"], "Fuzzing")[1]


def check(case, token):
    # All checks but "schema-valid data is accepted": a well-formed reference, phone number or code that does
    # not exist is rightly refused (404, 422), which a schema cannot express.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])


@desk_schema.parametrize()
@FUZZ_SETTINGS
def test_the_service_desk_api_answers_generated_requests_as_documented(case, desk_token, keep_test_connection):
    check(case, desk_token)


@fibre_schema.parametrize()
@FUZZ_SETTINGS
def test_the_fibre_api_answers_generated_requests_as_documented(case, fibre_token, keep_test_connection):
    check(case, fibre_token)


@pytest.fixture
def postal_token(no_throttling, orgs):
    """Algérie Poste's token, with an office, a product, a range and an item with events to read and add to."""
    from bawaba.postal.tests.fixtures import small_postal_world

    small_postal_world(orgs["algerie-poste"])
    return do_create_token(orgs["algerie-poste"], "Fuzzing")[1]


@postal_schema.parametrize()
@FUZZ_SETTINGS
def test_the_postal_api_answers_generated_requests_as_documented(case, postal_token, keep_test_connection):
    check(case, postal_token)


# --- hybrid mail, senders' API (mail-send) -------------------------------------------------------------------

mail_schema = load(DOCUMENTS["hybrid mail"])


@pytest.fixture
def mail_token(no_throttling, orgs):
    """A ministry with a hybrid-mail account at Algérie Poste, a priced product and one letter sent, to list,
    read and download the proof of."""
    from bawaba.hybridmail.tests.fixtures_send import mail_sender_world

    return mail_sender_world(orgs["algerie-poste"])


@mail_schema.parametrize()
@FUZZ_SETTINGS
def test_the_hybrid_mail_api_answers_generated_requests_as_documented(case, mail_token, keep_test_connection):
    check(case, mail_token)
