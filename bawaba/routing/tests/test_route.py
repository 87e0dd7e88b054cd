"""The classifier routes confident predictions; the rest goes to the orientation queue."""

import pytest

from bawaba.routing import classifier
from bawaba.routing.services import route
from bawaba.servicedesk.models import Request

PARCEL_TEXT = "Mon colis envoyé de Lyon est bloqué, le numéro de suivi ne bouge plus depuis deux semaines."


@pytest.mark.django_db
def test_confident_prediction_goes_to_the_predicted_service(orgs):
    decision = route(subject="Colis", text=PARCEL_TEXT, channel="web")
    assert decision.service.code == "algerie-poste/mail"
    assert decision.method == "classifier"
    assert decision.predicted_code == "algerie-poste/mail"
    assert 0.45 <= decision.confidence <= 1.0


@pytest.mark.django_db
def test_low_confidence_goes_to_orientation_and_keeps_the_prediction(orgs, settings):
    settings.ROUTING_CONFIDENCE_THRESHOLD = 0.999
    decision = route(subject="Colis", text=PARCEL_TEXT, channel="web")
    assert decision.service.is_orientation
    assert decision.method == "orientation"
    assert decision.predicted_code == "algerie-poste/mail"
    assert decision.confidence < 0.999


@pytest.mark.django_db
def test_an_ambiguous_text_goes_to_orientation(orgs):
    # Nothing in it says which operator or service: no prediction should reach the threshold.
    decision = route(subject="", text="Bonjour, j'ai un problème, merci de me rappeler.", channel="phone")
    assert decision.method == "orientation"
    assert decision.confidence < 0.45
    assert decision.predicted_code  # still recorded, for the agent and for the statistics


@pytest.mark.django_db
def test_prediction_of_an_inactive_service_goes_to_orientation(orgs):
    from bawaba.orgs.models import Service

    Service.objects.filter(code="algerie-poste/mail").update(is_active=False)
    decision = route(subject="Colis", text=PARCEL_TEXT, channel="web")
    assert decision.method == "orientation"
    assert decision.predicted_code == "algerie-poste/mail"


@pytest.mark.django_db
def test_without_any_model_requests_go_to_orientation(orgs, settings, monkeypatch, tmp_path):
    monkeypatch.setattr(classifier, "SHIPPED_MODEL_PATH", tmp_path / "missing.joblib")
    classifier.reset_cache()
    decision = route(subject="Colis", text=PARCEL_TEXT, channel="web")
    assert (decision.method, decision.confidence, decision.predicted_code) == ("orientation", None, "")
    assert decision.service.is_orientation


@pytest.mark.django_db
def test_new_request_records_how_it_was_routed(make_request):
    request = make_request(service_code=None, subject="Carte bloquée",
                           text="Ma carte Edahabia est bloquée depuis que le DAB l'a gardée.")
    request.refresh_from_db()
    assert request.service.code == "algerie-poste/financial"
    assert request.organisation.slug == "algerie-poste"
    assert request.routing_method == "classifier"
    assert request.predicted_service_code == "algerie-poste/financial"
    assert request.routing_confidence >= 0.45


@pytest.mark.django_db
def test_new_request_below_threshold_waits_in_orientation(make_request, settings):
    settings.ROUTING_CONFIDENCE_THRESHOLD = 0.999
    request = make_request(service_code=None, subject="Réseau", text="Pas de réseau Mobilis au village.")
    request = Request.objects.select_related("service").get(pk=request.pk)
    assert request.service.is_orientation
    assert request.routing_method == "orientation"
    assert request.predicted_service_code == "mobilis/network"
