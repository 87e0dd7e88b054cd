"""The counter: a clerk accepts an item (addresses after UPU S42, the price from the tariff in force, an S10
number from the office's range, the posting event EMA).

Plain functions. ``do_accept_item`` follows the platform's shape (bawaba.servicedesk.services.do_create_request):
every check first, all errors collected per field; then one transaction that draws the number, stores the item
and records its first event. A refusal, or any failure inside the transaction, stores nothing and spends no
number (the range row is updated inside the same transaction, so a rollback gives the number back).

Address rules (S42 elements, as each country writes them):
- Algeria: addressee, street line, a five-digit postcode that must be the commune's postcode
  (bawaba.geo.Commune.postal_code); the commune is found from the postcode when the clerk did not choose it.
- Congo: no postcodes. The department, the quartier and the recipient's phone are required, with a PO box (BP)
  or a landmark (a BP lets the item wait at the post office; a landmark guides the postman).
- Abroad (international products only): addressee and the address lines as the foreign post writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bawaba.core.phones import to_e164
from bawaba.postal import events as codes
from bawaba.postal.apps import CLERK
from bawaba.postal.models import (
    EventSource,
    Item,
    ItemStatus,
    Office,
    OfficeKind,
    PaymentMethod,
    Product,
    TariffLine,
    TariffVersion,
)
from bawaba.postal.numbering import RangeExhausted, allocate, range_for
from bawaba.postal.permissions import is_postal_staff, posting

CENT = Decimal("0.01")
POSTCODE = re.compile(r"^\d{5}$")
PO_BOX = re.compile(r"^(?:B\.?\s*P\.?\s*)?(\d{1,6})$", re.IGNORECASE)
MAX_DECLARED_VALUE = Decimal("10000000")
# Fields of an acceptance, in the order the counter page shows them (errors come back under these names).
FIELDS = ("product", "weight_g", "declared_value", "payment_method", "sender_name", "sender_phone",
          "sender_address", "destination_country", "recipient_name", "recipient_phone", "recipient_street",
          "recipient_postcode", "recipient_commune", "recipient_region", "recipient_quartier", "recipient_po_box",
          "recipient_landmark")


class AcceptanceRefused(ValidationError):
    """Nothing was stored; ``message_dict`` names each wrong field (``__all__`` for the whole acceptance)."""


@dataclasses.dataclass(frozen=True)
class Quote:
    version: TariffVersion
    line: TariffLine
    base: Decimal  # price of the weight band
    value_fee: Decimal  # rate on the declared value
    total: Decimal

    @property
    def currency(self) -> str:
        return self.version.currency


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


# --------------------------------------------------------------------------------------------------- prices


def local_day(organisation, moment: dt.datetime) -> dt.date:
    """The calendar day at the post's counters (tariffs change at local midnight)."""
    return moment.astimezone(ZoneInfo(organisation.timezone or "Africa/Algiers")).date()


def tariff_in_force(organisation, day: dt.date) -> TariffVersion | None:
    return (TariffVersion.objects.filter(organisation=organisation, valid_from__lte=day)
            .order_by("-valid_from").first())


def quote(product: Product, weight_g: int, declared_value: Decimal | None = None, *, day: dt.date) -> Quote:
    """The price of an item on ``day``: the first weight band of the tariff in force that holds the weight, plus
    the band's rate on the declared value. ValidationError (per field) when no price applies."""
    if weight_g is None or weight_g <= 0:
        raise ValidationError({"weight_g": [_("Enter the weight in grams (a whole number above zero).")]})
    if weight_g > product.max_weight_g:
        raise ValidationError({"weight_g": [
            _("%(weight)s g is above the maximum weight of %(product)s (%(max)s g).")
            % {"weight": weight_g, "product": product.name, "max": product.max_weight_g}]})
    version = tariff_in_force(product.organisation, day)
    if version is None:
        raise ValidationError({"__all__": [
            _("No tariff is in force on %(day)s: nothing can be priced. Ask a supervisor to publish the tariff.")
            % {"day": date_format(day, "SHORT_DATE_FORMAT")}]})
    line = (TariffLine.objects.filter(version=version, product=product, max_weight_g__gte=weight_g)
            .order_by("max_weight_g").first())
    if line is None:
        if not TariffLine.objects.filter(version=version, product=product).exists():
            raise ValidationError({"product": [_("The tariff %(tariff)s has no price for %(product)s.")
                                               % {"tariff": version, "product": product.name}]})
        raise ValidationError({"weight_g": [_("The tariff %(tariff)s has no price for %(weight)s g of %(product)s.")
                                            % {"tariff": version, "weight": weight_g, "product": product.name}]})
    value_fee = ((declared_value or Decimal(0)) * line.value_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(version=version, line=line, base=line.price, value_fee=value_fee, total=line.price + value_fee)


# ------------------------------------------------------------------------------------------------ addresses


def _text(data: dict, name: str, limit: int) -> str:
    value = data.get(name)
    return " ".join(str(value).split())[:limit] if value not in (None, "") else ""


def _phone(errors: _Errors, data: dict, name: str, country: str, *, required: bool) -> str:
    raw = _text(data, name, 40)
    if not raw:
        if required:
            errors.add(name, _("Enter the recipient's phone number: in Congo the postman calls it to deliver."))
        return ""
    try:
        return to_e164(raw, default_region=country if country in ("DZ", "CG") else "DZ")
    except ValidationError as exc:
        errors.add(name, exc.messages[0])
        return ""


def _resolve(model, value, **scope):
    """A row given as itself, its primary key or its key as typed; None when empty or not found in scope."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        value = value.pk
    try:
        return model.objects.filter(**scope).get(pk=int(value))
    except (model.DoesNotExist, TypeError, ValueError):
        return None


def validate_address(organisation, data: dict, *, international: bool = False) -> tuple[dict, dict[str, list[str]]]:
    """The recipient's address as S42 asks for the destination country: (cleaned fields, errors per field)."""
    from bawaba.geo.models import Commune, Region

    errors = _Errors()
    home = (organisation.country or "DZ").upper()
    country = (_text(data, "destination_country", 2) or home).upper()
    cleaned: dict = {"destination_country": country, "recipient_commune": None, "recipient_region": None,
                     "recipient_postcode": "", "recipient_quartier": "", "recipient_po_box": "",
                     "recipient_landmark": ""}
    cleaned["recipient_name"] = _text(data, "recipient_name", 150)
    if not cleaned["recipient_name"]:
        errors.add("recipient_name", _("Enter the recipient's name."))
    street = _text(data, "recipient_street", 200)
    cleaned["recipient_street"] = street
    postcode = _text(data, "recipient_postcode", 10).replace(" ", "")
    if country != home:
        from bawaba.postal.s10 import _countries

        if country not in _countries():
            errors.add("destination_country", _("%(code)s is not a country code (ISO 3166-1).") % {"code": country})
        elif not international:
            errors.add("destination_country", _("This product is sold for %(country)s only: choose an international "
                                                "product for another country.") % {"country": home})
        if not street:
            errors.add("recipient_street", _("Write the address as the destination country writes it."))
        cleaned["recipient_postcode"] = postcode
        cleaned["recipient_phone"] = _phone(errors, data, "recipient_phone", country, required=False)
        return cleaned, dict(errors)

    if country == "DZ":
        if not street:
            errors.add("recipient_street", _("Enter the street and number (or the cité, building and flat)."))
        commune = _resolve(Commune, data.get("recipient_commune"), region__country="DZ")
        if data.get("recipient_commune") not in (None, "") and commune is None:
            errors.add("recipient_commune", _("Choose a commune of Algeria from the list."))
        if not postcode:
            errors.add("recipient_postcode", _("Enter the five-digit postcode."))
        elif not POSTCODE.match(postcode):
            errors.add("recipient_postcode", _("An Algerian postcode has five digits (e.g. 16000)."))
        elif commune is not None:
            if commune.postal_code and commune.postal_code != postcode:
                errors.add("recipient_postcode", _("%(postcode)s is not the postcode of %(commune)s (%(expected)s).")
                           % {"postcode": postcode, "commune": commune.name, "expected": commune.postal_code})
        else:
            matches = list(Commune.objects.filter(region__country="DZ", postal_code=postcode)[:5])
            if not matches:
                errors.add("recipient_postcode",
                           _("No commune has the postcode %(postcode)s.") % {"postcode": postcode})
            elif len(matches) > 1:
                errors.add("recipient_commune", _("Several communes share the postcode %(postcode)s (%(names)s): "
                                                  "choose the commune.")
                           % {"postcode": postcode, "names": ", ".join(c.name for c in matches)})
            else:
                commune = matches[0]
        cleaned.update(recipient_postcode=postcode, recipient_commune=commune,
                       recipient_region=commune.region if commune else None)
        cleaned["recipient_phone"] = _phone(errors, data, "recipient_phone", country, required=False)
    else:  # Congo, and any post of a country without postcodes: quartier, BP, landmark, phone
        region = _resolve(Region, data.get("recipient_region"), country=country)
        if region is None:
            errors.add("recipient_region", _("Choose the recipient's department."))
        if postcode:
            errors.add("recipient_postcode", _("Congo has no postcodes: write the quartier, the BP and a landmark."))
        quartier = _text(data, "recipient_quartier", 120)
        if not quartier:
            errors.add("recipient_quartier", _("Enter the quartier (neighbourhood)."))
        po_box = _text(data, "recipient_po_box", 20)
        if po_box:
            match = PO_BOX.match(po_box.replace(" ", ""))
            if match is None:
                errors.add("recipient_po_box", _("A BP is a number, e.g. BP 1234."))
            else:
                po_box = match.group(1)
        landmark = _text(data, "recipient_landmark", 200)
        if not po_box and not landmark:
            errors.add("recipient_landmark", _("Give a BP or a landmark (e.g. “behind the Total station”)."))
        cleaned.update(recipient_region=region, recipient_quartier=quartier, recipient_po_box=po_box,
                       recipient_landmark=landmark)
        cleaned["recipient_phone"] = _phone(errors, data, "recipient_phone", country, required=True)
    return cleaned, dict(errors)


def delivery_office_for(organisation, *, commune=None, region=None, country: str = "") -> Office | None:
    """The office whose postmen deliver this address: a delivery office of the commune, else of the region;
    items for abroad go to the post's office of exchange."""
    offices = Office.objects.filter(organisation=organisation, is_active=True)
    if country and country != organisation.country:
        return offices.filter(kind=OfficeKind.EXCHANGE_OFFICE).order_by("code").first()
    delivery = offices.filter(kind=OfficeKind.DELIVERY_OFFICE)
    if commune is not None:
        found = delivery.filter(commune=commune).order_by("code").first()
        if found is not None:
            return found
    if region is not None:
        return delivery.filter(region=region).order_by("code").first()
    return None


def delivery_offices_for(organisation, addresses) -> dict:
    """`delivery_office_for` for many addresses at once (a print run's registered letters): `addresses` are
    (commune_id, region_id, country) keys; the answer maps each key to its office (or None). Two queries
    whatever the number of addresses, the same choice as one by one (lowest office code first)."""
    keys = set(addresses)
    offices = Office.objects.filter(organisation=organisation, is_active=True)
    abroad = {k for k in keys if k[2] and k[2] != organisation.country}
    exchange = (offices.filter(kind=OfficeKind.EXCHANGE_OFFICE).order_by("code").first() if abroad else None)
    home = keys - abroad
    communes = {k[0] for k in home if k[0] is not None}
    regions = {k[1] for k in home if k[1] is not None}
    by_commune: dict = {}
    by_region: dict = {}
    if communes or regions:
        delivery = offices.filter(kind=OfficeKind.DELIVERY_OFFICE).filter(
            models.Q(commune_id__in=communes) | models.Q(region_id__in=regions)).order_by("code")
        for office in delivery:
            if office.commune_id in communes:
                by_commune.setdefault(office.commune_id, office)
            if office.region_id in regions:
                by_region.setdefault(office.region_id, office)
    found = {}
    for key in keys:
        if key in abroad:
            found[key] = exchange
        else:
            found[key] = by_commune.get(key[0]) or by_region.get(key[1])
    return found


# ------------------------------------------------------------------------------------------------ acceptance


def counter_office(user) -> Office | None:
    """The office whose counter this clerk works at (None: not a clerk at an office of their post)."""
    if not is_postal_staff(user, CLERK):
        return None
    staff = posting(user)
    if staff is None or staff.office_id is None:
        return None
    office = staff.office
    if office.organisation_id != user.organisation_id or not office.is_active:
        return None
    return office


def _int(errors: _Errors, data: dict, name: str) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        errors.add(name, _("Enter a whole number."))
        return None
    return int(number)


def _amount(errors: _Errors, data: dict, name: str) -> Decimal | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace("\xa0", "").replace(",", "."))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        errors.add(name, _("Enter an amount (at most two decimals), e.g. 1500 or 1500,50."))
        return None
    if amount > MAX_DECLARED_VALUE:
        errors.add(name, _("The declared value is too high for the counter."))
        return None
    return amount


@dataclasses.dataclass
class Checked:
    """An acceptance checked whole: everything do_accept_item stores, and the price shown before confirming."""

    office: Office
    product: Product
    quote: Quote
    fields: dict


def check_acceptance(user, data: dict, *, now: dt.datetime | None = None) -> Checked:
    """Check an acceptance without storing anything: AcceptanceRefused naming every wrong field, or what would be
    stored with its price (the counter page shows it before the clerk confirms)."""
    now = now or timezone.now()
    office = counter_office(user)
    if office is None:
        raise AcceptanceRefused({"__all__": [_("Only a clerk posted at an office of this post can accept items.")]})
    organisation = office.organisation
    errors = _Errors()
    product = data.get("product")
    if not isinstance(product, Product):
        product = Product.objects.filter(organisation=organisation, code=str(product or "")).first()
    if product is None or product.organisation_id != organisation.pk or not product.is_active:
        errors.add("product", _("Choose a product this post sells."))
        product = None
    weight = _int(errors, data, "weight_g")
    if weight is None and "weight_g" not in errors:
        errors.add("weight_g", _("Enter the weight in grams (a whole number above zero)."))
    value = _amount(errors, data, "declared_value")
    payment = _text(data, "payment_method", 10)
    if payment not in PaymentMethod.values:
        errors.add("payment_method", _("Choose how the customer pays."))
    sender_name = _text(data, "sender_name", 150)
    if not sender_name:
        errors.add("sender_name", _("Enter the sender's name."))
    sender_phone = _phone(errors, data, "sender_phone", organisation.country, required=False)
    address, address_errors = validate_address(organisation, data,
                                               international=bool(product and product.international))
    for name, messages in address_errors.items():
        for message in messages:
            errors.add(name, message)
    price = None
    if product is not None and weight is not None and "weight_g" not in errors:
        try:
            price = quote(product, weight, value, day=local_day(organisation, now))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(name, message)
    if product is not None and range_for(product, office) is None:
        errors.add("__all__", _("No S10 number range is open for %(product)s at this office: ask a supervisor "
                                "to open one.") % {"product": product.name})
    if errors:
        raise AcceptanceRefused(dict(errors))
    fields = {
        "sender_name": sender_name, "sender_phone": sender_phone,
        "sender_address": _text(data, "sender_address", 300), "weight_g": weight, "declared_value": value,
        "payment_method": payment, **address,
    }
    return Checked(office=office, product=product, quote=price, fields=fields)


def do_accept_item(user, data: dict, *, now: dt.datetime | None = None) -> Item:
    """Accept an item at the clerk's counter: check everything, then in one transaction draw its S10 number from
    the office's range, store it and record the posting event (EMA, source counter)."""
    from bawaba.postal.tracking import EventInput, EventsRefused, record_events

    now = now or timezone.now()
    checked = check_acceptance(user, data, now=now)
    office, product, price, fields = checked.office, checked.product, checked.quote, checked.fields
    organisation = office.organisation
    delivery = delivery_office_for(organisation, commune=fields["recipient_commune"],
                                   region=fields["recipient_region"], country=fields["destination_country"])
    try:
        with transaction.atomic():
            number = str(allocate(product, office, now=now))
            item = Item.objects.create(
                number=number, organisation=organisation, product=product, origin_country=organisation.country,
                price=price.total, tariff=price.version, accepted_at=now, accepted_office=office, accepted_by=user,
                delivery_office=delivery, status=ItemStatus.ACCEPTED, created_at=now, **fields,
            )
            record_events(organisation, [EventInput(number=number, code=codes.POSTING, occurred_at=now,
                                                    office_code=office.code, details={"price": str(price.total)})],
                          source=EventSource.COUNTER, user=user, office=office, now=now)
    except RangeExhausted as exc:  # another counter took the last number between the check and the draw
        raise AcceptanceRefused({"__all__": exc.messages}) from exc
    except EventsRefused as exc:
        raise AcceptanceRefused({"__all__": [e.message for e in exc.errors]}) from exc
    item.refresh_from_db()
    return item
