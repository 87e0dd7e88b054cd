"""Allocating S10 numbers from ranges.

Each counter draws the next serial of its office's range for the product under a row lock, in the
transaction that creates the item: two counters never get the same number, and a number is spent only if
the item it was drawn for is stored. Ranges never overlap a range used within the last 24 months, so a
number cannot come back while someone may still track the item that first had it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.postal import s10
from bawaba.postal.models import Office, Product, S10Range

REUSE_AFTER = dt.timedelta(days=730)  # 24 months


class RangeExhausted(ValidationError):
    pass


def do_create_range(product: Product, *, first: int, last: int, office: Office | None = None,
                    country: str | None = None, now: dt.datetime | None = None) -> S10Range:
    now = now or timezone.now()
    country = (country or product.organisation.country).upper()
    if not (0 <= first <= last <= 99_999_999):
        raise ValidationError(_("A range runs from a first to a last serial between 00000000 and 99999999."))
    if office is not None and office.organisation_id != product.organisation_id:
        raise ValidationError(_("The office belongs to another post."))
    with transaction.atomic():
        recent = now - REUSE_AFTER
        clash = (
            S10Range.objects.select_for_update()
            .filter(indicator=product.indicator, country=country, first_serial__lte=last, last_serial__gte=first)
            .filter(Q(last_allocated_at__gte=recent) | Q(last_allocated_at=None, created_at__gte=recent)
                    | Q(is_active=True, next_serial__lte=F("last_serial")))
            .first()
        )
        if clash is not None:
            raise ValidationError(
                _("These numbers overlap range %(range)s, in use within the last 24 months.") % {"range": clash}
            )
        return S10Range.objects.create(
            organisation=product.organisation, product=product, office=office, indicator=product.indicator,
            country=country, first_serial=first, last_serial=last, next_serial=first, created_at=now,
        )


def range_for(product: Product, office: Office | None) -> S10Range | None:
    """The open range this office draws from for this product (its own first, else the post's shared one)."""
    ranges = S10Range.objects.filter(product=product, is_active=True, next_serial__lte=F("last_serial"))
    ranges = ranges.filter(Q(office=office) | Q(office=None))
    return ranges.order_by(F("office_id").asc(nulls_last=True), "first_serial").first()


def allocate(product: Product, office: Office | None, *, now: dt.datetime | None = None) -> s10.S10:
    """The next number for an item of this product at this office. Call inside the transaction that stores
    the item: the range row stays locked until it commits, and a rollback gives the number back."""
    now = now or timezone.now()
    for _attempt in range(3):
        chosen = range_for(product, office)
        if chosen is None:
            raise RangeExhausted(_("No S10 number range is open for %(product)s at this office.")
                                 % {"product": product})
        with transaction.atomic():
            locked = S10Range.objects.select_for_update().get(pk=chosen.pk)
            if locked.next_serial > locked.last_serial:  # another counter took the last number meanwhile:
                continue  # the next open range, if any
            serial = locked.next_serial
            # An UPDATE of the locked row only (not save(): no other column is rewritten).
            S10Range.objects.filter(pk=locked.pk).update(next_serial=serial + 1, last_allocated_at=now)
        return s10.build(locked.indicator, serial, locked.country)
    raise RangeExhausted(_("The S10 number range %(range)s is used up.") % {"range": locked})


def allocate_block(product: Product, office: Office | None, count: int, *,
                   now: dt.datetime | None = None) -> list[s10.S10]:
    """Up to `count` consecutive numbers for items of this product at this office, drawn in one locked step per
    range (a print run's registered letters: one UPDATE instead of one per letter). Fewer than `count` when the
    open ranges run out (none at all: RangeExhausted). Same guarantees as `allocate`: call it inside the
    transaction that stores the items; the ranges' rows stay locked until it commits (two processes drawing at
    once get disjoint blocks, one after the other) and a rollback gives the numbers back. Each number keeps its
    own S10 check digit."""
    now = now or timezone.now()
    numbers: list[s10.S10] = []
    if count <= 0:
        return numbers
    with transaction.atomic():
        while len(numbers) < count:
            chosen = range_for(product, office)
            if chosen is None:
                break
            locked = S10Range.objects.select_for_update().get(pk=chosen.pk)
            if locked.next_serial > locked.last_serial:  # used up meanwhile by another process
                continue
            first = locked.next_serial
            last = min(locked.last_serial, first + (count - len(numbers)) - 1)
            S10Range.objects.filter(pk=locked.pk).update(next_serial=last + 1, last_allocated_at=now)
            numbers.extend(s10.build(locked.indicator, serial, locked.country) for serial in range(first, last + 1))
    if not numbers:
        raise RangeExhausted(_("No S10 number range is open for %(product)s at this office.") % {"product": product})
    return numbers
