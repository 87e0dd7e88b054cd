import pytest

from bawaba.deployments.tests.factories import fibre_world


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Each test creates several staff accounts; PBKDF2's million rounds would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(orgs, at_supervisor, at_admin, at_agent):
    """Programme, price schedule, two contractors with contracts, a building and a hospital work order. The
    operator's agent also follows the programme (fibre.viewer): plain operator staff in the fibre pages."""
    from bawaba.accounts.services import do_set_roles

    do_set_roles(at_agent, ["desk.agent", "fibre.viewer"])
    return fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client signed in as that user."""
    def login(user):
        client.force_login(user)
        return client

    return login
