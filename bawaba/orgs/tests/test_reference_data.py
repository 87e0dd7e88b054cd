"""Routing rules, services, hours, holidays and SLA targets are kept in memory between requests, and a
change to any of them applies to the very next request."""

import datetime as dt

import pytest

from bawaba.orgs.models import Holiday, Service, SlaPolicy
from bawaba.orgs.services import calendar_for, orientation_service, set_business_hours, sla_targets
from bawaba.routing.models import RoutingRule
from bawaba.routing.services import route

pytestmark = pytest.mark.django_db

FAULT_TEXT = "Ma connexion ADSL est coupée depuis hier, le modem clignote."


def test_a_new_or_edited_routing_rule_applies_to_the_next_request(orgs):
    assert route(subject="Internet", text=FAULT_TEXT, channel="web").method == "classifier"
    rule = RoutingRule.objects.create(name="modems", keywords="modem",
                                      service=Service.objects.get(code="algerie-poste/mail"))
    assert route(subject="Internet", text=FAULT_TEXT, channel="web").service.code == "algerie-poste/mail"
    rule.is_active = False
    rule.save()
    assert route(subject="Internet", text=FAULT_TEXT, channel="web").method == "classifier"


def test_a_deactivated_service_is_no_longer_routed_to(orgs):
    assert route(subject="Internet", text=FAULT_TEXT, channel="web").service.code == "algerie-telecom/faults"
    faults = Service.objects.get(code="algerie-telecom/faults")
    faults.is_active = False
    faults.save()
    assert route(subject="Internet", text=FAULT_TEXT, channel="web").method == "orientation"


def test_new_opening_hours_and_holidays_apply_at_once(orgs):
    org = orgs["algerie-telecom"]
    before = calendar_for(org)
    set_business_hours(org, {"6": [["10:00", "12:00"]]})  # Sundays only, written in bulk
    assert calendar_for(org).hours == {6: ((dt.time(10), dt.time(12)),)} != before.hours
    Holiday.objects.create(organisation=org, date=dt.date(2031, 1, 5), name="Essai")
    assert dt.date(2031, 1, 5) in calendar_for(org).holidays


def test_a_changed_sla_target_applies_at_once(orgs):
    org = orgs["algerie-telecom"]
    policy = SlaPolicy.objects.get(organisation=org, priority="high")
    assert sla_targets(org, "high") == (policy.first_response_minutes, policy.resolution_minutes)
    policy.resolution_minutes += 60
    policy.save()
    assert sla_targets(org, "high")[1] == policy.resolution_minutes


def test_the_orientation_service_follows_its_row(orgs):
    service = Service.objects.get(pk=orientation_service().pk)  # a copy of the row, as the admin edits it
    service.name_fr = "Orientation générale"
    service.save()
    assert orientation_service().name_fr == "Orientation générale"
