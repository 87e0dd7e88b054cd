"""An item announced by a post's integration (an e-commerce site, a bulk mailer) before it is handed over.

The counter accepts items itself (bawaba.postal.counter); this is the API's way in: the integration either
sends the S10 number printed on its own labels, or lets the post allocate one from its ranges. The item
starts ``announced``; its events come later (scans, the counter's EMA).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.postal import numbering, s10
from bawaba.postal.models import Item, ItemStatus, Office, Product


class ItemExists(Exception):
    """An item with this number is already known to the post (within the 24 months a number is not reused)."""

    def __init__(self, number: str):
        super().__init__(number)
        self.number = number
        self.message = _("An item %(number)s is already known to this post.") % {"number": number}


@dataclasses.dataclass
class Announcement:
    product: str = ""
    number: str = ""
    destination_country: str = ""
    origin_country: str = ""
    accepted_office: str = ""
    delivery_office: str = ""
    sender_name: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    recipient_name: str = ""
    recipient_phone: str = ""
    recipient_street: str = ""
    recipient_quartier: str = ""
    recipient_po_box: str = ""
    recipient_landmark: str = ""
    recipient_postcode: str = ""
    weight_g: int | None = None
    declared_value: Decimal | None = None


def do_announce_item(organisation, data: Announcement, *, user=None, now: dt.datetime | None = None) -> Item:
    """Check everything first (every faulty field named), then allocate (if needed) and store in one
    transaction. ValidationError by field; ItemExists when the number is already in use."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    number = None
    if data.number.strip():
        try:
            number = s10.parse(data.number)
        except s10.S10Error as exc:
            errors["number"] = [str(exc)]
    product = None
    if data.product.strip():
        product = Product.objects.filter(organisation=organisation, code=data.product.strip(), is_active=True).first()
        if product is None:
            errors["product"] = [_("“%(code)s” is not an active product of your post.") % {"code": data.product}]
    elif number is None and "number" not in errors:
        errors["product"] = [_("Give the product (the post then allocates the number) or the item's number.")]
    if product is not None and number is not None and number.indicator != product.indicator:
        errors["number"] = [_("The service indicator %(got)s does not match the product's (%(want)s).")
                            % {"got": number.indicator, "want": product.indicator}]
    offices = {}
    for field in ("accepted_office", "delivery_office"):
        code = getattr(data, field).strip().upper()
        if code:
            offices[field] = Office.objects.filter(organisation=organisation, code__iexact=code,
                                                   is_active=True).first()
            if offices[field] is None:
                errors[field] = [_("No office %(code)s in this post's network.") % {"code": code[:20]}]
    countries = {}
    for field in ("destination_country", "origin_country"):
        value = getattr(data, field).strip().upper()
        if value and value not in s10._countries():
            errors[field] = [_("“%(code)s” is not a country code.") % {"code": value[:5]}]
        countries[field] = value
    if errors:
        raise ValidationError(errors)
    home = (organisation.country or "").upper()
    with transaction.atomic():
        if number is not None:
            recent = now - numbering.REUSE_AFTER
            if Item.objects.filter(organisation=organisation, number=str(number), created_at__gte=recent).exists():
                raise ItemExists(str(number))
        else:
            number = numbering.allocate(product, offices.get("accepted_office"), now=now)
        return Item.objects.create(
            number=str(number), organisation=organisation, product=product,
            origin_country=countries["origin_country"] or number.country or home,
            destination_country=countries["destination_country"] or home,
            sender_name=data.sender_name.strip(), sender_phone=data.sender_phone.strip(),
            sender_address=data.sender_address.strip(), recipient_name=data.recipient_name.strip(),
            recipient_phone=data.recipient_phone.strip(), recipient_street=data.recipient_street.strip(),
            recipient_quartier=data.recipient_quartier.strip(), recipient_po_box=data.recipient_po_box.strip(),
            recipient_landmark=data.recipient_landmark.strip(), recipient_postcode=data.recipient_postcode.strip(),
            weight_g=data.weight_g, declared_value=data.declared_value,
            accepted_office=offices.get("accepted_office"), delivery_office=offices.get("delivery_office"),
            status=ItemStatus.ANNOUNCED, created_at=now,
        )
