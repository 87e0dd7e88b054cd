"""POST /api/v1/requests/{reference}/comments: public replies and internal notes."""

from bawaba.orgs.models import Service
from bawaba.servicedesk.models import Message
from bawaba.servicedesk.selectors import public_messages
from bawaba.servicedesk.services import do_transfer, do_transition


def url(req):
    return f"/api/v1/requests/{req.reference}/comments"


def test_public_reply_is_seen_by_the_citizen_and_meets_first_response(api, make_request, at_token):
    req = make_request()
    response = api.post(url(req), {"body": "Un technicien passera demain.", "public": True})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["public"], body["author"]) == ("reply", True, at_token[0].user.username)
    req.refresh_from_db()
    assert req.first_responded_at is not None
    assert req.status == "in_progress"
    assert [m.body for m in public_messages(req)] == ["Un technicien passera demain."]


def test_comment_is_an_internal_note_unless_public(api, make_request):
    req = make_request()
    response = api.post(url(req), {"body": "Vérifier le DSLAM."})
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    req.refresh_from_db()
    assert req.first_responded_at is None
    assert list(public_messages(req)) == []


def test_reply_can_wait_for_the_citizen(api, make_request):
    req = make_request()
    api.post(url(req), {"body": "Quel est votre numéro de ligne ?", "public": True, "wait_for_citizen": True})
    req.refresh_from_db()
    assert req.status == "waiting"
    assert req.sla_paused_at is not None


def test_empty_comment_is_refused(api, make_request):
    req = make_request()
    response = api.post(url(req), {"body": "  ", "public": True})
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["This field cannot be empty."]}
    assert api.post(url(req), {"public": True}).json()["errors"] == {"body": ["This field is required."]}
    assert not Message.objects.exists()


def test_reply_to_a_closed_request_is_a_conflict(api, make_request, at_agent):
    req = make_request()
    do_transition(req, "closed", actor=at_agent)
    response = api.post(url(req), {"body": "Bonjour", "public": True})
    assert response.status_code == 409
    assert response.json()["detail"] == "A closed request cannot be answered; reopen it first."


def test_other_organisations_request_is_not_found(api, make_request):
    req = make_request(service_code="mobilis/network")
    assert api.post(url(req), {"body": "Bonjour"}).status_code == 404
    assert not Message.objects.exists()


def test_request_transferred_away_is_read_only(api, make_request, at_agent):
    req = make_request()
    do_transfer(req, Service.objects.get(code="mobilis/network"), actor=at_agent, reason="Réseau mobile")
    response = api.post(url(req), {"body": "Bonjour", "public": True})
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This request now belongs to another organisation: you can read it only.")
