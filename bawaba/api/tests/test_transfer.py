"""POST /api/v1/requests/{reference}/transfer."""

from bawaba.servicedesk.models import RequestAccess


def url(req):
    return f"/api/v1/requests/{req.reference}/transfer"


def test_transfer_within_the_organisation(api, make_request):
    req = make_request()
    response = api.post(url(req), {"service": "algerie-telecom/billing", "reason": "Question de facture"})
    assert response.status_code == 200
    assert (response.json()["service"], response.json()["read_only"]) == ("algerie-telecom/billing", False)


def test_transfer_to_another_organisation_keeps_read_access(api, make_request):
    req = make_request()
    response = api.post(url(req), {"service": "mobilis/network", "reason": "Réseau mobile"})
    assert response.status_code == 200
    body = response.json()
    assert (body["organisation"], body["read_only"], body["status"]) == ("mobilis", True, "new")
    assert RequestAccess.objects.filter(request=req, organisation__slug="algerie-telecom").exists()
    assert api.post(url(req), {"service": "algerie-telecom/faults", "reason": "Retour"}).status_code == 403


def test_transfer_needs_a_reason_and_a_known_service(api, make_request):
    req = make_request()
    response = api.post(url(req), {"service": "mobilis/network", "reason": " "})
    assert response.json()["errors"] == {"reason": ["This field cannot be empty."]}
    response = api.post(url(req), {"service": "nowhere", "reason": "Test"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["service"]
    response = api.post(url(req), {"service": "algerie-telecom/faults", "reason": "Test"})
    assert response.json()["errors"] == {"service": ["The request is already with this service."]}
