"""Point 1: the funds are onboarded without code and the router learns their listening centres from examples."""

import pytest

from bawaba.lifeproof.demo import TEACHER, teach_routing, train_model
from bawaba.routing.models import RoutingCorrection

pytestmark = pytest.mark.django_db


def test_funds_are_onboarded_with_a_listening_centre_and_staff(funds):
    from bawaba.orgs.models import Service

    assert {s.code for s in Service.objects.filter(organisation__in=funds.values())} == {"cnr/ecoute", "cnas/ecoute"}
    assert funds["cnr"].kind == "administration"


def test_the_router_learns_the_listening_centres_from_examples(funds, orgs, settings, tmp_path):
    from bawaba.orgs.services import do_add_staff
    from bawaba.routing import classifier
    from bawaba.routing.services import route

    teacher = do_add_staff(orgs["centre"], {**TEACHER, "password": "x-correct horse 42"})
    assert teach_routing(teacher) >= 20
    assert RoutingCorrection.objects.filter(corrected_code="cnr/ecoute").count() >= 10
    assert teach_routing(teacher) == 0  # examples already taught are not taught twice

    settings.ROUTING_MODEL_PATH = tmp_path / "model.joblib"
    classifier.reset_cache()
    try:
        train_model(settings.ROUTING_MODEL_PATH)
        # Texts that are not in the examples, on two channels.
        pension = route(subject="Retraite", text="Ma pension de retraite est suspendue, certificat de vie pas fait",
                        channel="sms")
        chifa = route(subject="", text="la carte chifa ne marche plus chez le pharmacien", channel="phone")
    finally:
        classifier.reset_cache()
    assert pension.service.code == "cnr/ecoute", pension
    assert chifa.service.code == "cnas/ecoute", chifa
