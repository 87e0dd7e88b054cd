"""do_add_staff takes the roles of the module registry ("roles") or, as before, one former "role"."""

import pytest
from django.core.exceptions import ValidationError

from bawaba.orgs.services import do_add_staff, do_onboard_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def contractor(orgs):
    return do_onboard_organisation({"slug": "fibre-co-1", "kind": "contractor", "name_fr": "Fibre Travaux 1"})


def test_roles_are_granted_as_given(orgs):
    user = do_add_staff(orgs["algerie-telecom"], {"username": "at.two", "roles": ["desk.agent", "fibre.viewer"]})
    assert user.role_codes == {"desk.agent", "fibre.viewer"} and not user.is_staff
    assert set(user.queues.values_list("slug", flat=True)) == set(orgs["algerie-telecom"].queues.values_list(
        "slug", flat=True))  # a new agent joins the organisation's queues


def test_an_org_admin_is_staff_and_nobody_else_is(orgs):
    assert do_add_staff(orgs["mobilis"], {"username": "mob.admin", "roles": ["org_admin"]}).is_staff
    assert not do_add_staff(orgs["mobilis"], {"username": "mob.sup", "roles": ["desk.supervisor"]}).is_staff


@pytest.mark.parametrize("roles", [["desk.agent", "no.such.role"], "desk.agent", [1]])
def test_unknown_or_malformed_roles_are_refused(orgs, roles):
    with pytest.raises(ValidationError):
        do_add_staff(orgs["algerie-telecom"], {"username": "at.bad", "roles": roles})


@pytest.mark.parametrize(("kind", "role", "codes"), [
    ("operator", "agent", {"desk.agent"}),
    ("operator", "supervisor", {"desk.supervisor", "fibre.inspector", "fibre.viewer"}),
    ("operator", "org_admin", {"org_admin", "desk.supervisor", "fibre.inspector", "fibre.billing", "fibre.viewer"}),
    ("contractor", "agent", {"fibre.technician"}),
    ("contractor", "supervisor", {"fibre.contractor_manager"}),
    ("contractor", "org_admin", {"fibre.contractor_manager", "org_admin"}),
    ("platform", "supervisor", {"desk.supervisor"}),
    ("platform", "platform_admin", {"platform_admin"}),
])
def test_a_former_single_role_stands_for_the_roles_of_its_kind_of_organisation(orgs, contractor, kind, role, codes):
    org = {"operator": orgs["algerie-telecom"], "contractor": contractor, "platform": orgs["centre"]}[kind]
    assert do_add_staff(org, {"username": f"someone.{role}", "role": role}).role_codes == codes


def test_roles_given_again_replace_the_previous_ones(orgs):
    do_add_staff(orgs["algerie-telecom"], {"username": "at.x", "roles": ["desk.agent"]})
    user = do_add_staff(orgs["algerie-telecom"], {"username": "at.x", "roles": ["desk.supervisor"]})
    assert user.role_codes == {"desk.supervisor"}
    kept = do_add_staff(orgs["algerie-telecom"], {"username": "at.x", "password": "a new pass phrase 9"})
    assert kept.role_codes == {"desk.supervisor"}  # a spec without roles leaves them alone
