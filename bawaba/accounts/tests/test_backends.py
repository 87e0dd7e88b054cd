"""Signed-in accounts are read through the cache, and never outlive a change to them."""

import pytest
from django.urls import reverse

from bawaba.accounts.backends import CachedModelBackend
from bawaba.orgs.services import do_add_staff

PASSWORD = "correct horse 42"


@pytest.fixture
def agent(orgs):
    return do_add_staff(orgs["algerie-telecom"], {"username": "at.cached", "role": "agent", "password": PASSWORD,
                                                  "queues": ["faults"]})


@pytest.fixture
def signed_in(client, agent):
    assert client.post("/accounts/login/", {"username": agent.username, "password": PASSWORD}).status_code == 302
    return client


def test_a_signed_in_request_reads_the_account_from_the_cache(signed_in, django_assert_max_num_queries):
    signed_in.get(reverse("desk:queue"))
    with django_assert_max_num_queries(1):  # the queues' versions; no session, no account
        assert signed_in.get(reverse("desk:queue"), HTTP_IF_NONE_MATCH="x").status_code == 200


def test_a_deactivated_account_is_signed_out_at_its_next_request(signed_in, agent):
    assert signed_in.get(reverse("desk:home")).status_code == 200
    agent.is_active = False
    agent.save()
    assert signed_in.get(reverse("desk:home")).status_code == 302


def test_a_new_password_ends_the_other_sessions_at_once(signed_in, agent):
    assert signed_in.get(reverse("desk:home")).status_code == 200
    agent.set_password("another horse 43")
    agent.save()
    assert signed_in.get(reverse("desk:home")).status_code == 302


def test_a_changed_role_applies_at_the_next_request(signed_in, agent):
    assert signed_in.get(reverse("desk:dashboard")).status_code == 403
    from bawaba.accounts.services import do_set_roles

    do_set_roles(agent, ["desk.supervisor"])
    assert signed_in.get(reverse("desk:dashboard")).status_code == 200


def test_a_revoked_api_token_user_is_forgotten(orgs):
    from bawaba.api.services import do_create_token, do_revoke_token

    token, _secret = do_create_token(orgs["algerie-telecom"], name="crm")
    backend = CachedModelBackend()
    assert backend.get_user(token.user_id) is not None
    do_revoke_token(token)
    assert backend.get_user(token.user_id) is None
