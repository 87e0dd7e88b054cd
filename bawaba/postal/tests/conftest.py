"""Shared postal fixtures: the two posts, a small network, products, tariffs, ranges and staff."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def poste(orgs):
    return orgs["algerie-poste"]


@pytest.fixture
def sopeco(db):
    from bawaba.orgs.services import do_onboard_organisation

    return do_onboard_organisation({
        "slug": "sopeco", "kind": "operator", "country": "CG", "name_fr": "Société des postes et de l'épargne du Congo",
        "name_en": "Congo Post (SOPECO)", "services": [{"slug": "mail", "name_fr": "Courrier et colis"}],
    })


def _commune(region_code, name_fr):
    from bawaba.geo.models import Commune

    return Commune.objects.get(region__country="DZ", region__code=region_code, name_fr=name_fr)


@pytest.fixture
def network(poste):
    """Alger: a sorting centre, a delivery office and a post office it serves; Oran: a delivery office."""
    from bawaba.geo.models import Region
    from bawaba.postal.models import Office, OfficeKind

    alger = Region.objects.get(country="DZ", code="16")
    oran = Region.objects.get(country="DZ", code="31")
    alger_centre = alger.communes.filter(postal_code__startswith="16").order_by("postal_code").first()
    oran_commune = oran.communes.exclude(postal_code="").order_by("postal_code").first()
    common = {"organisation": poste, "hours": {"sun": [["08:00", "16:00"]]}}
    sorting = Office.objects.create(code="16000-CTN", name_fr="Centre de tri d'Alger", kind=OfficeKind.SORTING_CENTRE,
                                    region=alger, commune=alger_centre, **common)
    delivery = Office.objects.create(code="16001-DIST", name_fr="Distribution Alger-Centre", parent=sorting,
                                     kind=OfficeKind.DELIVERY_OFFICE, region=alger, commune=alger_centre, **common)
    counter = Office.objects.create(code="16001", name_fr="Alger-RP", parent=sorting, kind=OfficeKind.POST_OFFICE,
                                    region=alger, commune=alger_centre, services=["registered", "parcels", "ems",
                                                                                  "pickup"], **common)
    oran_delivery = Office.objects.create(code="31000-DIST", name_fr="Distribution Oran",
                                          kind=OfficeKind.DELIVERY_OFFICE, region=oran, commune=oran_commune, **common)
    exchange = Office.objects.create(code="16000-OE", impc="DZALGA", name_fr="Bureau d'échange d'Alger",
                                     kind=OfficeKind.EXCHANGE_OFFICE, region=alger, commune=alger_centre, **common)
    return {"sorting": sorting, "delivery": delivery, "counter": counter, "oran_delivery": oran_delivery,
            "exchange": exchange}


@pytest.fixture
def products(poste):
    from bawaba.postal.models import Product, TariffLine, TariffVersion

    registered = Product.objects.create(organisation=poste, code="registered", indicator="RR",
                                        name_fr="Lettre recommandée", name_ar="رسالة مضمونة", target_days=3)
    parcel = Product.objects.create(organisation=poste, code="parcel", indicator="CP", name_fr="Colis postal",
                                    name_ar="طرد بريدي", max_weight_g=30000, target_days=5)
    ems = Product.objects.create(organisation=poste, code="ems", indicator="EE", name_fr="EMS", target_days=1)
    tariff = TariffVersion.objects.create(organisation=poste, label="Tarif 2026", valid_from=dt.date(2026, 1, 1))
    for product, bands in ((registered, [(20, "120.00"), (100, "180.00"), (2000, "350.00")]),
                           (parcel, [(1000, "450.00"), (5000, "800.00"), (30000, "1900.00")]),
                           (ems, [(500, "900.00"), (2000, "1400.00")])):
        for max_g, price in bands:
            TariffLine.objects.create(version=tariff, product=product, max_weight_g=max_g, price=Decimal(price),
                                      value_rate=Decimal("0.0100"))
    return {"registered": registered, "parcel": parcel, "ems": ems, "tariff": tariff}


@pytest.fixture
def ranges(products, network):
    from bawaba.postal.numbering import do_create_range

    return {code: do_create_range(product, first=10_000_000, last=10_999_999)
            for code, product in products.items() if code != "tariff"}


def _postal_staff(org, username, roles, *, office=None, region=None):
    from bawaba.orgs.services import do_add_staff
    from bawaba.postal.models import PostalStaff

    user = do_add_staff(org, {"username": username, "roles": roles, "password": "correct horse 42"})
    PostalStaff.objects.create(user=user, office=office, region=region)
    return user


@pytest.fixture
def clerk(poste, network):
    return _postal_staff(poste, "poste.clerk", ["postal.clerk"], office=network["counter"])


@pytest.fixture
def postman(poste, network):
    return _postal_staff(poste, "poste.postman", ["postal.postman"], office=network["delivery"])


@pytest.fixture
def sorter(poste, network):
    return _postal_staff(poste, "poste.sorter", ["postal.sorter"], office=network["sorting"])


@pytest.fixture
def supervisor(poste, network):
    return _postal_staff(poste, "poste.supervisor", ["postal.supervisor"], region=network["sorting"].region)


@pytest.fixture
def make_item(poste, products, ranges, network):
    """An accepted item stored directly (the counter's own tests go through the counter)."""
    from bawaba.postal.models import Item
    from bawaba.postal.numbering import allocate

    def make(product="registered", *, delivery="delivery", when=None, **fields):
        when = when or timezone.now() - dt.timedelta(days=2)
        values = {
            "organisation": poste, "product": products[product], "origin_country": "DZ",
            "destination_country": "DZ", "sender_name": "Samir Ouali", "sender_phone": "+213550000001",
            "recipient_name": "Nadia Belkacem", "recipient_phone": "+213661234567",
            "recipient_street": "12 rue Didouche Mourad", "recipient_commune": network[delivery].commune,
            "recipient_region": network[delivery].region,
            "recipient_postcode": network[delivery].commune.postal_code, "weight_g": 50,
            "accepted_at": when, "accepted_office": network["counter"], "delivery_office": network[delivery],
            "created_at": when, "status": "accepted",
        }
        values.update(fields)
        number = values.pop("number", None) or str(allocate(products[product], network["counter"], now=when))
        return Item.objects.create(number=number, **values)

    return make


@pytest.fixture
def draw_at_once(products):
    """Draws S10 numbers on several threads at once, each on its own connection (PostgreSQL's row locks are what
    such a test checks: it is skipped on SQLite, which serialises writers anyway).

    `draw_at_once([(rounds, draw), ...])` creates a range of 1 to 10 000 for registered letters, starts one thread
    a drawer, all released together, each calling its `draw()` `rounds` times in a transaction of its own; it
    returns every number drawn (as text) once all have finished, and raises what a drawer raised."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    from bawaba.postal.numbering import do_create_range

    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serialises writers anyway")

    def run(drawers):
        do_create_range(products["registered"], first=1, last=10_000)
        barrier = threading.Barrier(len(drawers))

        def work(rounds, draw):
            try:
                barrier.wait(timeout=30)
                numbers = []
                for _ in range(rounds):
                    with transaction.atomic():
                        numbers.extend(str(number) for number in draw())
                return numbers
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=len(drawers)) as pool:
            running = [pool.submit(work, *drawer) for drawer in drawers]
        return [number for drawer in running for number in drawer.result()]

    return run
