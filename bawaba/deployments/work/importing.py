"""Import sites and work orders from CSV or XLSX: every row checked first, then all stored or nothing.

Columns (header names, case-insensitive; French aliases accepted):
  site_code*, site_kind* (home, building, ministry, civil_registry, hospital, court, school, town_hall,
  administration), site_name, address, wilaya* (code, e.g. 16), commune (postal code or name), latitude*,
  longitude*, homes, work_order*, kind (ftth | site, default from the site kind), due_on (YYYY-MM-DD or
  DD/MM/YYYY), items ("SRV-01:1; GC-01:20"), and/or one column per price item code holding its quantity.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.tabular import ImportResult, RowError, read_table
from bawaba.core.textnorm import normalise
from bawaba.geo.locate import position_problem

from ..common.permissions import is_inspector
from .models import HOME_KINDS, DeploymentEvent, EventKind, Site, SiteKind, WorkItem, WorkOrder, WorkOrderKind

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
POSTAL_CODE_DIGITS = 5  # Algerian postal codes: the wilaya's two digits, then three
ALIASES = {
    "site_code": ["site_code", "code_site", "site"],
    "site_kind": ["site_kind", "type_site", "kind_site", "type"],
    "site_name": ["site_name", "nom_site", "nom", "name"],
    "address": ["address", "adresse"],
    "wilaya": ["wilaya", "wilaya_code", "code_wilaya", "region"],
    "commune": ["commune", "code_postal", "postal_code"],
    "latitude": ["latitude", "lat"],
    "longitude": ["longitude", "lon", "lng"],
    "homes": ["homes", "logements", "foyers"],
    "work_order": ["work_order", "ordre_de_travail", "ot", "reference"],
    "kind": ["kind", "wo_kind", "type_ot"],
    "due_on": ["due_on", "echeance", "date_limite", "due_date"],
    "items": ["items", "articles", "prestations"],
}
REQUIRED = ["site_code", "site_kind", "wilaya", "latitude", "longitude", "work_order"]


@dataclass
class WorkOrderImport(ImportResult):
    """An import of sites and work orders counts what it created and the sites it found already there."""

    created_sites: int = 0
    reused_sites: int = 0
    created_work_orders: int = 0
    created_items: int = 0


def _read_rows(upload, filename: str) -> list[list[str]]:
    upload.seek(0)
    return read_table(upload.read(), max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


def _date(raw: str) -> dt.date | None:
    raw = raw.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def _number(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def import_work_orders(upload, *, contract, actor=None, filename: str = "", now: dt.datetime | None = None
                       ) -> WorkOrderImport:
    """Check every row, then create sites, work orders and work items in one transaction, or nothing.

    `now` dates the orders and the audit record (default: the clock; the demo data replays history with it)."""
    from bawaba.geo.models import Commune


    if actor is not None and not (is_inspector(actor, contract.programme)):
        raise PermissionDenied(_("Only a supervisor of the operator can import work orders."))
    rows = _read_rows(upload, filename)
    result = WorkOrderImport()
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValidationError(_("The first line must name the columns."))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(_("At most %(n)s rows per import.") % {"n": MAX_ROWS})

    header = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in rows[0]]
    prices = {p.code.upper(): p for p in contract.price_schedule_version.items.all()}
    price_columns = {i: prices[cell.strip().upper()] for i, cell in enumerate(rows[0])
                     if cell.strip().upper() in prices}
    columns: dict[str, int] = {}
    for name, aliases in ALIASES.items():
        for alias in aliases:
            if alias in header:
                columns[name] = header.index(alias)
                break
    missing = [name for name in REQUIRED if name not in columns]
    if not ("items" in columns or price_columns):
        missing.append("items")
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})

    wilayas = {r.code: r for r in contract.wilayas.all()}
    # By wilaya and postal code, as by wilaya and name: the same code may be listed under several wilayas.
    communes_by_postal: dict[tuple[int, str], Commune] = {}
    communes_by_name: dict[tuple[int, str], Commune] = {}
    for commune in Commune.objects.filter(region__in=wilayas.values()):
        if commune.postal_code:
            communes_by_postal.setdefault((commune.region_id, commune.postal_code), commune)
        communes_by_name.setdefault((commune.region_id, normalise(commune.name_fr)), commune)
        if commune.name_ar:
            communes_by_name.setdefault((commune.region_id, normalise(commune.name_ar)), commune)
    existing_sites = {s.code: s for s in Site.objects.filter(programme=contract.programme)}
    seen_orders: dict[str, int] = {}
    seen_sites: dict[str, tuple] = {}
    planned: list[dict] = []

    def err(line, column, message):
        result.errors.append(RowError(line, column, message))

    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        result.rows += 1

        def cell(name, row=row):
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        errors_before = len(result.errors)
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            err(line, "-", _("This line has %(n)s values but the header names %(m)s columns; quote values that "
                             "contain the separator.") % {"n": len(row), "m": len(header)})
        for name in REQUIRED:
            if not cell(name):
                err(line, name, _("This value is required."))
        site_code, reference = cell("site_code")[:40], cell("work_order")[:40]
        kind = cell("site_kind").lower()
        if kind and kind not in SiteKind.values:
            err(line, "site_kind", _("Unknown site kind “%(kind)s” (expected one of: %(kinds)s).")
                % {"kind": kind, "kinds": ", ".join(SiteKind.values)})
        wilaya_code = cell("wilaya").lstrip("0") or cell("wilaya")
        wilaya_code = wilaya_code.zfill(2) if wilaya_code.isdigit() else wilaya_code
        region = wilayas.get(wilaya_code)
        if cell("wilaya") and region is None:
            err(line, "wilaya", _("Wilaya “%(code)s” is not part of contract %(contract)s.")
                % {"code": cell("wilaya"), "contract": contract.reference})
        latitude, longitude = _number(cell("latitude")), _number(cell("longitude"))
        if cell("latitude") and (latitude is None or not -90 <= latitude <= 90):
            err(line, "latitude", _("The latitude must be a number between -90 and 90."))
        if cell("longitude") and (longitude is None or not -180 <= longitude <= 180):
            err(line, "longitude", _("The longitude must be a number between -180 and 180."))
        elif (region is not None and latitude is not None and longitude is not None and -90 <= latitude <= 90):
            problem = position_problem(latitude, longitude, region)
            if problem:
                err(line, "latitude", problem)
        homes = 1
        if cell("homes"):
            number = _number(cell("homes"))
            if number is None or number < 0 or number != int(number) or number > 100000:
                err(line, "homes", _("The number of homes must be a whole number."))
            else:
                homes = int(number)
        commune = None
        if cell("commune") and region is not None:
            raw = cell("commune")
            if raw.isdigit() and len(raw) < POSTAL_CODE_DIGITS:
                raw = raw.zfill(POSTAL_CODE_DIGITS)  # 09002 typed in Excel becomes the number 9002
            commune = communes_by_postal.get((region.id, raw)) if raw.isdigit() else communes_by_name.get(
                (region.id, normalise(raw)))
            if commune is None or commune.region_id != region.id:
                err(line, "commune", _("Commune “%(commune)s” is not in wilaya %(wilaya)s.")
                    % {"commune": raw, "wilaya": region.code})
        due_on = None
        if cell("due_on"):
            due_on = _date(cell("due_on"))
            if due_on is None:
                err(line, "due_on", _("“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY).")
                    % {"value": cell("due_on")})
        wo_kind = cell("kind").lower()
        if wo_kind and wo_kind not in WorkOrderKind.values:
            err(line, "kind", _("The work order kind is “ftth” or “site”."))
        if reference:
            if reference in seen_orders:
                err(line, "work_order", _("Work order %(ref)s already appears on line %(line)s.")
                    % {"ref": reference, "line": seen_orders[reference]})
            seen_orders.setdefault(reference, line)

        items: dict[str, tuple] = {}
        if cell("items"):
            for part in re.split(r"[;|\n]+", cell("items")):
                if not part.strip():
                    continue
                code, sep, qty = part.partition(":")
                price = prices.get(code.strip().upper())
                quantity = _number(qty) if sep else None
                if price is None:
                    err(line, "items", _("Unknown price item “%(code)s”.") % {"code": code.strip()[:30]})
                elif quantity is None or quantity <= 0:
                    err(line, "items", _("%(code)s: the planned quantity must be a number above zero.")
                        % {"code": price.code})
                else:
                    items[price.code] = (price, quantity)
        for index, price in price_columns.items():
            raw = row[index].strip() if index < len(row) else ""
            if not raw:
                continue
            quantity = _number(raw)
            if quantity is None or quantity < 0:
                err(line, price.code, _("%(code)s: the planned quantity must be a number above zero.")
                    % {"code": price.code})
            elif quantity > 0:
                items[price.code] = (price, quantity)
        if not items and len(result.errors) == errors_before:
            err(line, "items", _("A work order needs at least one price item with a quantity."))
        for price, quantity in items.values():
            if quantity.as_tuple().exponent < -3 or quantity >= Decimal("1e9"):
                err(line, "items", _("%(code)s: at most 3 decimals and below one billion.") % {"code": price.code})

        if site_code and kind and region is not None and latitude is not None and longitude is not None:
            signature = (kind, region.id, latitude.quantize(Decimal("0.000001")),
                         longitude.quantize(Decimal("0.000001")))
            known = existing_sites.get(site_code)
            if known is not None:
                if (known.kind, known.region_id) != (kind, region.id):
                    err(line, "site_code", _("Site %(code)s exists already with another kind or wilaya.")
                        % {"code": site_code})
            elif site_code in seen_sites and seen_sites[site_code][0] != signature:
                err(line, "site_code", _("Site %(code)s appears on line %(line)s with other details.")
                    % {"code": site_code, "line": seen_sites[site_code][1]})
            seen_sites.setdefault(site_code, (signature, line))
        if len(result.errors) == errors_before:
            planned.append({"line": line, "site_code": site_code, "site_kind": kind, "site_name": cell("site_name"),
                            "address": cell("address"), "region": region, "commune": commune,
                            "latitude": latitude, "longitude": longitude, "homes": homes, "reference": reference,
                            "kind": wo_kind, "due_on": due_on, "items": list(items.values())})

    if result.rows == 0:
        raise ValidationError(_("The file has no data rows."))
    taken = set(WorkOrder.objects.filter(reference__in=list(seen_orders)).values_list("reference", flat=True))
    for reference in sorted(taken, key=lambda r: seen_orders[r]):
        result.errors.append(RowError(seen_orders[reference], "work_order",
                                      _("Work order %(ref)s exists already.") % {"ref": reference}))
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result

    try:
        return _store_import(result, planned, existing_sites, contract=contract, actor=actor, filename=filename,
                             now=now)
    except IntegrityError:
        # Another import stored some of the same references between our checks and our writes: nothing of
        # this file was stored (one transaction); say which rows clash, as for a clash found beforehand.
        taken = set(WorkOrder.objects.filter(reference__in=list(seen_orders)).values_list("reference", flat=True))
        for reference in sorted(taken, key=lambda r: seen_orders[r]):
            result.errors.append(RowError(seen_orders[reference], "work_order",
                                          _("Work order %(ref)s exists already.") % {"ref": reference}))
        if not result.errors:
            result.errors.append(RowError(0, "-", _("Another import stored some of these rows at the same moment: "
                                                    "nothing was imported; send the file again.")))
        return result


def _store_import(result, planned, existing_sites, *, contract, actor, filename, now=None) -> WorkOrderImport:
    with transaction.atomic():
        sites = dict(existing_sites)
        new_sites = []
        for entry in planned:
            if entry["site_code"] not in sites:
                site = Site(programme=contract.programme, code=entry["site_code"], kind=entry["site_kind"],
                            name=entry["site_name"][:200], address=entry["address"][:300], region=entry["region"],
                            commune=entry["commune"], latitude=entry["latitude"].quantize(Decimal("0.000001")),
                            longitude=entry["longitude"].quantize(Decimal("0.000001")), homes=entry["homes"])
                sites[site.code] = site
                new_sites.append(site)
        Site.objects.bulk_create(new_sites, batch_size=1000)
        if any(site.pk is None for site in new_sites):  # backends without RETURNING ids
            fresh = {s.code: s for s in Site.objects.filter(programme=contract.programme,
                                                           code__in=[s.code for s in new_sites])}
            sites.update(fresh)
        orders = []
        for entry in planned:
            site = sites[entry["site_code"]]
            kind = entry["kind"] or (WorkOrderKind.FTTH if site.kind in HOME_KINDS else WorkOrderKind.SITE)
            orders.append(WorkOrder(reference=entry["reference"], contract=contract, site=site, kind=kind,
                                    due_on=entry["due_on"]))
        WorkOrder.objects.bulk_create(orders, batch_size=1000)
        if any(order.pk is None for order in orders):
            ids = dict(WorkOrder.objects.filter(reference__in=[o.reference for o in orders])
                       .values_list("reference", "pk"))
            for order in orders:
                order.pk = order.id = ids[order.reference]
        work_items = [WorkItem(work_order=order, price_item=price, planned_quantity=quantity)
                      for order, entry in zip(orders, planned, strict=True) for price, quantity in entry["items"]]
        WorkItem.objects.bulk_create(work_items, batch_size=2000)
        if now is not None:  # created_at is filled by the clock on insert
            WorkOrder.objects.filter(pk__in=[order.pk for order in orders]).update(created_at=now, updated_at=now)
        DeploymentEvent.objects.create(
            kind=EventKind.IMPORTED, actor=actor, organisation=contract.contractor, at=now or timezone.now(),
            data={"contract": contract.reference, "file": filename[:200], "sites": len(new_sites),
                  "work_orders": len(orders), "items": len(work_items)})
    result.created_sites = len(new_sites)
    result.reused_sites = len({e["site_code"] for e in planned}) - len(new_sites)
    result.created_work_orders = len(orders)
    result.created_items = len(work_items)
    return result
