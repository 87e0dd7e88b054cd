"""Staff accounts in the web admin: an organisation admin manages their staff but never gains platform powers."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from bawaba.accounts.admin import UserAdmin
from bawaba.accounts.models import User

pytestmark = pytest.mark.django_db

CHANGE = "/admin/accounts/user/{}/change/"
ADD = "/admin/accounts/user/add/"


def change_data(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "organisation": user.organisation_id or "",
        "roles": sorted(user.role_codes),
        "preferred_language": "",
        "_save": "Enregistrer",
    }
    data.update(overrides)
    return data


def add_data(organisation, **overrides):
    data = {
        "username": "at.new", "usable_password": "true", "password1": "a long pass phrase 77",
        "password2": "a long pass phrase 77", "first_name": "Nour", "last_name": "Saidi",
        "email": "nour@example.test", "organisation": organisation.pk, "roles": ["desk.agent"], "_save": "Enregistrer",
    }
    data.update(overrides)
    return data


def test_org_admin_form_hides_superuser_staff_groups_and_permissions(client, at_admin):
    client.force_login(at_admin)
    for url in (CHANGE.format(at_admin.pk), ADD):
        response = client.get(url)
        assert response.status_code == 200
        fields = response.context["adminform"].form.fields
        for name in ("is_superuser", "is_staff", "groups", "user_permissions"):
            assert name not in fields, (url, name)
        assert "platform_admin" not in [value for value, _label in fields["roles"].choices]
        assert {"org_admin", "desk.agent", "fibre.technician"} <= {value for value, _label in fields["roles"].choices}


def test_platform_admin_still_sees_every_field_and_role(client, platform_admin, at_agent):
    client.force_login(platform_admin)
    fields = client.get(CHANGE.format(at_agent.pk)).context["adminform"].form.fields
    assert {"is_superuser", "groups", "user_permissions"} <= set(fields)
    assert "is_staff" not in fields  # it follows the roles
    assert "platform_admin" in [value for value, _label in fields["roles"].choices]


def test_org_admin_cannot_make_themselves_platform_admin_with_a_crafted_post(client, at_admin):
    group = Group.objects.create(name="everything")
    client.force_login(at_admin)
    response = client.post(CHANGE.format(at_admin.pk), change_data(
        at_admin, roles=["org_admin", "platform_admin"], is_superuser="on", is_staff="on", groups=[group.pk],
    ))
    at_admin.refresh_from_db()
    assert response.status_code == 200  # the form refuses the role
    assert "org_admin" in at_admin.role_codes and not at_admin.is_superuser and not at_admin.is_platform_admin
    assert not at_admin.groups.exists()


def test_org_admin_cannot_tick_superuser_even_with_an_allowed_role(client, at_admin):
    client.force_login(at_admin)
    response = client.post(CHANGE.format(at_admin.pk), change_data(at_admin, is_superuser="on"))
    assert response.status_code == 302
    at_admin.refresh_from_db()
    assert not at_admin.is_superuser and not at_admin.is_platform_admin


def test_org_admin_cannot_create_a_platform_admin(client, at_admin, orgs):
    client.force_login(at_admin)
    response = client.post(ADD, add_data(orgs["algerie-telecom"], roles=["platform_admin"], is_superuser="on"))
    assert response.status_code == 200
    assert not User.objects.filter(username="at.new").exists()


class _Form:
    def __init__(self, roles):
        self.cleaned_data = {"roles": roles}


def test_save_refuses_platform_powers_from_an_org_admin(at_admin, at_agent):
    request = RequestFactory().post("/")
    request.user = at_admin
    admin = UserAdmin(User, site)
    for superuser, roles in ((False, ["platform_admin"]), (True, ["desk.agent"])):
        user = User.objects.get(pk=at_agent.pk)
        user.is_superuser = superuser
        with pytest.raises(PermissionDenied):
            admin.save_model(request, user, form=_Form(roles), change=True)
    at_agent = User.objects.get(pk=at_agent.pk)
    assert at_agent.role_codes == {"desk.agent"} and not at_agent.is_superuser


def test_staff_status_follows_the_role_set_by_an_org_admin(client, at_admin, at_agent, at_supervisor):
    client.force_login(at_admin)
    response = client.post(CHANGE.format(at_agent.pk), change_data(at_agent, roles=["desk.agent", "org_admin"]))
    assert response.status_code == 302
    at_agent = User.objects.get(pk=at_agent.pk)
    assert at_agent.is_staff and at_agent.role_codes == {"desk.agent", "org_admin"}
    assert client.post(CHANGE.format(at_agent.pk), change_data(at_agent, roles=["desk.agent"])).status_code == 302
    at_agent = User.objects.get(pk=at_agent.pk)
    assert not at_agent.is_staff and at_agent.role_codes == {"desk.agent"}
    # A crafted is_staff does not open the admin to a supervisor.
    response = client.post(CHANGE.format(at_supervisor.pk), change_data(at_supervisor, is_staff="on"))
    assert response.status_code == 302
    at_supervisor.refresh_from_db()
    assert not at_supervisor.is_staff


def test_org_admin_creates_an_agent_of_their_own_organisation(client, at_admin, orgs):
    client.force_login(at_admin)
    response = client.post(ADD, add_data(orgs["mobilis"]))  # a forged organisation is not offered
    assert response.status_code == 200
    response = client.post(ADD, add_data(orgs["algerie-telecom"], is_staff="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="at.new")
    assert created.organisation == orgs["algerie-telecom"] and created.role_codes == {"desk.agent"}
    assert not created.is_staff


def test_platform_admin_can_appoint_a_platform_admin(client, platform_admin, at_supervisor):
    client.force_login(platform_admin)
    response = client.post(CHANGE.format(at_supervisor.pk), change_data(at_supervisor, roles=["platform_admin"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    at_supervisor = User.objects.get(pk=at_supervisor.pk)
    assert at_supervisor.is_platform_admin and at_supervisor.is_staff


def test_org_admin_cannot_open_a_platform_admin_of_their_own_organisation(client, orgs, platform_admin):
    from bawaba.orgs.services import do_add_staff

    centre_admin = do_add_staff(orgs["centre"], {"username": "centre.admin", "role": "org_admin"})
    client.force_login(centre_admin)
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "platform.admin" not in listing
    assert client.get(CHANGE.format(platform_admin.pk)).status_code == 302  # treated as missing
    assert client.get(f"/admin/accounts/user/{platform_admin.pk}/password/").status_code == 404


def test_org_admin_lists_only_their_organisations_staff(client, at_admin, at_agent, poste_agent):
    client.force_login(at_admin)
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "at.agent" in listing and "poste.agent" not in listing
    assert "Algérie Poste" not in listing  # not even in the organisation filter


@pytest.mark.parametrize("role", ["desk.agent", "desk.supervisor", "fibre.inspector", "fibre.billing"])
def test_agents_supervisors_and_fibre_staff_have_no_access_to_staff_accounts(client, orgs, role):
    from bawaba.orgs.services import do_add_staff

    user = do_add_staff(orgs["algerie-telecom"], {"username": f"at.{role}", "roles": [role]})
    assert not user.is_staff  # only admins are staff
    user.is_staff = True  # even if someone opened the admin to them
    user.save()
    client.force_login(user)
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get(CHANGE.format(user.pk)).status_code == 403


def test_a_contractors_technician_has_no_admin_even_with_the_staff_flag(client, orgs):
    from bawaba.orgs.services import do_add_staff, do_onboard_organisation

    contractor = do_onboard_organisation({"slug": "fibre-co-9", "kind": "contractor", "name_fr": "Fibre 9"})
    tech = do_add_staff(contractor, {"username": "fibre.tech9", "roles": ["fibre.technician"]})
    assert not tech.is_staff
    client.force_login(tech)
    assert client.get("/admin/").status_code == 302  # the admin's sign-in page: not staff
    User.objects.filter(pk=tech.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=tech.pk))
    assert client.get("/admin/accounts/user/").status_code == 403


def test_org_admin_grants_and_removes_a_module_role(client, at_admin, at_agent):
    client.force_login(at_admin)
    data = change_data(at_agent, roles=["desk.agent", "fibre.viewer"])
    assert client.post(CHANGE.format(at_agent.pk), data).status_code == 302
    assert User.objects.get(pk=at_agent.pk).role_codes == {"desk.agent", "fibre.viewer"}
    response = client.post(CHANGE.format(at_agent.pk), change_data(at_agent, roles=["no.such.role"]))
    assert response.status_code == 200  # refused by the form
    assert User.objects.get(pk=at_agent.pk).role_codes == {"desk.agent", "fibre.viewer"}


def test_the_admin_speaks_the_users_language(client, at_admin):
    client.force_login(at_admin)
    page = client.get("/admin/accounts/user/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "إدارة بوابة" in page and "الأدوار" in page
    page = client.get(CHANGE.format(at_admin.pk), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rôles" in page and "Administrateur de l&#x27;organisme" in page and "Technicien de terrain" in page
