"""Demo data for the fibre app: `manage.py fibre_demo` (after `bawaba demo load`, or on its own).

Creates Algérie Télécom's "FTTH 2027" programme, the default price schedule, two contractor organisations
(fibre.contractor1 / fibre.contractor2, password bawaba-demo), an inspector (at.inspector) and a billing
administrator (at.billing), sites and work orders in Alger, Blida and Oran, and a few field reports:
accepted, rejected and doubtful (in the inspector's queue).
"""

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bawaba.deployments import services
from bawaba.deployments.models import Programme
from bawaba.orgs.models import Organisation
from bawaba.orgs.services import do_add_staff, do_onboard_organisation

PASSWORD = "bawaba-demo"  # noqa: S105 - the documented demo password, as in `bawaba demo load`
# Wilaya capitals (approximate centres) used to scatter demo sites.
CENTRES = {"16": (36.7538, 3.0588), "09": (36.4700, 2.8277), "31": (35.6971, -0.6308)}


class Command(BaseCommand):
    help = "Load demo fibre deployment data (programme, contractors, work orders, reports)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=30, help="Work orders per contractor")

    def handle(self, *args, orders, **options):
        if Programme.objects.filter(code="ftth-2027").exists():
            self.stdout.write("The fibre demo is loaded already.")
            return
        random.seed(2027)
        with transaction.atomic():
            operator = Organisation.objects.filter(slug="algerie-telecom").first()
            if operator is None:
                demo = Path(settings.BASE_DIR) / "bawaba" / "demo" / "organisations.json"
                spec = next(o for o in json.loads(demo.read_text(encoding="utf-8")) if o["slug"] == "algerie-telecom")
                operator = do_onboard_organisation(spec)
            inspector = do_add_staff(operator, {"username": "at.inspector", "roles": ["fibre.inspector"],
                                                "password": PASSWORD,
                                                "first_name": "Nadia", "last_name": "Inspectrice"})
            do_add_staff(operator, {"username": "at.billing", "roles": ["fibre.billing"], "password": PASSWORD,
                                    "first_name": "Samir", "last_name": "Comptable"})
            programme = services.do_create_programme(operator, {
                "code": "ftth-2027", "name_fr": "Fibre pour tous 2027", "name_ar": "الألياف للجميع 2027",
                "name_en": "Fibre for all 2027", "target_homes_passed": 2000, "target_homes_connected": 600,
                "target_sites": 20})
            version = services.do_publish_price_schedule(operator)
            contractors = []
            for number, wilayas in ((1, ["16", "09"]), (2, ["31"])):
                org = do_onboard_organisation({
                    "slug": f"fibre-co-{number}", "kind": "contractor", "name_fr": f"Fibre Travaux {number} SARL",
                    "name_ar": f"مؤسسة أشغال الألياف {number}",
                    # A fictitious 15-digit NIF: a contractor's e-invoice charges VAT, which needs the seller's
                    # tax identifier (EN 16931 BR-S-02).
                    "tax_identifier": f"00216{number:010d}"})
                worker = do_add_staff(org, {"username": f"fibre.contractor{number}",
                                            "roles": ["fibre.contractor_manager"],
                                            "password": PASSWORD, "first_name": "Installateur",
                                            "last_name": str(number)})
                contract = services.do_create_contract(
                    programme, org, version, reference=f"AT-FTTH-2026-{number:03d}", wilayas=wilayas,
                    starts_on=dt.date(2026, 1, 1), retention_rate="0.05", advance_amount="200000",
                    advance_recovery_rate="0.10", penalty_per_day="1000", penalty_cap_rate="0.10")
                contractors.append((org, worker, contract, wilayas))
            from bawaba.deployments.tests.factories import FTTH_ITEMS, SITE_ITEMS, make_site

            kinds = ["building", "home", "home", "hospital", "civil_registry", "court", "ministry"]
            count = 0
            created = []
            for _org, worker, contract, wilayas in contractors:
                for index in range(orders):
                    wilaya = wilayas[index % len(wilayas)]
                    lat, lon = CENTRES[wilaya]
                    kind = kinds[index % len(kinds)]
                    count += 1
                    site = make_site(programme, f"DZ{wilaya}-{count:04d}", kind=kind, region_code=wilaya,
                                     lat=Decimal(f"{lat + random.uniform(-0.03, 0.03):.6f}"),
                                     lon=Decimal(f"{lon + random.uniform(-0.03, 0.03):.6f}"),
                                     homes=random.choice([1, 8, 12, 24]) if kind == "building" else 1)
                    items = SITE_ITEMS if kind not in ("home", "building") else FTTH_ITEMS
                    wo = services.do_create_work_order(
                        contract, site, reference=f"OT-{count:05d}", items=items,
                        due_on=timezone.localdate() + dt.timedelta(days=random.randint(-10, 60)))
                    created.append((worker, wo))
        self._reports(created, inspector)
        self.stdout.write(self.style.SUCCESS(
            f"Fibre demo: {len(created)} work orders for {len(contractors)} contractors. Logins (password "
            f"{PASSWORD}): fibre.contractor1, fibre.contractor2, at.inspector (inspector), at.billing (billing)."))

    def _reports(self, created, inspector):
        from bawaba.deployments.tests.factories import good_report

        class World:  # the minimal shape good_report() needs
            def __init__(self, work_order):
                self.work_order = work_order

            def item(self, code, work_order=None):
                return (work_order or self.work_order).items.get(price_item__code=code)

        for number, (worker, wo) in enumerate(created[:12]):
            world = World(wo)
            first = "SRV-01" if wo.kind == "ftth" else "SITE-SRV"
            services.do_submit_field_report(worker, wo, **good_report(world, first))
            if number % 4 == 1 and wo.kind == "ftth":  # rejected: receive power too low
                services.do_submit_field_report(worker, wo, **good_report(world, "ONT-01", ont_rx_power_dbm="-29.4"))
            if number % 4 == 2 and wo.kind == "ftth":  # doubtful: 70 m away from the site
                services.do_submit_field_report(worker, wo, **good_report(
                    world, "GC-01", 5, latitude=str(wo.site.latitude + Decimal("0.00063"))))
