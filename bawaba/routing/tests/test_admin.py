"""Rules are managed by platform admins; corrections are read-only."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from bawaba.orgs.models import Service
from bawaba.routing.models import RoutingCorrection, RoutingRule

PASSWORD = "correct horse 42"


@pytest.mark.django_db
def test_platform_admin_creates_a_rule(client, platform_admin):
    client.login(username=platform_admin.username, password=PASSWORD)
    assert client.get(reverse("admin:routing_routingrule_changelist")).status_code == 200
    mail = Service.objects.get(code="algerie-poste/mail")
    response = client.post(reverse("admin:routing_routingrule_add"), {
        "name": "Parcels", "order": 10, "is_active": "on", "channel": "", "category": "",
        "keywords": "colis\nكولي", "service": mail.pk,
    })
    assert response.status_code == 302, response.content[:2000]
    rule = RoutingRule.objects.get()
    assert (rule.name, rule.service, rule.keywords.splitlines()) == ("Parcels", mail, ["colis", "كولي"])
    changelist = client.get(reverse("admin:routing_routingrule_changelist"))
    assert "colis, كولي" in changelist.content.decode()


@pytest.mark.django_db
def test_rule_without_condition_is_refused_with_a_message(client, platform_admin):
    client.login(username=platform_admin.username, password=PASSWORD)
    response = client.post(reverse("admin:routing_routingrule_add"), {
        "name": "Everything", "order": 10, "is_active": "on", "keywords": "",
        "service": Service.objects.get(code="algerie-poste/mail").pk,
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert [e.code for e in errors.as_data()["__all__"]] == ["no_condition"]
    assert escape(errors["__all__"][0]) in response.content.decode()  # shown, in the user's language
    assert not RoutingRule.objects.exists()


@pytest.mark.django_db
def test_rules_cannot_target_the_orientation_service(client, platform_admin):
    client.login(username=platform_admin.username, password=PASSWORD)
    form = client.get(reverse("admin:routing_routingrule_add")).context["adminform"].form
    choices = set(form.fields["service"].queryset.values_list("code", flat=True))
    assert "algerie-poste/mail" in choices and "orientation" not in choices
    orientation = Service.objects.get(is_orientation=True)
    response = client.post(reverse("admin:routing_routingrule_add"), {
        "name": "x", "order": 1, "is_active": "on", "keywords": "x", "service": orientation.pk,
    })
    assert response.status_code == 200
    assert "service" in response.context["adminform"].form.errors
    assert not RoutingRule.objects.exists()


@pytest.mark.django_db
def test_operator_admin_cannot_manage_rules(client, at_admin):
    client.login(username=at_admin.username, password=PASSWORD)
    assert client.get(reverse("admin:routing_routingrule_changelist")).status_code == 403
    assert client.get(reverse("admin:routing_routingrule_add")).status_code == 403


@pytest.mark.django_db
def test_corrections_are_read_only_and_scoped_to_the_operator(client, at_admin, platform_admin, make_request):
    request = make_request(service_code=None)
    mine = RoutingCorrection.objects.create(request=request, text="ligne coupée",
                                            predicted_code="mobilis/network", corrected_code="algerie-telecom/faults")
    RoutingCorrection.objects.create(request=request, text="colis", predicted_code="other",
                                     corrected_code="algerie-poste/mail")

    client.login(username=at_admin.username, password=PASSWORD)
    page = client.get(reverse("admin:routing_routingcorrection_changelist")).content.decode()
    assert "ligne coupée" in page
    assert "algerie-poste/mail" not in page
    assert client.get(reverse("admin:routing_routingcorrection_add")).status_code == 403
    change = client.post(reverse("admin:routing_routingcorrection_change", args=[mine.pk]),
                         {"corrected_code": "other"})
    assert change.status_code in (200, 403)
    mine.refresh_from_db()
    assert mine.corrected_code == "algerie-telecom/faults"

    client.login(username=platform_admin.username, password=PASSWORD)
    page = client.get(reverse("admin:routing_routingcorrection_changelist")).content.decode()
    assert "ligne coupée" in page and "algerie-poste/mail" in page
