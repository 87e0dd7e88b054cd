import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from bawaba.accounts.models import User
from bawaba.orgs.models import Holiday, Organisation, Service
from bawaba.orgs.services import calendar_for

SPEC = {
    "slug": "congo-telecom",
    "kind": "operator",
    "country": "CG",
    "name_fr": "Congo Télécom",
    "services": [{"slug": "faults", "name_fr": "Dérangements"}, {"slug": "billing", "name_fr": "Facturation"}],
    "staff": [
        {"username": "ct.admin", "role": "org_admin", "password": "a long pass phrase 1"},
        {"username": "ct.agent1", "role": "agent", "password": "a long pass phrase 2"},
    ],
}


def test_cli_onboards_an_organisation_without_code(db, tmp_path, capsys):
    spec_file = tmp_path / "congo.json"
    spec_file.write_text(json.dumps(SPEC), encoding="utf-8")
    call_command("orgs", "onboard", str(spec_file))
    org = Organisation.objects.get(slug="congo-telecom")
    assert org.timezone == "Africa/Brazzaville"
    assert set(Service.objects.filter(organisation=org).values_list("code", flat=True)) == {
        "congo-telecom/faults", "congo-telecom/billing"}
    agent = User.objects.get(username="ct.agent1")
    assert agent.role_codes == {"desk.agent"} and agent.queues.count() == 2
    # Congo's weekend is Saturday-Sunday and its public holidays come from the holidays package.
    calendar = calendar_for(org)
    assert set(calendar.hours) == {0, 1, 2, 3, 4}
    assert Holiday.objects.filter(organisation=org).exists()
    assert org.sla_policies.count() == 4
    # Running it again updates rather than duplicates.
    call_command("orgs", "onboard", str(spec_file))
    assert Organisation.objects.filter(slug="congo-telecom").count() == 1


def test_cli_refuses_a_broken_spec(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("orgs", "onboard", str(bad))
    bad.write_text(json.dumps({"slug": "x", "name_fr": "X", "kind": "pirate"}), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("orgs", "onboard", str(bad))
    # Values of the wrong shape: a clear refusal, not a traceback, and nothing stored.
    for wrong in ([SPEC], {**SPEC, "hours": {"lundi": [["08:00", "16:00"]]}},
                  {**SPEC, "hours": {"0": [["8h", "16h"]]}}, {**SPEC, "sla": {"urgent": 30}}):
        bad.write_text(json.dumps(wrong), encoding="utf-8")
        with pytest.raises(CommandError, match="onboarding refused"):
            call_command("orgs", "onboard", str(bad))
    assert not Organisation.objects.filter(slug__in=["x", SPEC["slug"]]).exists()


def test_algerian_calendar_has_friday_saturday_weekend_and_lunar_holidays(orgs):
    calendar = calendar_for(orgs["algerie-poste"])
    assert 4 not in calendar.hours and 5 not in calendar.hours
    names = set(orgs["algerie-poste"].holidays.values_list("name", flat=True))
    assert any("Eid" in name for name in names)


def admin_client(user):
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_platform_admin_onboards_an_organisation_in_the_web_admin(platform_admin):
    client = admin_client(platform_admin)
    response = client.get("/admin/orgs/organisation/add/")
    assert response.status_code == 200
    data = {
        "slug": "sonelgaz", "name_fr": "Sonelgaz", "name_ar": "سونلغاز", "name_en": "Sonelgaz",
        "kind": "enterprise", "country": "DZ", "timezone": "Africa/Algiers", "is_active": "on",
    }
    for prefix in ("queues", "services", "business_hours", "holidays", "sla_policies"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update({"queues-TOTAL_FORMS": "1", "queues-0-slug": "clients", "queues-0-name_fr": "Clients"})
    response = client.post("/admin/orgs/organisation/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(slug="sonelgaz")
    assert org.queues.filter(slug="clients").exists() and org.holidays.exists()


def test_organisation_admin_sees_only_their_organisation(at_admin, orgs):
    client = admin_client(at_admin)
    listing = client.get("/admin/orgs/organisation/").content.decode()
    assert "Algérie Télécom" in listing and "Mobilis" not in listing
    assert client.get(f"/admin/orgs/organisation/{orgs['mobilis'].pk}/change/").status_code in (302, 404)
    assert client.get("/admin/orgs/organisation/add/").status_code == 403
    services = client.get("/admin/orgs/service/").content.decode()
    assert "algerie-telecom/faults" in services and "mobilis/network" not in services


def test_agents_have_no_admin_access(at_agent):
    client = admin_client(at_agent)
    assert client.get("/admin/orgs/organisation/").status_code == 403
