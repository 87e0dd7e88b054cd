"""Supervisors' pages: region scoping, another post's events answer 404, reviews, CSV exports, charts."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bawaba.postal.models import EventReview, TrackingEvent
from bawaba.postal.tests.conftest import _postal_staff
from bawaba.postal.tracking import EventInput, record_events

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse 42"
NOW = dt.datetime(2026, 3, 12, 11, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def login(client):
    def sign_in(user, language="en"):
        client.logout()
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "sign-in failed"
        return client

    return sign_in


@pytest.fixture
def oran_supervisor(poste, network):
    return _postal_staff(poste, "poste.oran", ["postal.supervisor"], region=network["oran_delivery"].region)


@pytest.fixture
def sopeco_supervisor(sopeco):
    return _postal_staff(sopeco, "sopeco.supervisor", ["postal.supervisor"])


@pytest.fixture
def items(poste, make_item, network):
    """A stuck item in Alger and one in Oran, each with a flagged event and a price."""
    days = dt.timedelta(days=1)
    alger = make_item("registered", when=NOW - 9 * days, price=Decimal("1250.00"))
    oran = make_item("registered", when=NOW - 9 * days, delivery="oran_delivery",
                     accepted_office=network["oran_delivery"], price=Decimal("180.00"))
    for item, office in ((alger, "16001"), (oran, "31000-DIST")):
        record_events(poste, [EventInput(item.number, "EMA", NOW - 9 * days, office),
                              EventInput(item.number, "EMA", NOW - 8 * days, office)])  # posted twice: flagged
    return {"alger": alger, "oran": oran}


def flagged(item):
    return TrackingEvent.objects.get(item=item, flagged=True)


def test_a_supervisor_sees_their_region_only(login, supervisor, items):
    page = login(supervisor).get(reverse("postal:dashboard")).content.decode()
    assert items["alger"].number in page and items["oran"].number not in page
    assert 'id="chart-stuck"' in page and "<svg" in page and "<script" not in page and " style=" not in page
    assert "1\xa0250,00\xa0DA" in page  # the Alger counter's revenue, through |money
    exceptions = login(supervisor).get(reverse("postal:exceptions")).content.decode()
    assert f'id="event-{flagged(items["alger"]).pk}"' in exceptions
    assert f'id="event-{flagged(items["oran"]).pk}"' not in exceptions


def test_the_other_regions_supervisor_sees_the_other_items(login, oran_supervisor, items):
    page = login(oran_supervisor).get(reverse("postal:dashboard")).content.decode()
    assert items["oran"].number in page and items["alger"].number not in page


def test_reviewing_an_event_of_another_region_or_post_answers_404(login, oran_supervisor, sopeco_supervisor,
                                                                  items):
    event = flagged(items["alger"])
    url = reverse("postal:review_event", args=[event.pk])
    for user in (oran_supervisor, sopeco_supervisor):
        response = login(user).post(url, {"decision": "valid"})
        assert response.status_code == 404
    event.refresh_from_db()
    assert event.reviewed_at is None and not EventReview.objects.exists()


def test_another_posts_supervisor_sees_none_of_this_posts_items(login, sopeco_supervisor, items):
    page = login(sopeco_supervisor).get(reverse("postal:dashboard")).content.decode()
    assert items["alger"].number not in page and items["oran"].number not in page
    body = login(sopeco_supervisor).get(reverse("postal:export", args=["exceptions"])).content.decode()
    assert items["alger"].number not in body


def test_a_supervisor_reviews_a_flagged_event(login, supervisor, items):
    event = flagged(items["alger"])
    client = login(supervisor)
    missing_note = client.post(reverse("postal:review_event", args=[event.pk]), {"decision": "error", "note": ""})
    assert missing_note.status_code == 400 and "Say what was wrong" in missing_note.content.decode()
    response = client.post(reverse("postal:review_event", args=[event.pk]),
                           {"decision": "error", "note": "Double saisie au guichet"})
    assert response.status_code == 302
    event.refresh_from_db()
    items["alger"].refresh_from_db()
    assert event.reviewed_by == supervisor and event.reviewed_at == NOW
    assert event.review.decision == "error" and event.review.note == "Double saisie au guichet"
    assert not items["alger"].needs_review
    again = client.post(reverse("postal:review_event", args=[event.pk]), {"decision": "valid"})
    assert again.status_code == 409


def test_other_roles_and_strangers_are_kept_out(client, login, clerk, items):
    anonymous = client.get(reverse("postal:dashboard"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert login(clerk).get(reverse("postal:dashboard")).status_code == 403
    assert login(clerk).get(reverse("postal:export", args=["stuck"])).status_code == 403
    assert login(clerk).post(reverse("postal:review_event", args=[flagged(items["alger"]).pk]),
                             {"decision": "valid"}).status_code == 403


def _csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_each_table_exports_as_csv_within_the_region(login, supervisor, items, make_item, poste):
    delivered = make_item("ems", when=NOW - dt.timedelta(days=3), price=Decimal("900.00"))
    record_events(poste, [EventInput(delivered.number, "EMA", NOW - dt.timedelta(days=3), "16001"),
                          EventInput(delivered.number, "EMG", NOW - dt.timedelta(days=2), "16001-DIST"),
                          EventInput(delivered.number, "EMI", NOW - dt.timedelta(days=1), "16001-DIST")])
    client = login(supervisor)
    stuck = _csv(client.get(reverse("postal:export", args=["stuck"])))
    assert stuck[0][:3] == ["number", "product", "status"] and [r[0] for r in stuck[1:]] == [items["alger"].number]
    levels = _csv(client.get(reverse("postal:export", args=["service-levels"]) + "?days=7&level=office"))
    assert levels[0][0] == "product" and levels[1][0] == "ems" and levels[1][4] == "1"
    assert levels[1][1].startswith("16001 ") and levels[1][2].startswith("16001-DIST ")
    activity = _csv(client.get(reverse("postal:export", args=["activity"])))
    assert activity[1][0] == "16001" and activity[1][3:] == ["2", "2150.00"]
    exceptions = _csv(client.get(reverse("postal:export", args=["exceptions"])))
    assert [r[0] for r in exceptions[1:]] == [items["alger"].number]
    assert client.get(reverse("postal:export", args=["salaries"])).status_code == 404
    assert client.get(reverse("postal:export", args=["stuck"]) + "?days=12").status_code == 400


def test_csv_cells_cannot_run_as_formulas(login, supervisor, make_item, network):
    network["counter"].name_fr = "=HYPERLINK(\"http://evil\")"
    network["counter"].save()
    make_item("registered", when=NOW - dt.timedelta(days=1), price=Decimal("10.00"))
    rows = _csv(login(supervisor).get(reverse("postal:export", args=["activity"])))
    assert rows[1][1].startswith("'=")


def test_a_bad_filter_is_a_clear_400(login, supervisor):
    response = login(supervisor).get(reverse("postal:dashboard") + "?days=abc")
    assert response.status_code == 400 and 'id="filter-errors"' in response.content.decode()


def test_the_dashboard_in_arabic_is_right_to_left(login, supervisor, items):
    page = login(supervisor, "ar").get(reverse("postal:dashboard")).content.decode()
    assert 'dir="rtl"' in page and "دج" in page
    assert '<option value="30" selected>آخر 30 يوما</option>' in page  # the period in Arabic, 30 days by default


def test_a_platform_admin_chooses_the_post(login, orgs, poste, sopeco, items, network):
    from bawaba.orgs.services import do_add_staff

    admin = do_add_staff(orgs["centre"], {"username": "platform.root", "roles": ["platform_admin"],
                                          "password": PASSWORD})
    client = login(admin)
    page = client.get(reverse("postal:dashboard") + "?organisation=algerie-poste").content.decode()
    assert items["alger"].number in page and items["oran"].number in page
    assert client.get(reverse("postal:dashboard") + "?organisation=nobody").status_code == 404


def test_the_dashboard_costs_a_bounded_number_of_queries(login, supervisor, make_item, django_assert_max_num_queries):
    for day in range(1, 30):
        make_item("registered", when=timezone.now() - dt.timedelta(days=day), price=Decimal("120.00"))
    client = login(supervisor)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("postal:dashboard")).status_code == 200
