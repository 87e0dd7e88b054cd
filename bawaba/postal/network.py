"""The postal network: offices imported from CSV or XLSX, every row checked first, then all stored or nothing.

Columns (header names, case-insensitive; French aliases accepted):
  code*, kind* (post_office, delivery_office, sorting_centre, exchange_office — or bureau_de_poste,
  distribution, centre_de_tri, bureau_d_echange), name_fr*, name_ar, name_en, region* (wilaya code "16", or
  Congolese department code "CG-BZV" / "BZV", or its name), commune (Algeria: postcode or name), address,
  latitude, longitude, hours ("sun-thu 08:00-16:30; sat 08:00-12:00"; days mon..sun or lun..dim), services
  ("registered|parcels|ems"), parent (code of the sorting centre or office of exchange serving it, in the file or
  already stored), impc (offices of exchange: UPU IMPC code, six characters starting with the country), active
  (yes/no, default yes).

An office whose code exists already is updated (a network file can be sent again after corrections); others are
created. A supervisor whose posting names a region imports offices of that region only.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bawaba.core.tabular import ImportResult, RowError, read_table
from bawaba.core.textnorm import normalise
from bawaba.postal.models import Office, OfficeKind, OfficeService

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
ALIASES = {
    "code": ["code", "office_code", "code_bureau", "code_etablissement"],
    "kind": ["kind", "type", "type_bureau", "nature"],
    "name_fr": ["name_fr", "nom_fr", "nom", "name"],
    "name_ar": ["name_ar", "nom_ar", "الاسم"],
    "name_en": ["name_en", "nom_en"],
    "region": ["region", "wilaya", "departement", "département", "department", "code_wilaya"],
    "commune": ["commune", "code_postal", "postal_code", "postcode"],
    "address": ["address", "adresse"],
    "latitude": ["latitude", "lat"],
    "longitude": ["longitude", "lon", "lng"],
    "hours": ["hours", "horaires", "opening_hours"],
    "services": ["services", "prestations"],
    "parent": ["parent", "served_by", "centre_de_tri", "rattachement"],
    "impc": ["impc", "code_impc"],
    "active": ["active", "actif", "is_active"],
}
REQUIRED = ["code", "kind", "name_fr", "region"]
KIND_ALIASES = {
    "bureau_de_poste": OfficeKind.POST_OFFICE, "bureau": OfficeKind.POST_OFFICE, "recette": OfficeKind.POST_OFFICE,
    "distribution": OfficeKind.DELIVERY_OFFICE, "centre_de_distribution": OfficeKind.DELIVERY_OFFICE,
    "centre_de_tri": OfficeKind.SORTING_CENTRE, "tri": OfficeKind.SORTING_CENTRE,
    "bureau_d_echange": OfficeKind.EXCHANGE_OFFICE, "bureau_echange": OfficeKind.EXCHANGE_OFFICE,
}
PARENT_KINDS = (OfficeKind.SORTING_CENTRE, OfficeKind.EXCHANGE_OFFICE)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_ALIASES = {"lun": "mon", "mar": "tue", "mer": "wed", "jeu": "thu", "ven": "fri", "sam": "sat", "dim": "sun"}
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$")
IMPC = re.compile(r"^[A-Z]{2}[A-Z0-9]{4}$")
TIME_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
YES = {"yes", "oui", "1", "true", "vrai", "y", "o", ""}
NO = {"no", "non", "0", "false", "faux", "n"}


# ------------------------------------------------------------------------------------------------- reading


def read_rows(upload) -> list[list[str]]:
    """The cells of a CSV or XLSX file (first sheet), as text (bawaba.core.tabular: encodings detected)."""
    upload.seek(0)
    return read_table(upload.read(), max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


def parse_hours(raw: str) -> dict | None:
    """ "sun-thu 08:00-16:30; sat 08:00-12:00" -> {"sun": [["08:00", "16:30"]], ...}; None when unreadable."""
    hours: dict[str, list[list[str]]] = {}
    for part in re.split(r"[;\n]+", raw.strip().lower()):
        part = part.strip()
        if not part:
            continue
        pieces = part.split(None, 1)
        if len(pieces) != 2:
            return None
        days_text, spans_text = pieces
        first, _sep, last = days_text.partition("-")
        first, last = DAY_ALIASES.get(first, first), DAY_ALIASES.get(last or first, last or first)
        if first not in DAYS or last not in DAYS:
            return None
        start, end = DAYS.index(first), DAYS.index(last)
        days = DAYS[start:end + 1] if start <= end else DAYS[start:] + DAYS[:end + 1]
        spans = []
        for span in spans_text.replace(" ", "").replace("h", ":").split(","):
            match = TIME_SPAN.match(span)
            if not match or span.split("-")[0] >= span.split("-")[1]:
                return None
            spans.append(span.split("-"))
        for day in days:
            hours.setdefault(day, []).extend(spans)
    return hours


def _number(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


# ------------------------------------------------------------------------------------------------- import


def import_offices(upload, *, organisation, actor=None, filename: str = "") -> ImportResult:
    """Check every row, then create or update the offices in one transaction, or store nothing."""
    from bawaba.geo.models import Commune, Region
    from bawaba.postal.permissions import SUPERVISOR, posting

    rows = read_rows(upload)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValidationError(_("The first line must name the columns."))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(_("At most %(n)s rows per import.") % {"n": MAX_ROWS})
    header = [normalise(cell).replace(" ", "_").replace("-", "_").replace("'", "_") for cell in rows[0]]
    columns: dict[str, int] = {}
    for name, aliases in ALIASES.items():
        for alias in aliases:
            key = normalise(alias).replace(" ", "_")
            if key in header:
                columns[name] = header.index(key)
                break
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})

    country = (organisation.country or "DZ").upper()
    only_region = None
    if actor is not None and not actor.is_platform_admin and actor.has_role(SUPERVISOR):
        staff = posting(actor)
        only_region = staff.region_id if staff is not None else None
    regions: dict[str, Region] = {}
    for region in Region.objects.filter(country=country):
        regions[region.code.upper()] = region
        if region.code.upper().startswith(f"{country}-"):
            regions.setdefault(region.code.upper()[len(country) + 1:], region)
        for name in (region.name_fr, region.name_ar, region.name_en):
            if name:
                regions.setdefault(normalise(name), region)
    communes_by_postcode: dict[str, list] = {}
    communes_by_name: dict[tuple[int, str], object] = {}
    for commune in Commune.objects.filter(region__country=country):
        if commune.postal_code:
            communes_by_postcode.setdefault(commune.postal_code, []).append(commune)
        for name in (commune.name_fr, commune.name_ar):
            if name:
                communes_by_name.setdefault((commune.region_id, normalise(name)), commune)
    existing = {o.code.upper(): o for o in Office.objects.filter(organisation=organisation)}
    result = ImportResult()
    planned: list[dict] = []
    seen: dict[str, int] = {}
    file_kinds: dict[str, str] = {}

    def err(line, column, message):
        result.errors.append(RowError(line, column, message))

    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        result.rows += 1

        def cell(name, row=row):
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        before = len(result.errors)
        for name in REQUIRED:
            if not cell(name):
                err(line, name, _("This value is required."))
        code = cell("code").upper()
        if code and not CODE.match(code):
            err(line, "code", _("An office code has at most 20 letters, digits, dots, dashes or underscores."))
        elif code in seen:
            err(line, "code", _("Office %(code)s already appears on line %(line)s.") % {"code": code,
                                                                                         "line": seen[code]})
        seen.setdefault(code, line)
        raw_kind = normalise(cell("kind")).replace(" ", "_").replace("'", "_")
        kind = raw_kind if raw_kind in OfficeKind.values else KIND_ALIASES.get(raw_kind)
        if cell("kind") and kind is None:
            err(line, "kind", _("Unknown kind “%(kind)s” (expected one of: %(kinds)s).")
                % {"kind": cell("kind")[:40], "kinds": ", ".join(OfficeKind.values)})
        raw_region = cell("region")
        region_key = raw_region.upper()
        if region_key.isdigit():
            region_key = region_key.zfill(2)
        region = regions.get(region_key) or regions.get(normalise(raw_region))
        if raw_region and region is None:
            err(line, "region", _("“%(region)s” is not a region of %(country)s.") % {"region": raw_region[:40],
                                                                                     "country": country})
        elif region is not None and only_region and region.pk != only_region:
            err(line, "region", _("You may import offices of your own region only."))
        commune = None
        if cell("commune") and region is not None:
            raw = cell("commune")
            if raw.isdigit():
                candidates = [c for c in communes_by_postcode.get(raw, []) if c.region_id == region.pk]
                commune = candidates[0] if candidates else None
            else:
                commune = communes_by_name.get((region.pk, normalise(raw)))
            if commune is None:
                err(line, "commune", _("Commune “%(commune)s” is not in region %(region)s.")
                    % {"commune": raw[:60], "region": region.name})
        latitude, longitude = _number(cell("latitude")), _number(cell("longitude"))
        if cell("latitude") and (latitude is None or not -90 <= latitude <= 90):
            err(line, "latitude", _("The latitude must be a number between -90 and 90."))
        if cell("longitude") and (longitude is None or not -180 <= longitude <= 180):
            err(line, "longitude", _("The longitude must be a number between -180 and 180."))
        if bool(cell("latitude")) != bool(cell("longitude")):
            err(line, "latitude", _("Give both the latitude and the longitude, or neither."))
        hours = {}
        if cell("hours"):
            hours = parse_hours(cell("hours"))
            if hours is None:
                err(line, "hours", _("Write the hours as “sun-thu 08:00-16:30; sat 08:00-12:00”."))
        services = []
        for part in re.split(r"[|;,\s]+", cell("services").lower()):
            if not part:
                continue
            if part not in OfficeService.values:
                err(line, "services", _("Unknown service “%(service)s” (expected: %(services)s).")
                    % {"service": part[:30], "services": ", ".join(OfficeService.values)})
            elif part not in services:
                services.append(part)
        impc = cell("impc").upper()
        if impc and (not IMPC.match(impc) or impc[:2] != country):
            err(line, "impc", _("An IMPC code has six letters or digits and starts with %(country)s.")
                % {"country": country})
        active = cell("active").lower()
        if active not in YES and active not in NO:
            err(line, "active", _("Write yes or no."))
        parent = cell("parent").upper()
        if parent and parent == code:
            err(line, "parent", _("An office cannot be served by itself."))
        for field, limit in (("name_fr", 150), ("name_ar", 150), ("name_en", 150), ("address", 255)):
            if len(cell(field)) > limit:
                err(line, field, _("At most %(n)s characters.") % {"n": limit})
        if kind:
            file_kinds[code] = kind
        if len(result.errors) == before:
            planned.append({
                "line": line, "code": code, "kind": kind, "name_fr": cell("name_fr"), "name_ar": cell("name_ar"),
                "name_en": cell("name_en"), "region": region, "commune": commune, "address": cell("address"),
                "latitude": latitude.quantize(Decimal("0.000001")) if latitude is not None else None,
                "longitude": longitude.quantize(Decimal("0.000001")) if longitude is not None else None,
                "hours": hours, "services": services, "impc": impc, "is_active": active not in NO,
                "parent": parent,
            })
    if result.rows == 0:
        raise ValidationError(_("The file has no data rows."))
    for entry in planned:  # parents: in the file or already stored, and a sorting centre or office of exchange
        parent = entry["parent"]
        if not parent:
            continue
        parent_kind = file_kinds.get(parent) or (existing[parent].kind if parent in existing else None)
        if parent_kind is None:
            result.errors.append(RowError(entry["line"], "parent", _("No office %(code)s in the file or the network.")
                                          % {"code": parent}))
        elif parent_kind not in PARENT_KINDS:
            result.errors.append(RowError(entry["line"], "parent", _("Office %(code)s is not a sorting centre or an "
                                                                     "office of exchange.") % {"code": parent}))
    if only_region:
        for entry in planned:
            known = existing.get(entry["code"])
            if known is not None and known.region_id != only_region:
                result.errors.append(RowError(entry["line"], "code", _("Office %(code)s belongs to another region.")
                                              % {"code": entry["code"]}))
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result
    try:
        return _store(result, planned, existing, organisation=organisation)
    except IntegrityError:
        result.errors.append(RowError(0, "-", _("Another import stored some of these offices at the same moment: "
                                                "nothing was imported; send the file again.")))
        return result


FIELDS = ["kind", "name_fr", "name_ar", "name_en", "region", "commune", "address", "latitude", "longitude", "hours",
          "services", "impc", "is_active"]


def _store(result: ImportResult, planned: list[dict], existing: dict, *, organisation) -> ImportResult:
    with transaction.atomic():
        new, changed = [], []
        for entry in planned:
            office = existing.get(entry["code"])
            values = {name: entry[name] for name in FIELDS}
            if office is None:
                new.append(Office(organisation=organisation, code=entry["code"], **values))
            else:
                for name, value in values.items():
                    setattr(office, name, value)
                changed.append(office)
        Office.objects.bulk_create(new, batch_size=1000)
        Office.objects.bulk_update(changed, FIELDS, batch_size=1000)
        offices = {o.code.upper(): o for o in Office.objects.filter(organisation=organisation)}
        with_parent = []
        for entry in planned:
            office = offices[entry["code"]]
            parent_id = offices[entry["parent"]].pk if entry["parent"] else None
            if office.parent_id != parent_id:
                office.parent_id = parent_id
                with_parent.append(office)
        Office.objects.bulk_update(with_parent, ["parent"], batch_size=1000)
    result.created, result.updated = len(new), len(changed)
    return result


def offices_as_rows(offices) -> list[list[str]]:
    """The offices in the import's own columns (an export that imports back unchanged)."""
    header = ["code", "kind", "name_fr", "name_ar", "name_en", "region", "commune", "address", "latitude",
              "longitude", "hours", "services", "parent", "impc", "active"]
    rows = [header]
    for office in offices.select_related("region", "commune", "parent"):
        hours = "; ".join(f"{day} {','.join('-'.join(span) for span in spans)}"
                          for day, spans in (office.hours or {}).items())
        rows.append([office.code, office.kind, office.name_fr, office.name_ar, office.name_en, office.region.code,
                     office.commune.postal_code if office.commune else "", office.address,
                     str(office.latitude or ""), str(office.longitude or ""), hours, "|".join(office.services or []),
                     office.parent.code if office.parent else "", office.impc, "yes" if office.is_active else "no"])
    return rows
