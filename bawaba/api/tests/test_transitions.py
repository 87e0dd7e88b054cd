"""POST /api/v1/requests/{reference}/transitions: the workflow, with 409 for forbidden changes."""

from bawaba.orgs.models import Service
from bawaba.servicedesk.models import EventKind
from bawaba.servicedesk.services import do_transfer


def url(req):
    return f"/api/v1/requests/{req.reference}/transitions"


def test_allowed_transition_changes_the_status_and_is_in_the_history(api, make_request, at_token):
    req = make_request()
    response = api.post(url(req), {"status": "resolved", "reason": "Ligne rétablie"})
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    event = req.events.filter(kind=EventKind.STATUS).get()
    assert event.actor == at_token[0].user
    assert event.data == {"from": "new", "to": "resolved", "reason": "Ligne rétablie"}


def test_waiting_pauses_the_sla(api, make_request):
    req = make_request()
    response = api.post(url(req), {"status": "waiting"})
    assert response.status_code == 409  # the citizen must be asked something first
    req.refresh_from_db()
    assert req.sla_paused_at is None
    api.post(f"/api/v1/requests/{req.reference}/comments", {"body": "Quel est votre numéro ?", "public": True})
    assert api.post(url(req), {"status": "waiting"}).json()["sla_paused"] is True
    assert api.post(url(req), {"status": "in_progress"}).json()["sla_paused"] is False


def test_forbidden_transition_is_a_conflict_with_the_reason(api, make_request):
    req = make_request()
    api.post(url(req), {"status": "closed"})
    response = api.post(url(req), {"status": "in_progress"})
    assert response.status_code == 409
    assert response.json() == {"detail": "A request that is “Closed” cannot become “In progress”.", "errors": {}}
    req.refresh_from_db()
    assert req.status == "closed"


def test_conflict_message_follows_accept_language(at_token, make_request):
    from .conftest import ApiClient

    req = make_request()
    response = ApiClient(at_token[1], language="ar").post(url(req), {"status": "reopened"})
    assert response.status_code == 409
    assert response["Content-Language"] == "ar"


def test_unknown_status_is_invalid(api, make_request):
    response = api.post(url(make_request()), {"status": "done"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status"]


def test_other_organisation_gets_404_and_former_owner_403(api, poste_api, make_request, at_agent):
    req = make_request()
    assert poste_api.post(url(req), {"status": "resolved"}).status_code == 404
    do_transfer(req, Service.objects.get(code="algerie-poste/mail"), actor=at_agent, reason="Courrier")
    assert api.post(url(req), {"status": "resolved"}).status_code == 403
    assert poste_api.post(url(req), {"status": "resolved"}).status_code == 200
