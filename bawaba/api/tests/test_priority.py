"""POST /api/v1/requests/{reference}/priority."""

from bawaba.servicedesk.models import EventKind


def test_priority_change_is_recorded(api, make_request):
    req = make_request()
    response = api.post(f"/api/v1/requests/{req.reference}/priority", {"priority": "urgent", "reason": "Hôpital"})
    assert response.status_code == 200
    assert response.json()["priority"] == "urgent"
    assert req.events.get(kind=EventKind.PRIORITY).data["reason"] == "Hôpital"


def test_unknown_priority_is_invalid(api, make_request):
    req = make_request()
    response = api.post(f"/api/v1/requests/{req.reference}/priority", {"priority": "asap"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["priority"]
