"""POST /api/v1/requests/{reference}/assign."""

from bawaba.api.services import do_create_token


def url(req):
    return f"/api/v1/requests/{req.reference}/assign"


def test_assign_to_an_agent_and_unassign(api, make_request, at_agent):
    req = make_request()
    response = api.post(url(req), {"assignee": "at.agent"})
    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["status"]) == ("at.agent", "assigned")
    response = api.post(url(req), {"assignee": None})
    assert response.json()["assignee"] is None


def test_assignee_must_be_active_staff_of_the_organisation(api, make_request, poste_agent, orgs):
    req = make_request()
    for username in ("poste.agent", "nobody"):
        response = api.post(url(req), {"assignee": username})
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["assignee"]
    other_token, _secret = do_create_token(orgs["algerie-telecom"], "Other integration")
    response = api.post(url(req), {"assignee": other_token.user.username})
    assert response.status_code == 422
    req.refresh_from_db()
    assert req.assignee is None


def test_assignee_is_required_but_may_be_null(api, make_request):
    response = api.post(url(make_request()), {})
    assert response.status_code == 422
    assert response.json()["errors"] == {"assignee": ["This field is required."]}


def test_closed_request_cannot_be_assigned(api, make_request, at_agent):
    req = make_request()
    api.post(f"/api/v1/requests/{req.reference}/transitions", {"status": "closed"})
    assert api.post(url(req), {"assignee": "at.agent"}).status_code == 409


def test_an_integration_account_is_never_an_assignee_nor_notified_on_the_desk_side(make_request, orgs,
                                                                                    at_supervisor):
    import pytest
    from django.core.exceptions import ValidationError

    from bawaba.servicedesk.services import do_assign, supervisors_of

    token, _secret = do_create_token(orgs["algerie-telecom"], "Billing system", read_only=False)
    req = make_request()
    with pytest.raises(ValidationError) as refused:
        do_assign(req, token.user, actor=at_supervisor)
    assert "assignee" in refused.value.message_dict
    assert token.user not in supervisors_of(req.organisation_id)
    assert at_supervisor in supervisors_of(req.organisation_id)
