"""Recording tracking events and deriving an item's state from them.

Scans arrive late, out of order and more than once (a scanner's retry, a postman's phone coming back
online). So: an event is identified by its fingerprint and recorded once; the timeline is ordered by when
things happened, not when we heard of them; and the item's status and the flags on impossible events are
recomputed from the whole timeline each time it grows. A batch is validated whole first and written in one
transaction: it is stored whole or refused whole, with the faulty rows named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

import django.dispatch
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bawaba.core.tabular import RowError
from bawaba.postal import events as codes
from bawaba.postal import nondelivery, s10
from bawaba.postal.models import EventSource, Item, ItemStatus, Office, TrackingEvent

# Scanners' and phones' clocks drift: an event up to this far ahead of the server's clock is accepted.
CLOCK_SKEW = dt.timedelta(minutes=10)
# Codes that only the delivery office of the item may record.
DELIVERY_CODES = frozenset({codes.OUT_FOR_DELIVERY, codes.UNSUCCESSFUL, codes.DELIVERED})

# Sent after commit with the items whose timeline grew and the events that were new:
# ``sender=Item, items=[Item], events=[TrackingEvent]``. The citizens' notices and the service centre listen.
events_recorded = django.dispatch.Signal()


@dataclasses.dataclass
class EventInput:
    number: str
    code: str
    occurred_at: dt.datetime
    office_code: str = ""
    device: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    reason_code: str = ""
    action_code: str = ""
    signatory: str = ""
    details: dict = dataclasses.field(default_factory=dict)
    external_id: str = ""  # the sender's own id for this event (a phone's queue entry): makes retries exact


class EventsRefused(ValueError):
    """The batch was refused whole; ``errors`` names each faulty row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(f"{e.row}: {e.message}" for e in errors[:10]))
        self.errors = errors


@dataclasses.dataclass
class RecordResult:
    created: list[TrackingEvent]
    duplicates: int
    items: list[Item]

    @property
    def flagged(self) -> int:
        return sum(1 for e in self.created if e.flagged)


def fingerprint(item_id: int, event: EventInput, office_code: str) -> str:
    """The event's identity: item, code, time to the second, office and the sender's own id. The item's id
    comes first (12 hex digits) so that the unique index keeps an item's events together: a batch of scans of
    recent items touches a few index pages instead of one random page per event (4x faster inserts with 10 M
    events stored, bench/postal_tracking.py); 51 hex digits of SHA-256 (204 bits) follow."""
    when = event.occurred_at.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    key = "|".join([str(item_id), event.code.upper(), when, office_code.upper(), event.external_id])
    return f"{item_id:012x}-{hashlib.sha256(key.encode()).hexdigest()[:51]}"


def _offices_by_code(organisation, wanted: set[str]) -> dict[str, Office]:
    if not wanted:
        return {}
    offices = Office.objects.filter(organisation=organisation).filter(Q(code__in=wanted) | Q(impc__in=wanted))
    found: dict[str, Office] = {}
    for office in offices:
        found[office.code.upper()] = office
        if office.impc:
            found.setdefault(office.impc.upper(), office)
    return found


# What recording events reads of an item; the rest (names, addresses, phones) stays deferred: a listener of
# events_recorded that needs the recipient's phone loads it for the few items it concerns.
TRACKING_FIELDS = ("id", "number", "organisation_id", "product_id", "delivery_office_id", "accepted_office_id",
                   "status", "last_event_at", "last_event_code", "delivered_at", "needs_review", "created_at",
                   "origin_country", "destination_country")


def items_by_number(organisation, numbers: Iterable[str]) -> dict[str, Item]:
    """The latest item of each number handled by this post (a number may come back after 24 months)."""
    found: dict[str, Item] = {}
    items = Item.objects.filter(organisation=organisation, number__in=set(numbers)).only(*TRACKING_FIELDS)
    for item in items.order_by("created_at", "id"):
        found[item.number] = item
    return found


def validate(organisation, inputs: Sequence[EventInput], *, now: dt.datetime, office: Office | None = None,
             source: str = EventSource.API):
    """Resolve every row or say what is wrong with it. ``office``: the office the sender works at (a
    postman's or a scanner's); events without an office code are recorded there."""
    errors: list[RowError] = []
    numbers: dict[int, str] = {}
    for row, event in enumerate(inputs, start=1):
        try:
            numbers[row] = str(s10.parse(event.number))
        except s10.S10Error as exc:
            errors.append(RowError(row, exc.code, str(exc)))
    items = items_by_number(organisation, numbers.values())
    wanted = {e.office_code.strip().upper() for e in inputs if e.office_code.strip()}
    offices = _offices_by_code(organisation, wanted)
    resolved = []
    for row, event in enumerate(inputs, start=1):
        if row not in numbers:
            continue
        item = items.get(numbers[row])
        code = codes.get(event.code)
        office_code = event.office_code.strip().upper()
        row_office = offices.get(office_code) if office_code else office
        problems: list[tuple[str, str]] = []
        if item is None:
            problems.append(("unknown_item", _("No item %(number)s is known to this post.") % {"number": numbers[row]}))
        if code is None:
            problems.append(("unknown_code", _("“%(code)s” is not a tracking event code.") % {"code": event.code}))
        if event.occurred_at is None or timezone.is_naive(event.occurred_at):
            problems.append(("bad_time", _("The event time must be a date and time with its time zone.")))
        elif event.occurred_at > now + CLOCK_SKEW:
            problems.append(("future", _("The event is dated in the future (%(when)s).")
                             % {"when": timezone.localtime(event.occurred_at).strftime("%d/%m/%Y %H:%M")}))
        if office_code and row_office is None and not _is_foreign_impc(organisation, office_code):
            problems.append(("unknown_office", _("No office %(code)s in this post's network.") % {"code": office_code}))
        if (event.latitude is not None and not -90 <= event.latitude <= 90) or (
            event.longitude is not None and not -180 <= event.longitude <= 180
        ):
            problems.append(("bad_position", _("The GPS position is out of range.")))
        problems.extend(_nondelivery_problems(event, code, source))
        if (item is not None and code is not None and code.code in DELIVERY_CODES and item.delivery_office_id
                and row_office is not None and row_office.pk != item.delivery_office_id):
            problems.append(("wrong_office", _("Item %(number)s is delivered by another office.")
                             % {"number": item.number}))
        if problems:
            errors.extend(RowError(row, c, m) for c, m in problems)
            continue
        resolved.append((event, item, code, row_office, office_code or (row_office.code if row_office else "")))
    return resolved, errors


def _nondelivery_problems(event: EventInput, code, source: str) -> list[tuple[str, str]]:
    """An unsuccessful delivery says why (reason) and may say what happens next (action), in the platform's
    codes (bawaba.postal.nondelivery); foreign posts' codes (EMSEVT import) are kept as sent."""
    reason, action = event.reason_code.strip().upper(), event.action_code.strip().upper()
    if source == EventSource.PARTNER:
        if len(reason) > 3 or len(action) > 3:
            return [("bad_reason", _("Reason and action codes have at most three characters."))]
        return []
    problems = []
    if code is not None and code.code == codes.UNSUCCESSFUL and not reason:
        problems.append(("reason_required", _("An unsuccessful delivery needs a reason code (%(codes)s).")
                         % {"codes": ", ".join(nondelivery.REASONS)}))
    if reason and reason not in nondelivery.REASONS:
        problems.append(("bad_reason", _("“%(code)s” is not a non-delivery reason code (%(codes)s).")
                         % {"code": reason[:10], "codes": ", ".join(nondelivery.REASONS)}))
    if action and action not in nondelivery.ACTIONS:
        problems.append(("bad_action", _("“%(code)s” is not a non-delivery action code (%(codes)s).")
                         % {"code": action[:10], "codes": ", ".join(nondelivery.ACTIONS)}))
    return problems


def _is_foreign_impc(organisation, office_code: str) -> bool:
    """Events from foreign posts name their own offices by IMPC code (country first): kept as sent."""
    return len(office_code) == 6 and office_code[:2].isalpha() and office_code[:2] != (organisation.country or "")


def record_events(organisation, inputs: Sequence[EventInput], *, source: str = EventSource.API, user=None,
                  office: Office | None = None, device: str = "", now: dt.datetime | None = None) -> RecordResult:
    """Validate the batch whole, then write the new events and refresh their items in one transaction.

    Whatever the batch's size, a constant number of queries: items and offices by code (2), the batch's
    fingerprints already known (1), one INSERT of the new events (their ids come back with it), the touched
    items' timelines (1), one UPDATE of the items and, when flags change, one of those events. A scan that a
    concurrent batch stored first is found by its fingerprint on a second try and counted as a duplicate."""
    now = now or timezone.now()
    resolved, errors = validate(organisation, inputs, now=now, office=office, source=source)
    if errors:
        raise EventsRefused(errors)
    rows: dict[str, TrackingEvent] = {}
    for event, item, code, row_office, office_code in resolved:
        key = fingerprint(item.pk, event, office_code)
        if key in rows:
            continue
        rows[key] = _new_event(
            item, row_office, user, code=code.code, occurred_at=event.occurred_at, recorded_at=now,
            office_code=office_code, device=(event.device or device)[:60],
            source=source, latitude=event.latitude, longitude=event.longitude,
            reason_code=event.reason_code.strip().upper(), action_code=event.action_code.strip().upper(),
            signatory=event.signatory.strip()[:150], details=event.details or {}, fingerprint=key,
        )
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    new = _insert_new_postgresql(rows)
                else:
                    known = set(TrackingEvent.objects.filter(fingerprint__in=list(rows)).order_by()
                                .values_list("fingerprint", flat=True))
                    new = [row for key, row in rows.items() if key not in known]
                    TrackingEvent.objects.bulk_create(new)
                if new and new[0].pk is None:  # a database that cannot return ids from a bulk insert
                    ids = dict(TrackingEvent.objects.filter(fingerprint__in=[r.fingerprint for r in new])
                               .values_list("fingerprint", "id"))
                    for row in new:
                        row.pk = row.id = ids[row.fingerprint]
                items = {row.item_id: row.item for row in new}
                refreshed = refresh_items(list(items.values()), new_events=new)
                if new:
                    transaction.on_commit(
                        lambda items=refreshed, events=new: events_recorded.send(
                            sender=Item, items=items, events=events),
                        robust=True,
                    )
            break
        except IntegrityError:
            if attempt == 2:
                raise
            for row in rows.values():
                row.pk = row.id = None
    return RecordResult(created=new, duplicates=len(inputs) - len(new), items=refreshed)


_EVENT_FIELDS = TrackingEvent._meta.concrete_fields
_EVENT_DEFAULTS = {f.attname: (None if f.primary_key else f.get_default()) for f in _EVENT_FIELDS}
_EVENT_RELATIONS = [TrackingEvent._meta.get_field(name) for name in ("item", "office", "user")]


def _new_event(item, office, user, **values) -> TrackingEvent:
    """A TrackingEvent built positionally (Django's keyword path costs 2-3 times more, felt at 5,000 a batch),
    with its item, office and user cached as the keyword path would."""
    values["item_id"] = item.pk
    values["office_id"] = office.pk if office is not None else None
    values["user_id"] = user.pk if user is not None else None
    event = TrackingEvent(*[values.get(f.attname, _EVENT_DEFAULTS[f.attname]) for f in _EVENT_FIELDS])
    for relation, related in zip(_EVENT_RELATIONS, (item, office, user), strict=True):
        relation.set_cached_value(event, related)
    return event


def _copy_columns(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _copy_row(fields, obj) -> list:
    return [json.dumps(getattr(obj, f.attname), ensure_ascii=False, separators=(",", ":")) if is_json
            else getattr(obj, f.attname) for f, is_json in fields]


def _insert_new_postgresql(rows: dict[str, TrackingEvent]) -> list[TrackingEvent]:
    """COPY the batch into a temporary table, then move what is new in one INSERT … ON CONFLICT DO NOTHING
    RETURNING: each fingerprint is probed once, by the insert itself, and a concurrent batch that stored the
    same scan first simply wins (its row is not returned here, so it counts as a duplicate)."""
    fields = _copy_columns(TrackingEvent)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    typed = [(f, f.get_internal_type() == "JSONField") for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMPORARY TABLE postal_event_batch ON COMMIT DROP AS '  # noqa: S608 - model names
                       f'SELECT {columns} FROM "postal_trackingevent" WITH NO DATA')
        with cursor.cursor.copy(f"COPY postal_event_batch ({columns}) FROM STDIN") as copy:
            for row in rows.values():
                copy.write_row(_copy_row(typed, row))
        cursor.execute(f'INSERT INTO "postal_trackingevent" ({columns}) SELECT {columns} '  # noqa: S608
                       f'FROM postal_event_batch ON CONFLICT ("fingerprint") DO NOTHING RETURNING "id", "fingerprint"')
        inserted = cursor.fetchall()
        cursor.execute("DROP TABLE postal_event_batch")
    new = []
    for pk, key in inserted:
        row = rows[key]
        row.pk = row.id = pk
        new.append(row)
    return new


def flags_for(timeline: Sequence[TrackingEvent]) -> dict[int, str]:
    """Which events of a timeline (ordered by time) cannot follow what came before, and why."""
    flags: dict[int, str] = {}
    highest = -1
    delivered = False
    posted = False
    for event in timeline:
        code = codes.CODES[event.code]
        if delivered:
            flags[event.pk] = "after_delivery"
            continue
        if event.code == codes.POSTING and posted:
            flags[event.pk] = "posted_twice"
            continue
        if code.code not in codes.REPEATABLE and code.stage < highest:
            flags[event.pk] = "out_of_order"
            continue
        posted = posted or event.code == codes.POSTING
        highest = max(highest, code.stage)
        delivered = code.final
    return flags


class _Step:
    """An event of a timeline as refresh_items needs it (lighter than a model instance: timelines are long)."""

    __slots__ = ("pk", "code", "occurred_at", "flagged", "flag_reason", "reviewed_at")

    def __init__(self, pk, code, occurred_at, flagged, flag_reason, reviewed_at):
        self.pk, self.code, self.occurred_at = pk, code, occurred_at
        self.flagged, self.flag_reason, self.reviewed_at = flagged, flag_reason, reviewed_at


ITEM_DERIVED = ("status", "last_event_at", "last_event_code", "delivered_at", "needs_review")


def refresh_items(items: list[Item], *, new_events: Sequence[TrackingEvent] = ()) -> list[Item]:
    """Recompute status, last event and review flags of these items from their whole timelines (and set the
    flags on ``new_events``, the instances just inserted). Writes only the rows that changed."""
    if not items:
        return []
    by_item: dict[int, list[_Step]] = {item.pk: [] for item in items}
    steps = (TrackingEvent.objects.filter(item_id__in=list(by_item)).order_by("item_id", "occurred_at", "id")
             .values_list("item_id", "id", "code", "occurred_at", "flagged", "flag_reason", "reviewed_at"))
    for item_id, *fields in steps:
        by_item[item_id].append(_Step(*fields))
    changed_events: list[_Step] = []
    changed_items: list[Item] = []
    for item in items:
        timeline = by_item[item.pk]
        flags = flags_for(timeline)
        for event in timeline:
            reason = flags.get(event.pk, "")
            if event.flagged != bool(reason) or event.flag_reason != reason:
                event.flagged, event.flag_reason = bool(reason), reason
                changed_events.append(event)
        before = tuple(getattr(item, f) for f in ITEM_DERIVED)
        valid = [e for e in timeline if not e.flagged]
        last = valid[-1] if valid else None
        if last is not None:
            item.status = codes.CODES[last.code].status
            item.last_event_at = last.occurred_at
            item.last_event_code = last.code
            item.delivered_at = last.occurred_at if last.code == codes.DELIVERED else None
        item.needs_review = any(e.flagged and e.reviewed_at is None for e in timeline)
        if tuple(getattr(item, f) for f in ITEM_DERIVED) != before:
            changed_items.append(item)
    if new_events:
        flagged = {e.pk: e.flag_reason for e in changed_events if e.flagged}
        for event in new_events:
            event.flagged, event.flag_reason = event.pk in flagged, flagged.get(event.pk, "")
    if changed_events:
        _update_rows(TrackingEvent, ["flagged", "flag_reason"],
                     [(e.pk, e.flagged, e.flag_reason) for e in changed_events])
    if changed_items:
        _update_rows(Item, list(ITEM_DERIVED),
                     [(i.pk, *(getattr(i, f) for f in ITEM_DERIVED)) for i in changed_items])
    return items


def _update_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """UPDATE many rows with their own values: on PostgreSQL COPY into a temporary table and one UPDATE … FROM
    (Django's bulk_update builds a CASE per field and row, slow for thousands); elsewhere one statement run
    many times."""
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(f'"{c}"' for c in ["id", *columns])
            sets = ", ".join(f'"{c}" = v."{c}"' for c in columns)
            cursor.execute(f'CREATE TEMPORARY TABLE postal_update_batch ON COMMIT DROP AS '  # noqa: S608
                           f'SELECT {names} FROM "{table}" WITH NO DATA')
            with cursor.cursor.copy(f"COPY postal_update_batch ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f'UPDATE "{table}" AS t SET {sets} FROM postal_update_batch AS v '  # noqa: S608
                           f"WHERE t.id = v.id")
            cursor.execute("DROP TABLE postal_update_batch")
        else:
            sets = ", ".join(f'"{c}" = %s' for c in columns)
            cursor.executemany(f'UPDATE "{table}" SET {sets} WHERE id = %s',  # noqa: S608 - as above
                               [(*r[1:], r[0]) for r in rows])


def timeline(item: Item) -> list[TrackingEvent]:
    """The item's events in the order they happened (ties in the order we learnt them)."""
    return list(item.events.select_related("office").order_by("occurred_at", "id"))


# --------------------------------------------------------------------------- public lookup


@dataclasses.dataclass(frozen=True)
class PublicEvent:
    code: str
    occurred_at: dt.datetime
    text: str  # plain words for a citizen (events.EventCode.public, translated)
    place: str  # the office's name, or the foreign office's IMPC code as sent; never a person


@dataclasses.dataclass(frozen=True)
class PublicTimeline:
    number: str
    status: str  # ItemStatus value
    status_label: str
    origin_country: str
    destination_country: str
    last_event_code: str
    delivered_at: dt.datetime | None
    events: list[PublicEvent]  # in the order they happened


# One round trip and no ORM query building: this runs for every citizen, SMS and USSD lookup. Up to five items
# of the number (two posts may know it; numbers come back after 24 months), their events in time order.
_PUBLIC_SQL = """
    SELECT i.id, i.created_at, i.status, i.origin_country, i.destination_country, i.last_event_code,
           i.delivered_at, e.code, e.occurred_at, e.office_code, o.name_fr, o.{name}
    FROM (SELECT * FROM postal_item WHERE number = %s ORDER BY created_at DESC, id DESC LIMIT 5) AS i
    LEFT JOIN postal_trackingevent AS e ON e.item_id = i.id AND (NOT e.flagged OR (
        e.reviewed_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM postal_eventreview AS r WHERE r.event_id = e.id AND r.decision = 'error')))
    LEFT JOIN postal_office AS o ON o.id = e.office_id
    ORDER BY e.occurred_at, e.id
"""


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def public_timeline(number: str) -> PublicTimeline | None:
    """What anyone may see of an item by its S10 number: its status and events in plain words, and the
    offices they happened at; no names, addresses, phones, signatories, GPS positions or staff. ``None`` when
    the number is not valid S10 or no post on the platform knows it (both look the same to the public).

    One indexed query (items by number, events by item and time) whatever the size of the event table: the
    citizens' page, SMS and USSD tracking call this (benchmarked in bench/postal_tracking.py). When the same
    number is known to two posts (an item from SOPECO to Algérie Poste), their events are shown together.
    Events flagged as impossible are left out until staff accept them as valid (bawaba.postal.review)."""
    try:
        canonical = str(s10.parse(number))
    except s10.S10Error:
        return None
    lang = (translation.get_language() or "fr")[:2]
    with connection.cursor() as cursor:
        cursor.execute(_PUBLIC_SQL.format(name=f"name_{lang}" if lang in ("ar", "en") else "name_fr"), [canonical])
        rows = cursor.fetchall()
    if not rows:
        return None
    if connection.vendor != "postgresql":  # SQLite hands raw datetimes back as text
        rows = [(r[0], _aware(r[1]), *r[2:6], _aware(r[6]), r[7], _aware(r[8]), *r[9:]) for r in rows]
    # Numbers come back after 24 months: an item of the same number a year older is another item.
    newest = max(r[1] for r in rows)
    rows = [r for r in rows if r[1] >= newest - dt.timedelta(days=365)]
    latest = max(rows, key=lambda r: (r[1], r[0]))
    latest = dict(zip(("id", "created_at", "status", "origin_country", "destination_country", "last_event_code",
                       "delivered_at"), latest[:7], strict=True))
    shown: list[PublicEvent] = []
    seen: set[tuple] = set()
    for *_item, code, occurred_at, office_code, name_fr, name_local in rows:
        if code is None or (code, occurred_at) in seen:  # no event yet; the same step told by both posts
            continue
        seen.add((code, occurred_at))
        known = codes.CODES.get(code)
        shown.append(PublicEvent(code=code, occurred_at=occurred_at, text=str(known.public) if known else code,
                                 place=name_local or name_fr or office_code))
    status = latest["status"]
    return PublicTimeline(
        number=canonical, status=status, status_label=str(ItemStatus(status).label),
        origin_country=latest["origin_country"], destination_country=latest["destination_country"],
        last_event_code=latest["last_event_code"], delivered_at=latest["delivered_at"], events=shown,
    )
