"""Explicit rules are tried before the classifier; keywords ignore accents and case."""

import pytest

from bawaba.orgs.models import Service
from bawaba.routing.admin import RoutingRuleForm
from bawaba.routing.models import RoutingRule
from bawaba.routing.services import keyword_pattern, route

# The classifier alone sends this to Algérie Télécom faults with high confidence.
FAULT_TEXT = "Ma connexion ADSL est coupée depuis hier, le modem clignote."


def rule(code, **fields):
    return RoutingRule.objects.create(name=fields.pop("name", "rule"), service=Service.objects.get(code=code),
                                      **fields)


@pytest.mark.django_db
def test_without_rules_the_classifier_decides(orgs):
    decision = route(subject="Internet", text=FAULT_TEXT, channel="web")
    assert (decision.service.code, decision.method) == ("algerie-telecom/faults", "classifier")


@pytest.mark.django_db
def test_keyword_rule_wins_over_a_confident_classifier(orgs):
    rule("algerie-poste/mail", keywords="modem")
    decision = route(subject="Internet", text=FAULT_TEXT, channel="web")
    assert decision.service.code == "algerie-poste/mail"
    assert decision.method == "rule"
    assert decision.confidence == 1.0
    assert decision.predicted_code == "algerie-poste/mail"


@pytest.mark.django_db
def test_keywords_ignore_accents_and_case(orgs):
    rule("algerie-poste/financial", keywords="COUPÉE")  # the text says "coupée"; accents stripped both ways
    rule("mobilis/network", keywords="Réseau Mobilis", order=1)
    assert route(subject="", text="ma connexion est COUPEE", channel="web").service.code == "algerie-poste/financial"
    assert route(subject="", text="reseau mobilis absent", channel="sms").service.code == "mobilis/network"


@pytest.mark.django_db
def test_latin_keywords_match_at_word_start_only(orgs):
    rule("algerie-poste/mail", keywords="poste")
    assert route(subject="", text="je composte mon ticket", channel="web").method != "rule"
    assert route(subject="", text="Postes et colis", channel="web").method == "rule"


@pytest.mark.django_db
def test_arabic_keywords_match_inside_words(orgs):
    rule("algerie-poste/mail", keywords="بريد")
    decision = route(subject="", text="رسالة بالبريد المضمون", channel="web")
    assert (decision.service.code, decision.method) == ("algerie-poste/mail", "rule")


@pytest.mark.django_db
def test_channel_rule_sends_every_request_of_that_channel(orgs):
    rule("mobilis/customer-account", channel="ussd")
    assert route(subject="", text=FAULT_TEXT, channel="ussd").service.code == "mobilis/customer-account"
    assert route(subject="", text=FAULT_TEXT, channel="web").service.code == "algerie-telecom/faults"


@pytest.mark.django_db
def test_category_rule_follows_the_citizens_choice(orgs):
    rule("algerie-telecom/billing", category="algerie-telecom/billing")
    decision = route(subject="", text=FAULT_TEXT, channel="web", category="algerie-telecom/billing")
    assert (decision.service.code, decision.method) == ("algerie-telecom/billing", "rule")


@pytest.mark.django_db
def test_the_citizens_chosen_service_goes_before_the_classifier_without_any_rule(orgs):
    assert not RoutingRule.objects.exists()
    decision = route(subject="", text=FAULT_TEXT, channel="web", category="algerie-poste/mail")
    assert (decision.service.code, decision.method, decision.confidence) == ("algerie-poste/mail", "rule", 1.0)
    # A rule still comes first; an unknown or orientation code leaves it to the classifier.
    rule("algerie-telecom/billing", keywords="modem")
    assert route(subject="", text=FAULT_TEXT, channel="web", category="algerie-poste/mail").service.code == \
        "algerie-telecom/billing"
    RoutingRule.objects.all().delete()
    for code in ("nope/nothing", "orientation"):
        assert route(subject="", text=FAULT_TEXT, channel="web", category=code).method == "classifier"


@pytest.mark.django_db
def test_every_condition_of_a_rule_must_match(orgs):
    rule("algerie-poste/mail", channel="sms", keywords="modem")
    assert route(subject="", text=FAULT_TEXT, channel="web").method == "classifier"
    assert route(subject="", text=FAULT_TEXT, channel="sms").method == "rule"


@pytest.mark.django_db
def test_rules_are_tried_in_order(orgs):
    rule("algerie-poste/mail", keywords="modem", order=20, name="second")
    rule("mobilis/network", keywords="adsl", order=10, name="first")
    assert route(subject="", text=FAULT_TEXT, channel="web").service.code == "mobilis/network"


@pytest.mark.django_db
def test_inactive_rules_and_rules_to_inactive_services_are_ignored(orgs):
    rule("algerie-poste/mail", keywords="modem", is_active=False)
    rule("algerie-poste/financial", keywords="modem")
    Service.objects.filter(code="algerie-poste/financial").update(is_active=False)
    assert route(subject="", text=FAULT_TEXT, channel="web").method == "classifier"


@pytest.mark.django_db
def test_a_rule_without_any_condition_never_matches(orgs):
    rule("algerie-poste/mail", keywords="  \n")
    assert route(subject="", text=FAULT_TEXT, channel="web").method == "classifier"


def test_keyword_pattern_joins_spaces_and_ignores_empty_keywords():
    assert keyword_pattern("  ") is None
    assert keyword_pattern("Ligne   Fixe").search("la ligne fixe est muette")


@pytest.mark.django_db
def test_rule_form_refuses_a_rule_without_conditions(orgs):
    service = Service.objects.get(code="algerie-poste/mail")
    form = RoutingRuleForm(data={"name": "empty", "order": 1, "is_active": True, "service": service.pk,
                                 "keywords": "", "channel": "", "category": ""})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["no_condition"]


@pytest.mark.django_db
def test_rule_form_refuses_keywords_without_letters(orgs):
    service = Service.objects.get(code="algerie-poste/mail")
    form = RoutingRuleForm(data={"name": "dots", "order": 1, "is_active": True, "service": service.pk,
                                 "keywords": "...\n!!", "channel": "", "category": ""})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["keywords"]] == ["no_letters"]
