"""The postal tracking API, /post/api/v1/ (django-ninja): announce items, add events one by one or in bulk,
read an item's timeline. Documentation: docs/postal-api.md; schema at /post/api/v1/openapi.json.

Authentication and errors are the platform's (bawaba.api): `Authorization: Bearer <token>` of an
organisation's integration, read-only tokens refused on writes (403), another post's items answer 404 like
unknown ones, every error has the body `{"detail": ..., "errors": {field: [messages]}}` in the language of
Accept-Language. Every POST takes an `Idempotency-Key`: a retry gets the first answer back (header
`Idempotent-Replayed: true`), the same key with another body is refused (422).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Schema, Status
from ninja.openapi.docs import Swagger
from pydantic import AfterValidator, field_validator
from pydantic_core import PydanticCustomError

from bawaba.api.auth import bearer_auth
from bawaba.api.errors import BawabaNinjaAPI, JsonParser, error_body, install
from bawaba.api.schemas import DateTimeParam, ErrorOut, Input
from bawaba.api.services import IdempotencyKeyReused, body_hash
from bawaba.postal import events as codes
from bawaba.postal import s10, tracking
from bawaba.postal.announce import Announcement, ItemExists, do_announce_item
from bawaba.postal.models import ApiIdempotency, EventSource, Item
from bawaba.postal.tracking import EventInput, EventsRefused

MAX_BODY_BYTES = 2 * 1024 * 1024  # a bulk of 5,000 scans is about 1 MB
MAX_BATCH = 5000

DESCRIPTION = """Tracking of postal items (UPU S10 numbers, EMSEVT event codes) for a post's integrations:
e-commerce sites announcing items, sorting machines and scanners sending scans, partners reading timelines.

Authenticate with `Authorization: Bearer <token>` (tokens per organisation, issued by its admins; a read-only
token may only read). Errors always have the body `{"detail": "...", "errors": {"field": ["message"]}}`, in the
language of `Accept-Language` (fr, ar, en); a refused batch names each faulty event as `events.<index>`
(0-based) and nothing of it is stored. Every POST accepts an `Idempotency-Key`. Guide: docs/postal-api.md."""



api = BawabaNinjaAPI(
    title="Bawaba postal tracking API",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="postal:postal-api-v1",  # included by postal/urls.py (app_name "postal")
    auth=bearer_auth,
    parser=JsonParser(max_bytes=MAX_BODY_BYTES),
    docs=Swagger(settings={"persistAuthorization": False}),
)
install(api)

COMMON = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
WRITE = {**COMMON, 409: ErrorOut, 413: ErrorOut}
KEY_HEADER = Header(
    None, alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="Any unique text (a UUID): a retry with the same key and body gets the first answer back and "
                "writes nothing; the same key with another body: 422.",
)


@api.exception_handler(EventsRefused)
def events_refused(request, exc: EventsRefused):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(f"events.{error.row - 1}", []).append(f"{error.code}: {error.message}")
    detail = _("Nothing was recorded: %(count)d event(s) are refused, see the errors by event.") % {
        "count": len(errors)}
    return api.create_response(request, error_body(detail, errors), status=422)


@api.exception_handler(ItemExists)
def item_exists(request, exc: ItemExists):
    return api.create_response(request, error_body(exc.message, {"number": [exc.message]}), status=409)


# --------------------------------------------------------------------------- schemas

Country = Annotated[str, Field(max_length=2, pattern=r"^([A-Za-z]{2})?$")]


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("float_parsing", "Input should be a finite number")
    return value


class EventIn(Input):
    code: str = Field(min_length=3, max_length=3, description="EMSEVT event code: " + ", ".join(codes.CODES) + ".")
    occurred_at: DateTimeParam = Field(description="When it happened (device or scanner time), with its offset.")
    office_code: str = Field("", max_length=20, description="Your office code or a foreign office's IMPC code.")
    device: str = Field("", max_length=60, description="Scanner or phone that recorded it.")
    latitude: Annotated[float, AfterValidator(_finite)] | None = Field(None, ge=-90, le=90)
    longitude: Annotated[float, AfterValidator(_finite)] | None = Field(None, ge=-180, le=180)
    reason_code: str = Field("", max_length=3, description="EMH: why delivery failed (docs/postal-api.md).")
    action_code: str = Field("", max_length=3, description="EMH: what happens next (docs/postal-api.md).")
    signatory: str = Field("", max_length=150, description="EMI: who received the item.")
    external_id: str = Field("", max_length=100, description="Your id for this event: makes retries exact.")
    details: dict[str, str | int | bool | None] = Field(
        default_factory=dict, description="Up to 20 keys of your own (bag, operator...), values of at most 200 "
                                          "characters.")

    @field_validator("details")
    @classmethod
    def _small(cls, value):
        if len(value) > 20 or any(len(k) > 40 or "\x00" in k for k in value):
            raise PydanticCustomError("too_long", "At most 20 keys of at most 40 characters")
        for item in value.values():
            if isinstance(item, str) and (len(item) > 200 or "\x00" in item):
                raise PydanticCustomError("too_long", "Values of at most 200 characters")
            if isinstance(item, int) and not isinstance(item, bool) and abs(item) > 2**53:
                raise PydanticCustomError("too_long", "Numbers of at most 2^53")
        return value


class NumberedEventIn(EventIn):
    number: str = Field(min_length=1, max_length=40, description="The item's S10 number (spaces allowed).")


class EventsIn(Input):
    events: list[NumberedEventIn] = Field(min_length=1, max_length=MAX_BATCH,
                                          description=f"1 to {MAX_BATCH} events, recorded whole or not at all.")


class ItemIn(Input):
    product: str = Field("", max_length=40, description="Your product code; needed when `number` is omitted.")
    number: str = Field("", max_length=40, description="The S10 number on your label; omit it and the post "
                                                       "allocates one from its ranges.")
    destination_country: Country = ""
    origin_country: Country = ""
    accepted_office: str = Field("", max_length=20, description="Office code where it will be posted.")
    delivery_office: str = Field("", max_length=20, description="Office code that will deliver it.")
    sender_name: str = Field("", max_length=150)
    sender_phone: str = Field("", max_length=20)
    sender_address: str = Field("", max_length=500)
    recipient_name: str = Field("", max_length=150)
    recipient_phone: str = Field("", max_length=20)
    recipient_street: str = Field("", max_length=200)
    recipient_quartier: str = Field("", max_length=120)
    recipient_po_box: str = Field("", max_length=20)
    recipient_landmark: str = Field("", max_length=200)
    recipient_postcode: str = Field("", max_length=10)
    weight_g: int | None = Field(None, ge=1, le=1_000_000)
    declared_value: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)


class EventOut(Schema):
    id: int
    code: str
    label: str = Field(description="EMSEVT meaning of the code.")
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    office_code: str
    source: str
    device: str
    latitude: float | None
    longitude: float | None
    reason_code: str
    action_code: str
    signatory: str
    flagged: bool = Field(description="true: the event cannot follow the item's history; kept for review.")
    flag_reason: str


class ItemOut(Schema):
    number: str
    product: str | None
    status: str
    status_label: str
    origin_country: str
    destination_country: str
    accepted_office: str | None
    delivery_office: str | None
    last_event_code: str
    last_event_at: dt.datetime | None
    delivered_at: dt.datetime | None
    needs_review: bool
    created_at: dt.datetime


class TimelineOut(ItemOut):
    events: list[EventOut] = Field(description="In the order they happened (ties: the order they were learnt).")


class EventAddedOut(Schema):
    number: str
    created: bool = Field(description="false: the same event was already recorded (nothing changed).")
    status: str
    event: EventOut | None


class BatchOut(Schema):
    received: int
    created: int
    duplicates: int = Field(description="Events already recorded (retries, the same scan twice).")
    flagged: int = Field(description="New events kept but flagged for review (impossible in the item's history).")
    items: int = Field(description="Items whose timeline grew.")


# --------------------------------------------------------------------------- helpers


def _number_or_404(number: str) -> str:
    try:
        return str(s10.parse(number))
    except s10.S10Error:
        raise Http404(number) from None


def _item(request, number: str) -> Item:
    item = (Item.objects.filter(organisation_id=request.api_token.organisation_id, number=_number_or_404(number))
            .select_related("product", "accepted_office", "delivery_office").order_by("-created_at", "-id").first())
    if item is None:
        raise Http404(number)
    return item


def _event_out(event) -> dict:
    known = codes.CODES.get(event.code)
    return {
        "id": event.pk, "code": event.code, "label": str(known.label) if known else event.code,
        "occurred_at": event.occurred_at, "recorded_at": event.recorded_at, "office_code": event.office_code,
        "source": event.source, "device": event.device,
        "latitude": float(event.latitude) if event.latitude is not None else None,
        "longitude": float(event.longitude) if event.longitude is not None else None,
        "reason_code": event.reason_code, "action_code": event.action_code, "signatory": event.signatory,
        "flagged": event.flagged, "flag_reason": event.flag_reason,
    }


def _item_out(item: Item) -> dict:
    from bawaba.postal.models import ItemStatus

    return {
        "number": item.number, "product": item.product.code if item.product_id else None, "status": item.status,
        "status_label": str(ItemStatus(item.status).label), "origin_country": item.origin_country,
        "destination_country": item.destination_country,
        "accepted_office": item.accepted_office.code if item.accepted_office_id else None,
        "delivery_office": item.delivery_office.code if item.delivery_office_id else None,
        "last_event_code": item.last_event_code, "last_event_at": item.last_event_at,
        "delivered_at": item.delivered_at, "needs_review": item.needs_review, "created_at": item.created_at,
    }


def _event_input(data: dict, number: str) -> EventInput:
    def decimal(value):
        return Decimal(str(round(value, 6))) if value is not None else None

    return EventInput(
        number=number, code=data["code"].strip().upper(), occurred_at=data["occurred_at"],
        office_code=data["office_code"], device=data["device"], latitude=decimal(data["latitude"]),
        longitude=decimal(data["longitude"]), reason_code=data["reason_code"], action_code=data["action_code"],
        signatory=data["signatory"], details=data["details"], external_id=data["external_id"],
    )


def idempotent(request, response: HttpResponse, operation: str, data: dict, key: str | None,
               write: Callable[[], tuple[int, dict]]):
    """Run ``write`` once per (organisation, key): the key is claimed in the write's own transaction (a
    concurrent retry waits for it, then replays), its answer stored with it; a refused write keeps nothing."""
    if not key:
        status, body = write()
        return Status(status, body)
    organisation = request.api_token.organisation
    digest = body_hash({"operation": operation, "body": data})

    def replay(earlier: ApiIdempotency):
        if earlier.body_hash != digest:
            raise IdempotencyKeyReused()
        response["Idempotent-Replayed"] = "true"
        return Status(earlier.status_code, earlier.response)

    earlier = ApiIdempotency.objects.filter(organisation=organisation, key=key).first()
    if earlier is not None:
        return replay(earlier)
    try:
        with transaction.atomic():
            claim = ApiIdempotency.objects.create(organisation=organisation, key=key, operation=operation,
                                                  body_hash=digest, created_at=timezone.now())
            status, body = write()
            claim.status_code = status
            claim.response = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            claim.save(update_fields=["status_code", "response"])
    except IntegrityError:
        earlier = ApiIdempotency.objects.filter(organisation=organisation, key=key).first()
        if earlier is None:
            raise
        return replay(earlier)
    return Status(status, body)


# --------------------------------------------------------------------------- routes


@api.post(
    "/items", response={201: ItemOut, 200: ItemOut, **WRITE}, operation_id="createItem", tags=["items"],
    summary="Announce an item",
    description="Give your label's S10 number, or a product code and the post allocates the number. 201 when "
                "created; 200 when the same `Idempotency-Key` and body were sent before (the first answer, "
                "header `Idempotent-Replayed: true`); 409 when the number is already in use.",
)
def create_item(request, payload: ItemIn, response: HttpResponse, idempotency_key: str = KEY_HEADER):
    data = payload.dict()

    def write():
        item = do_announce_item(request.api_token.organisation, Announcement(**data), user=request.auth)
        item = Item.objects.select_related("product", "accepted_office", "delivery_office").get(pk=item.pk)
        return 201, _item_out(item)

    return idempotent(request, response, "items.create", data, idempotency_key, write)


@api.get(
    "/items/{number}", response={200: TimelineOut, **COMMON}, operation_id="getTimeline", tags=["items"],
    summary="Read an item and its timeline",
    description="The item (no names or addresses) and all its events in the order they happened, including "
                "events flagged for review.",
)
def get_timeline(request, number: str = Path(..., max_length=40)):
    item = _item(request, number)
    return {**_item_out(item), "events": [_event_out(e) for e in tracking.timeline(item)]}


@api.post(
    "/items/{number}/events", response={201: EventAddedOut, 200: EventAddedOut, **WRITE},
    operation_id="addEvent", tags=["events"], summary="Add one event to an item",
    description="201 when recorded; 200 when the same event was already recorded (same code, time, office and "
                "`external_id`) or the same `Idempotency-Key` and body were sent before. A refused event "
                "(unknown code, future time, delivery scan at another office...) answers 422 with the reason.",
)
def add_event(request, payload: EventIn, response: HttpResponse, number: str = Path(..., max_length=40),
              idempotency_key: str = KEY_HEADER):
    item = _item(request, number)
    data = payload.dict()

    def write():
        result = tracking.record_events(request.api_token.organisation, [_event_input(data, item.number)],
                                        source=EventSource.API, user=request.auth)
        item.refresh_from_db(fields=["status"])
        event = result.created[0] if result.created else None
        return (201 if event else 200), {"number": item.number, "created": event is not None,
                                         "status": item.status, "event": _event_out(event) if event else None}

    return idempotent(request, response, "events.add", {"number": item.number, **data}, idempotency_key, write)


@api.post(
    "/events", response={201: BatchOut, 200: BatchOut, **WRITE}, operation_id="addEvents", tags=["events"],
    summary="Add a batch of events (bulk scans)",
    description=f"1 to {MAX_BATCH} events of any of your items, recorded whole or refused whole: one faulty "
                "event and nothing is stored (422, errors by `events.<index>`). Events already recorded count "
                "as duplicates. 201 when something was recorded, 200 when all were duplicates or replayed.",
)
def add_events(request, payload: EventsIn, response: HttpResponse, idempotency_key: str = KEY_HEADER):
    data = payload.dict()

    def write():
        inputs = [_event_input(e, e["number"]) for e in data["events"]]
        result = tracking.record_events(request.api_token.organisation, inputs, source=EventSource.API,
                                        user=request.auth)
        body = {"received": len(inputs), "created": len(result.created), "duplicates": result.duplicates,
                "flagged": result.flagged, "items": len(result.items)}
        return (201 if result.created else 200), body

    return idempotent(request, response, "events.bulk", data, idempotency_key, write)

