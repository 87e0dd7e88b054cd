"""Fixtures shared by every app's tests: the demo organisations and staff with each role."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest

DEMO_ORGS = Path(__file__).parent / "bawaba" / "demo" / "organisations.json"


def pytest_configure(config):
    """BAWABA_TEST_CLOCK (see tests/clock.py) moves the whole session to a chosen moment, before collection."""
    import time_machine

    from tests.clock import ENVIRONMENT_VARIABLE, ClockError, clock_moment

    try:
        moment = clock_moment(os.environ.get(ENVIRONMENT_VARIABLE, ""), dt.datetime.now(dt.UTC))
    except ClockError as error:
        raise pytest.UsageError(str(error)) from None
    if moment is not None:
        config._bawaba_clock = time_machine.travel(moment, tick=True)
        config._bawaba_clock.start()
        config._bawaba_clock_moment = moment
    _fast_password_hashing()
    from tests import fast_db

    fast_db.install()  # cheaper flush and restore after transactional tests (tests/fast_db.py)
    fast_db.no_commit_flush()
    fast_db.install_templates()  # scripts/test: SQLite migrated once per run, copied into each worker


def _fast_password_hashing():
    """Tests hash passwords with MD5: PBKDF2's million rounds cost 0.55 s of CPU (measured on the 2-core test
    machine) per staff account created and per sign-in, and most tests create several. What is tested (a
    password is checked, a wrong one refused) does not depend on the hasher; PBKDF2 stays second in the list
    so a stored PBKDF2 hash still verifies. Production keeps Django's default (config/settings.py sets nothing)."""
    from django.conf import settings
    from django.test.utils import override_settings

    if settings.configured:
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher",
                                            "django.contrib.auth.hashers.PBKDF2PasswordHasher"]).enable()


def pytest_unconfigure(config):
    if getattr(config, "_bawaba_clock", None) is not None:
        config._bawaba_clock.stop()


def pytest_report_header(config):
    moment = getattr(config, "_bawaba_clock_moment", None)
    return f"test clock: {moment.isoformat()} ({os.environ.get('BAWABA_TEST_CLOCK')})" if moment else None


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        return bool(marker.kwargs.get("transaction"))
    return bool({"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ())))


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def _uses_the_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    """Every transactional test (marked, or using the live server) runs with serialized rollback: its flush
    then leaves the content types alone instead of re-creating them under new ids, which a later restore
    would collide with (IntegrityError on django_content_type).

    BAWABA_TEST_DATABASE_ONLY (scripts/test's PostgreSQL stage): only the tests that use the database run; a
    test without one (pytest-django refuses it any query) gives the same result on every database, and has
    already run in the SQLite stage."""
    if os.environ.get("BAWABA_TEST_DATABASE_ONLY"):
        without = [item for item in items if not _uses_the_database(item)]
        if without:
            config.hook.pytest_deselected(items=without)
            items[:] = [item for item in items if _uses_the_database(item)]
    for item in items:
        if item.get_closest_marker("browser") and not item.nodeid.startswith("tests/e2e/"):
            raise pytest.UsageError(f"{item.nodeid}: browser tests belong in tests/e2e (scripts/test runs only "
                                    "that folder in its browser stage)")
        if not _is_transactional(item):
            continue
        marker = item.get_closest_marker("django_db")
        if marker is None:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        elif "serialized_rollback" not in marker.kwargs:
            item.add_marker(pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True),
                            append=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has flushed the database, put the migrations' data (geography, content
    types) back at once. Serialized rollback alone restores it at the start of the next *transactional* test;
    pytest-xdist's group scheduling may run a plain test next, which would find no wilaya and a content-type
    cache pointing at rows that are gone. With this, the order of tests is irrelevant. After the session's
    last test there is nothing to restore: its teardown has already dropped the test database. When the next
    test is transactional too, its own set-up restores the same data (serialized rollback, added to every
    transactional test above): restoring here as well would load the geography twice."""
    yield
    if _is_transactional(item) and nextitem is not None and not _restores_at_setup(nextitem):
        _restore_migration_data(item)


def _restores_at_setup(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return _is_transactional(item) and marker is not None and bool(marker.kwargs.get("serialized_rollback"))


def _restore_migration_data(item) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections, transaction
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                with transaction.atomic(using=connection.alias):
                    connection.creation.deserialize_db_from_string(contents)
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """Every test starts as in a fresh thread, with no language activated: a request through the test client
    activates its language in the thread and leaves it there, so an earlier test's Arabic page made a later
    test's refusal say "دج" where it expected "DA"."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a test database reuses primary keys that an earlier test's
    rolled-back rows had, so a rendering cached under them (the desk's live list) must not outlive its test."""
    from django.core.cache import cache

    from bawaba.core.rendering import forget_local_copies

    cache.clear()
    forget_local_copies()


@pytest.fixture
def still_clock():
    """The clock stands still for the test, at the moment it starts (BAWABA_TEST_CLOCK's moment included): a
    test of a limit counted per window (django-ratelimit's fixed minute, a calendar day) otherwise fails when a
    window happens to end between its requests, which depends on the second the test runs."""
    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def orgs(db):
    """The shared centre and the three demo operators, with services, queues, hours, holidays and SLA."""
    from bawaba.orgs.services import do_onboard_organisation

    result = {}
    for spec in json.loads(DEMO_ORGS.read_text(encoding="utf-8")):
        result[spec["slug"]] = do_onboard_organisation(spec)
    return result


def _staff(org, username, role, **extra):
    from bawaba.orgs.services import do_add_staff

    return do_add_staff(org, {"username": username, "role": role, "password": "correct horse 42",
                              "email": f"{username}@example.test", **extra})


@pytest.fixture
def at_agent(orgs):
    return _staff(orgs["algerie-telecom"], "at.agent", "agent", first_name="Amina", last_name="Bensalah")


@pytest.fixture
def at_supervisor(orgs):
    return _staff(orgs["algerie-telecom"], "at.supervisor", "supervisor", first_name="Karim", last_name="Haddad")


@pytest.fixture
def at_admin(orgs):
    return _staff(orgs["algerie-telecom"], "at.admin", "org_admin")


@pytest.fixture
def poste_agent(orgs):
    return _staff(orgs["algerie-poste"], "poste.agent", "agent", first_name="Yacine", last_name="Mebarki")


@pytest.fixture
def mobilis_agent(orgs):
    return _staff(orgs["mobilis"], "mobilis.agent", "agent")


@pytest.fixture
def platform_admin(orgs):
    user = _staff(orgs["centre"], "platform.admin", "platform_admin")
    return user


@pytest.fixture
def make_request(orgs):
    """Create a request through the real service (routing skipped when a service code is given)."""
    from bawaba.orgs.models import Service
    from bawaba.servicedesk.services import do_create_request

    def make(service_code="algerie-telecom/faults", **fields):
        values = {
            "channel": "web",
            "citizen_phone": "0550 12 34 56",
            "subject": "Internet coupé",
            "text": "Ma connexion ADSL est coupée depuis hier soir.",
        }
        values.update(fields)
        service = Service.objects.get(code=service_code) if service_code else None
        return do_create_request(service=service, **values)

    return make


class SmtpInbox:
    """What the loopback SMTP server received: (recipients, parsed message) pairs."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback; Django sends to it with its SMTP backend."""
    import socket

    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    with socket.socket() as probe:  # aiosmtpd's readiness check needs a concrete port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()
