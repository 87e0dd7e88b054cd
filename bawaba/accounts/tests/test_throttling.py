"""Sign-in is throttled by django-axes: a username is locked out from one address after repeated wrong passwords."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from bawaba.orgs.services import do_add_staff

PASSWORD = "correct horse 42"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def agent(orgs):
    return do_add_staff(orgs["algerie-telecom"], {"username": "at.locked", "role": "agent", "password": PASSWORD,
                                                  "queues": ["faults"]})


def sign_in(client, username, password, address="198.51.100.7", language="en"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address,
                       HTTP_ACCEPT_LANGUAGE=language)


def fail(client, agent, times, address="198.51.100.7"):
    """Sign in `times` times with a wrong password: the form again each time, the limit's failure locks."""
    for attempt in range(1, times + 1):
        expected = 429 if attempt == 3 else 200
        assert sign_in(client, agent.username, "wrong password", address).status_code == expected


def test_a_few_wrong_passwords_still_let_the_right_one_in(client, agent):
    fail(client, agent, 2)
    assert sign_in(client, agent.username, PASSWORD).status_code == 302


def test_too_many_wrong_passwords_lock_the_account_from_that_address(client, agent):
    fail(client, agent, 3)
    response = sign_in(client, agent.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_translated(client, agent):
    fail(client, agent, 3)
    assert "Trop de tentatives" in sign_in(client, agent.username, PASSWORD, language="fr").content.decode()
    assert "محاولات" in sign_in(client, agent.username, PASSWORD, language="ar").content.decode()


def test_the_lockout_is_per_address_so_an_attacker_cannot_lock_out_the_agent(client, agent):
    fail(client, agent, 3, address="203.0.113.66")
    assert sign_in(client, agent.username, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_right_password_works_again_after_the_cool_off(client, agent):
    fail(client, agent, 3)
    assert sign_in(client, agent.username, PASSWORD).status_code == 429
    # The failures were made 16 minutes ago: past the 15-minute cool-off.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, agent.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()  # a good sign-in forgets the failures


def test_the_admin_sign_in_is_throttled_too(client, agent):
    for _attempt in range(3):
        client.post("/admin/login/", {"username": agent.username, "password": "nope"}, REMOTE_ADDR="198.51.100.7")
    response = client.post("/admin/login/", {"username": agent.username, "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429


def test_a_sign_in_made_in_code_without_an_address_is_logged_without_one(client, agent):
    """client.login() builds a request with no REMOTE_ADDR; axes must store no address rather than a
    placeholder that PostgreSQL's inet column refuses."""
    from axes.models import AccessLog

    assert client.login(username=agent.username, password=PASSWORD)
    assert AccessLog.objects.filter(username=agent.username, ip_address=None).exists()


def test_an_address_that_is_not_one_counts_as_none():
    from django.test import RequestFactory

    from bawaba.accounts.backends import client_ip

    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="unknown")) is None
