"""Builders for fibre tests (also used by the UI helper's view tests and the benchmark's sanity checks)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

# Algiers Grande Poste, the planned site of the default work order.
SITE_LAT = Decimal("36.775300")
SITE_LON = Decimal("3.059700")
_counter = itertools.count(1)


def make_photo(*, seed: int | None = None, taken_at: dt.datetime | None = None, lat: float | None = None,
               lon: float | None = None, size=(32, 24), fmt="JPEG", name=None) -> SimpleUploadedFile:
    """A small real image with unique pixels (so a unique sha256) and optional EXIF time and GPS."""
    from PIL import Image

    seed = next(_counter) if seed is None else seed
    image = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    image.putpixel((0, 0), (seed % 256, (seed // 256) % 256, (seed // 65536) % 256))
    exif = Image.Exif()
    if taken_at is not None:
        from PIL import ExifTags

        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        exif_ifd[ExifTags.Base.DateTimeOriginal] = timezone.localtime(taken_at).strftime("%Y:%m:%d %H:%M:%S")
        exif_ifd[ExifTags.Base.OffsetTimeOriginal] = timezone.localtime(taken_at).strftime("%z")[:3] + ":" + \
            timezone.localtime(taken_at).strftime("%z")[3:]
    if lat is not None and lon is not None:
        from PIL import ExifTags

        def dms(value):
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 4)
            return (float(d), float(m), float(s))

        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = dms(lon)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name or f"photo-{seed}.{fmt.lower()[:3]}", buffer.getvalue(), content_type=content_type)


def scene_image(seed: int, size=(640, 480)):
    """A picture with detail (blurred overlapping shapes, different for each seed), as a Pillow image."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        box = [x0, y0, x0 + rng.randrange(40, 300), y0 + rng.randrange(40, 250)]
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return image.filter(ImageFilter.GaussianBlur(2))


def image_bytes(image, fmt="JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def scene_photo(seed: int, variant: str = "original", name=None) -> SimpleUploadedFile:
    """A photo of scene `seed` (JPEG, quality 90) or one of the ways a photo is passed off as new: re-saved as JPEG at
    another quality, converted to PNG, one byte appended, resized to 90 %, cropped by 2 % on each side."""
    from PIL import Image

    original = image_bytes(scene_image(seed), "JPEG", quality=90)
    image = Image.open(io.BytesIO(original))
    width, height = image.size
    data, fmt = {
        "original": lambda: (original, "jpg"),
        "resaved": lambda: (image_bytes(image, "JPEG", quality=70), "jpg"),
        "png": lambda: (image_bytes(image, "PNG"), "png"),
        "byte_appended": lambda: (original + b"\0", "jpg"),
        "resized": lambda: (image_bytes(image.resize((width * 9 // 10, height * 9 // 10)), "JPEG", quality=90), "jpg"),
        "cropped": lambda: (image_bytes(image.crop((width // 50, height // 50, width - width // 50,
                                                    height - height // 50)), "JPEG", quality=90), "jpg"),
    }[variant]()
    return SimpleUploadedFile(name or f"scene-{seed}-{variant}.{fmt}", data,
                              content_type="image/png" if fmt == "png" else "image/jpeg")


@dataclass
class FibreWorld:
    operator: object
    programme: object
    version: object
    contractor: object
    other_contractor: object
    contract: object
    other_contract: object
    worker: object
    other_worker: object
    inspector: object
    billing_admin: object
    operator_agent: object
    site: object
    work_order: object
    site_order: object

    def item(self, code, work_order=None):
        return (work_order or self.work_order).items.get(price_item__code=code)


def identification(number: int, **overrides) -> dict:
    """A complete, well-formed (fictitious) Algerian legal identification: statements need one per party."""
    return {"legal_form": "SARL", "address": f"{number} rue des Frères Bouadou, Bir Mourad Raïs, Alger",
            "tax_identifier": f"0016{number:011d}", "statistical_identifier": f"0981{number:011d}",
            "trade_register_number": f"16/00-{number:07d} B 15", "tax_article_number": f"160{number:08d}",
            **overrides}


OPERATOR_IDENTIFICATION = identification(1, legal_form="SPA", address="Route nationale n° 5, Bab Ezzouar, Alger")


def identify(organisation, **values):
    """Give an organisation its legal identification (as its administrator would on its page)."""
    from bawaba.orgs.models import Organisation

    Organisation.objects.filter(pk=organisation.pk).update(**values)
    for name, value in values.items():
        setattr(organisation, name, value)
    return organisation


def make_contractor(slug: str, username: str, number: int = 2):
    from bawaba.orgs.services import do_add_staff, do_onboard_organisation

    org = do_onboard_organisation({"slug": slug, "kind": "contractor", "name_fr": f"Entreprise {slug}",
                                   "name_ar": f"مؤسسة {slug}", **identification(number)})
    user = do_add_staff(org, {"username": username, "roles": ["fibre.contractor_manager"],
                              "password": "correct horse 42"})
    return org, user


def make_site(programme, code, *, kind="home", region_code="16", lat=SITE_LAT, lon=SITE_LON, homes=1, name=""):
    from bawaba.geo.models import Commune, Region

    from ..models import Site

    region = Region.objects.get(country="DZ", code=region_code)
    return Site.objects.create(programme=programme, code=code, kind=kind, region=region,
                               commune=Commune.objects.filter(region=region).first(), latitude=lat, longitude=lon,
                               homes=homes, name=name or code)


FTTH_ITEMS = [("SRV-01", 1), ("GC-01", 20), ("CAB-01", 120), ("EPI-01", 4), ("PBO-01", 1), ("DRP-01", 1),
              ("ONT-01", 1), ("ACT-01", 1)]
SITE_ITEMS = [("SITE-SRV", 1), ("SITE-CNX", 1), ("SITE-WIFI", 3)]


def fibre_world(orgs, *, inspector, billing_admin, operator_agent, **contract_terms) -> FibreWorld:
    """Algérie Télécom's FTTH programme with two contractors, a home site and a hospital site in Alger."""
    from ..work import setup as work_setup

    operator = identify(orgs["algerie-telecom"], **OPERATOR_IDENTIFICATION)
    programme = work_setup.do_create_programme(operator, {
        "code": "ftth-2027", "name_fr": "FTTH 2027", "name_ar": "الألياف 2027", "target_homes_passed": 100,
        "target_homes_connected": 50, "target_sites": 10})
    version = work_setup.do_publish_price_schedule(operator)
    contractor, worker = make_contractor("fibre-co-1", "fibre.worker1", 2)
    other_contractor, other_worker = make_contractor("fibre-co-2", "fibre.worker2", 3)
    terms = {"retention_rate": "0.05", "advance_amount": "100000", "advance_recovery_rate": "0.10",
             "penalty_per_day": "1000", "penalty_cap_rate": "0.10", **contract_terms}
    contract = work_setup.do_create_contract(programme, contractor, version, reference="CT-2026-001",
                                           wilayas=["16", "09"], starts_on=dt.date(2026, 1, 1), **terms)
    other_contract = work_setup.do_create_contract(programme, other_contractor, version, reference="CT-2026-002",
                                                 wilayas=["16"], starts_on=dt.date(2026, 1, 1))
    site = make_site(programme, "S-0001", kind="building", homes=12, name="Immeuble 12 rue Didouche Mourad")
    hospital = make_site(programme, "S-0002", kind="hospital", lat=Decimal("36.760000"), lon=Decimal("3.050000"),
                         name="Hôpital Mustapha Pacha")
    work_order = work_setup.do_create_work_order(contract, site, reference="WO-0001", items=FTTH_ITEMS,
                                               due_on=timezone.localdate() + dt.timedelta(days=30))
    site_order = work_setup.do_create_work_order(contract, hospital, reference="WO-0002", items=SITE_ITEMS,
                                               due_on=timezone.localdate() + dt.timedelta(days=30))
    return FibreWorld(operator, programme, version, contractor, other_contractor, contract, other_contract, worker,
                      other_worker, inspector, billing_admin, operator_agent, site, work_order, site_order)


def good_report(world: FibreWorld, code="ONT-01", quantity=1, *, photos=2, work_order=None, **overrides) -> dict:
    """Keyword arguments for do_submit_field_report that pass every rule for `code`."""
    now = timezone.now()
    item = world.item(code, work_order)
    values = {
        "client_uuid": str(uuid.uuid4()),
        "items": [{"work_item": item.id, "quantity": str(quantity)}],
        "latitude": str((work_order or world.work_order).site.latitude),
        "longitude": str((work_order or world.work_order).site.longitude),
        "gps_accuracy_m": "6",
        "device_started_at": (now - dt.timedelta(hours=1)).isoformat(),
        "device_reported_at": now.isoformat(),
        "ont_serial": f"HWTC{next(_counter):08X}",
        "ont_rx_power_dbm": "-19.5",
        "link_loss_db": "21.0",
        "splice_losses_db": ["0.03", "0.05", "0.04", "0.02"],
        "photos": photos if isinstance(photos, list) else [
            make_photo(taken_at=now - dt.timedelta(minutes=30)) for _ in range(photos)],
    }
    values.update(overrides)
    return values


def accepted_line(world: FibreWorld, code: str, quantity, at: dt.datetime, *, work_order=None):
    """An accepted item billed at `at`, without the evidence pipeline (for billing arithmetic tests)."""
    from ..field import lines as field_lines
    from ..models import Decision, FieldReport, ReportedItem

    work_order = work_order or world.work_order
    work_item = world.item(code, work_order)
    report = FieldReport.objects.create(client_uuid=uuid.uuid4(), work_order=work_order,
                                        contractor_id=work_order.contract.contractor_id, reported_by=world.worker,
                                        received_at=at)
    reported = ReportedItem.objects.create(report=report, work_item=work_item, quantity=Decimal(str(quantity)),
                                           decision=Decision.ACCEPTED, decided_at=at, auto_decision=Decision.ACCEPTED)
    return field_lines.post_billing_line(reported, work_item=work_item, work_order=work_order, at=at)
