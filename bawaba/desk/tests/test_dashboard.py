import datetime as dt
import html as htmllib
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from bawaba.desk import charts, stats
from bawaba.geo.models import Region
from bawaba.servicedesk import services
from bawaba.servicedesk.models import Status

ALGIERS = ZoneInfo("Africa/Algiers")
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ALGIERS)
TUESDAY = MONDAY + dt.timedelta(days=1)
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=ALGIERS)  # Wednesday afternoon


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def kpi(page: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}"><span class="number[^"]*">([^<]*)<', page).group(1).strip()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def known_data(make_request, at_agent):
    """Four Algérie Télécom requests this week, one three weeks ago, one of Algérie Poste."""
    oran = Region.objects.get(country="DZ", code="31")
    algiers = Region.objects.get(country="DZ", code="16")
    # Normal priority, answered after 1 h (target 4 h) and resolved the same morning: both targets met.
    r1 = make_request("algerie-telecom/faults", channel="phone", region=oran, now=MONDAY)
    services.do_reply(r1, "Réglé.", actor=at_agent, now=MONDAY + dt.timedelta(hours=1))
    services.do_transition(r1, Status.RESOLVED, actor=at_agent, now=MONDAY + dt.timedelta(hours=2))
    # Urgent (first response within 30 min) answered after 2 h: missed; its 8 h resolution target passed.
    r2 = make_request("algerie-telecom/faults", channel="web", region=algiers, priority="urgent", now=MONDAY)
    services.do_reply(r2, "On regarde.", actor=at_agent, now=MONDAY + dt.timedelta(hours=2))
    # Never answered; first response was due Tuesday 13:00: missed and overdue.
    r3 = make_request("algerie-telecom/billing", channel="phone", region=oran, now=TUESDAY)
    # An hour old: nothing decided yet.
    r4 = make_request("algerie-telecom/billing", channel="sms", now=NOW - dt.timedelta(hours=1))
    # Three weeks old: outside the 7-day period, inside the 30-day one; overdue.
    r5 = make_request("algerie-telecom/faults", channel="phone", region=algiers, now=NOW - dt.timedelta(days=21))
    other = make_request("algerie-poste/mail", channel="phone", now=TUESDAY)
    return r1, r2, r3, r4, r5, other


def test_dashboard_numbers_on_a_known_data_set(known_data, at_supervisor):
    data = stats.dashboard(at_supervisor, days=7, now=NOW)
    assert data.open_total == 4 and data.overdue == 3
    assert dict(data.backlog_by_status) == {"New": 3, "Assigned": 0, "In progress": 1,
                                            "Waiting for citizen": 0, "Reopened": 0}
    assert dict(data.backlog_by_service) == {"Faults": 2, "Billing": 2}
    assert (data.first_response.met, data.first_response.decided) == (1, 3)
    assert data.first_response.percent == 33.3
    assert (data.resolution.met, data.resolution.decided) == (1, 2)
    assert data.created_total == 4
    assert dict(data.by_service) == {"Faults": 2, "Billing": 2}
    assert data.by_channel == [("Phone", 2), ("Web", 1), ("SMS", 1)]
    assert [(label.split(" ", 1)[0], n) for label, n in data.by_region] == [("31", 2), ("16", 1)]
    assert data.region_not_given == 1
    assert [n for _day, n in data.by_day] == [0, 0, 0, 0, 2, 1, 1]
    assert data.by_day[0][0] == dt.date(2026, 11, 19) and data.by_day[-1][0] == dt.date(2026, 11, 25)

    month = stats.dashboard(at_supervisor, days=30, now=NOW)
    assert month.created_total == 5 and len(month.by_day) == 30
    assert dict(month.by_service) == {"Faults": 3, "Billing": 2}


def test_platform_admin_sees_all_or_one_organisation(known_data, platform_admin, orgs):
    assert stats.dashboard(platform_admin, days=7, now=NOW).created_total == 5
    assert stats.dashboard(platform_admin, organisation=orgs["algerie-poste"], days=7, now=NOW).created_total == 1


def test_stats_use_a_fixed_number_of_queries(known_data, at_supervisor, make_request,
                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(12) as few:
        stats.dashboard(at_supervisor, days=30, now=NOW)
    oran = Region.objects.get(country="DZ", code="31")
    for i in range(20):
        make_request("algerie-telecom/subscriptions", channel="email", region=oran if i % 2 else None,
                     now=NOW - dt.timedelta(days=i))
    with django_assert_max_num_queries(12) as many:
        stats.dashboard(at_supervisor, days=30, now=NOW)
    assert len(many) == len(few)  # aggregate queries: the count does not grow with the data


def test_dashboard_is_forbidden_to_agents(login, at_agent):
    assert login(at_agent).get(reverse("desk:dashboard")).status_code == 403


def test_supervisor_dashboard_page_shows_own_organisation(login, at_supervisor, make_request):
    make_request("algerie-telecom/faults", channel="phone")
    make_request("algerie-telecom/billing", channel="email")
    make_request("algerie-poste/mail")
    response = login(at_supervisor).get(reverse("desk:dashboard"), {"days": 30})
    assert response.status_code == 200
    page = text(response)
    assert kpi(page, "open") == "2" and kpi(page, "created") == "2"
    assert "Algérie Télécom" in page and 'id="id_organisation"' not in page
    for chart in ("backlog-status", "backlog-service", "per-day", "per-service", "per-channel", "per-wilaya"):
        assert f'id="chart-{chart}"' in page, chart
    assert page.count("<svg") >= 5 and "<table" in page
    assert "<script" not in page.split("</head>", 1)[1]  # charts drawn on the server


def test_platform_admin_dashboard_filters_by_organisation(login, platform_admin, orgs, make_request):
    make_request("algerie-telecom/faults")
    make_request("algerie-poste/mail")
    client = login(platform_admin)
    assert kpi(text(client.get(reverse("desk:dashboard"))), "open") == "2"
    page = text(client.get(reverse("desk:dashboard"), {"organisation": orgs["algerie-poste"].pk}))
    assert kpi(page, "open") == "1"


@pytest.mark.parametrize("params", [{"days": "9"}, {"days": "x"}, {"organisation": "abc"}])
def test_bad_dashboard_filters_are_400(login, platform_admin, params):
    response = login(platform_admin).get(reverse("desk:dashboard"), params)
    assert response.status_code == 400
    assert 'id="filter-errors"' in text(response)


def test_dashboard_page_query_count(login, at_supervisor, make_request, django_assert_max_num_queries):
    for _ in range(10):
        make_request()
    client = login(at_supervisor)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("desk:dashboard")).status_code == 200


def test_charts_mirror_in_right_to_left():
    rows = [("a", 10), ("b", 5)]
    ltr, rtl = charts.horizontal(rows), charts.horizontal(rows, rtl=True)
    assert ltr["bars"][0].bar_x == charts.LABEL_W  # bars grow rightwards from the labels
    assert rtl["bars"][0].bar_x + rtl["bars"][0].bar_w == charts.WIDTH - charts.LABEL_W  # and leftwards in RTL
    assert rtl["bars"][1].bar_w == pytest.approx(ltr["bars"][0].bar_w / 2)
    days = charts.columns([("d1", 1), ("d2", 2)], rtl=True)
    assert days["bars"][0].x > days["bars"][1].x  # the oldest day on the right


def test_arabic_dashboard_is_right_to_left(login, at_supervisor, make_request):
    make_request()
    client = login(at_supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    page = text(client.get(reverse("desk:dashboard")))
    assert '<html lang="ar" dir="rtl">' in page
    assert 'text-anchor="start" class="label"' in page  # labels mirrored to the right side
