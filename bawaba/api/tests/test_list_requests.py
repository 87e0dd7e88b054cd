"""GET /api/v1/requests: only the organisation's requests, filters and pagination."""

import datetime as dt

import pytest
from django.utils import timezone

from bawaba.geo.models import Region
from bawaba.orgs.models import Service
from bawaba.servicedesk.services import do_assign, do_transfer, do_transition

URL = "/api/v1/requests"


def references(response):
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


def test_lists_only_requests_of_the_tokens_organisation(api, make_request):
    own = make_request()
    make_request(service_code="mobilis/network")
    make_request(service_code="algerie-poste/mail")
    body = api.get(URL).json()
    assert body["count"] == 1
    assert references(api.get(URL)) == [own.reference]


def test_transferred_away_requests_stay_listed_read_only(api, make_request, at_agent):
    req = make_request()
    do_transfer(req, Service.objects.get(code="mobilis/network"), actor=at_agent, reason="Réseau mobile")
    item = api.get(URL).json()["items"][0]
    assert item["reference"] == req.reference
    assert item["organisation"] == "mobilis"
    assert item["read_only"] is True


def test_filters(api, make_request, at_agent, at_supervisor):
    phone = make_request(channel="phone", priority="high", subject="Facture trop élevée",
                         service_code="algerie-telecom/billing")
    web = make_request(channel="web", subject="Ligne coupée")
    do_assign(web, at_agent, actor=at_supervisor)
    closed = make_request(channel="web", subject="Question")
    do_transition(closed, "closed", actor=at_agent)
    oran = make_request(region=Region.objects.get(country="DZ", code="31"), subject="Oran")

    assert references(api.get(URL, {"channel": "phone"})) == [phone.reference]
    assert references(api.get(URL, {"priority": "high"})) == [phone.reference]
    assert references(api.get(URL, {"service": "algerie-telecom/billing"})) == [phone.reference]
    assert references(api.get(URL, {"status": "assigned"})) == [web.reference]
    assert references(api.get(URL, {"assignee": "at.agent"})) == [web.reference]
    assert web.reference not in references(api.get(URL, {"assignee": "none"}))
    assert references(api.get(URL, {"open": "false"})) == [closed.reference]
    assert closed.reference not in references(api.get(URL, {"open": "true"}))
    assert references(api.get(URL, {"q": "facture"})) == [phone.reference]
    assert references(api.get(URL, {"q": web.reference.lower()})) == [web.reference]
    assert references(api.get(URL, {"region_code": "31"})) == [oran.reference]


def test_date_filters_and_ordering(api, make_request):
    now = timezone.now()
    old = make_request(now=now - dt.timedelta(days=10))
    recent = make_request(now=now - dt.timedelta(days=1))
    since = (now - dt.timedelta(days=5)).isoformat()
    assert references(api.get(URL, {"created_after": since})) == [recent.reference]
    assert references(api.get(URL, {"created_before": since})) == [old.reference]
    assert references(api.get(URL, {"created_after": "2000-01-01T00:00:00Z"})) == [recent.reference, old.reference]
    assert references(api.get(URL, {"ordering": "created_at"})) == [old.reference, recent.reference]
    assert references(api.get(URL, {"updated_after": since})) == [recent.reference]


def test_pagination(api, make_request):
    made = [make_request(subject=f"Demande {i}") for i in range(5)]
    newest_first = [req.reference for req in reversed(made)]
    page = api.get(URL, {"limit": 2, "offset": 2}).json()
    assert page["count"] == 5
    assert (page["limit"], page["offset"]) == (2, 2)
    assert [item["reference"] for item in page["items"]] == newest_first[2:4]
    assert references(api.get(URL, {"limit": 2, "offset": 4})) == newest_first[4:]


@pytest.mark.parametrize("params", [
    {"limit": 101}, {"limit": 0}, {"offset": -1}, {"status": "lost"}, {"created_after": "yesterday"},
    {"created_after": "2026-01-01"}, {"created_before": "2026-01-01T10:00:00"}, {"updated_after": "0.5"},
    {"ordering": "subject"}, {"open": "maybe"}, {"stauts": "closed"}, {"q": "a\x00b"},
    {"created_after": "0001-01-01T00:00:00+01:00"},
])
def test_invalid_parameters_give_422(api, params):
    response = api.get(URL, params)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == list(params)


def test_any_valid_offset_is_accepted(api, make_request):
    req = make_request()
    # PostgreSQL only takes offsets up to ±15:59: the API turns every time into UTC first.
    assert references(api.get(URL, {"created_after": "2000-01-01T00:00:00+18:06"})) == [req.reference]


def test_error_messages_name_the_problem(api):
    assert api.get(URL, {"created_after": "2026-01-01"}).json()["errors"] == {
        "created_after": ["Enter a valid date/time."]}
    assert api.get(URL, {"stauts": "closed"}).json()["errors"] == {"stauts": ["Unknown parameter."]}


def test_listing_does_not_query_per_request(api, make_request, django_assert_max_num_queries, at_agent,
                                            at_supervisor):
    for _i in range(3):
        do_assign(make_request(), at_agent, actor=at_supervisor)
    api.get(URL)  # warm caches (token lookup, content types)
    with django_assert_max_num_queries(6):
        assert api.get(URL).json()["count"] == 3
    for _i in range(10):
        make_request()
    with django_assert_max_num_queries(6):
        assert api.get(URL).json()["count"] == 13
