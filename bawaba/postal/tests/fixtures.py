"""Postal data for tests outside the postal app (the platform's API fuzzing): a few rows, built directly."""

import datetime as dt

from django.utils import timezone


def small_postal_world(org):
    from bawaba.geo.models import Region
    from bawaba.postal.models import Item, Office, OfficeKind, Product
    from bawaba.postal.numbering import allocate, do_create_range
    from bawaba.postal.tracking import EventInput, record_events

    region = Region.objects.get(country="DZ", code="16")
    commune = region.communes.order_by("postal_code").first()
    office = Office.objects.create(organisation=org, code="16001", name_fr="Alger-RP", kind=OfficeKind.POST_OFFICE,
                                   region=region, commune=commune)
    product = Product.objects.create(organisation=org, code="registered", indicator="RR", name_fr="Recommandé")
    do_create_range(product, first=10_000_000, last=10_999_999)
    now = timezone.now()
    item = Item.objects.create(number=str(allocate(product, office, now=now)), organisation=org, product=product,
                               origin_country="DZ", destination_country="DZ", accepted_office=office,
                               delivery_office=office, created_at=now - dt.timedelta(days=1))
    record_events(org, [EventInput(item.number, "EMA", now - dt.timedelta(hours=20), "16001")])
    return {"office": office, "product": product, "item": item}
