"""Exchanging tracking events with foreign posts in an EMSEVT-style flat file.

EMSEVT (UPU, "EMS event" message, version 3) is how designated operators tell each other what happened to
an international item: the item's S10 identifier, the event code (EMA … EMI, EDA … EDH, EXA … EXD), when and
where (the office's IMPC code), and for deliveries and failed deliveries the signatory, the reason and the
measure taken. The UPU's message implementation guide, with the official field names, positions and
optional segments, is distributed to designated operators and was not available to us (searched 2026-12: UPU
standards catalogue, public code repositories and pages); so this file carries those data elements under
names of our own, one event a line, and says so in its header line. Fields implemented:

    item_id           S10 identifier, 13 characters (AA999999999CC)
    event_code        EMSEVT event code, 3 letters (bawaba.postal.events)
    event_time        local date and time of the event with its UTC offset, ISO 8601 (2026-03-01T14:05:00+01:00)
    office            IMPC code of the office (6 characters) or, for an office without one, the post's code
    next_office       IMPC code of the office the item is sent to (dispatch events), when known
    reason_code       non-delivery reason (EMH), the sender's code
    action_code       non-delivery measure (EMH), the sender's code
    signatory         name of who took delivery (EMI)
    origin_country    ISO 3166 alpha-2
    destination_country

Not implemented: receptacle and dispatch identifiers (S8/S9), consignment and transport data, customs
declarations (CUSITM), retention and condition codes. The separator is "|" (a value never contains one:
it is replaced by "/"); the first line names the fields, so a partner's file with the same fields in another
order is read too. Import is whole or nothing (bawaba.postal.tracking.record_events, source "partner").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.postal.models import EventSource, TrackingEvent
from bawaba.postal.tracking import EventInput, EventsRefused, RecordResult, RowError, record_events, validate

FIELDS = ("item_id", "event_code", "event_time", "office", "next_office", "reason_code", "action_code",
          "signatory", "origin_country", "destination_country")
REQUIRED = ("item_id", "event_code", "event_time")
SEPARATOR = "|"
HEADER_MARK = "#EMSEVT-STYLE v3 fields (Bawaba):"


def _clean(value) -> str:
    return str(value or "").replace(SEPARATOR, "/").replace("\n", " ").replace("\r", " ")


def export_lines(organisation, *, since: dt.datetime, until: dt.datetime | None = None,
                 countries: Iterable[str] = (), chunk: int = 2000) -> Iterator[str]:
    """The post's events of international items recorded in [since, until), one line each, oldest first.
    ``countries``: only items to or from these countries (a partner's)."""
    home = (organisation.country or "").upper()
    events = (TrackingEvent.objects.filter(item__organisation=organisation, recorded_at__gte=since,
                                           flagged=False)
              .filter(~Q(item__destination_country=home) | ~Q(item__origin_country=home))
              .select_related("item", "office").order_by("recorded_at", "id"))
    if until is not None:
        events = events.filter(recorded_at__lt=until)
    wanted = {c.upper() for c in countries}
    if wanted:
        events = events.filter(Q(item__destination_country__in=wanted) | Q(item__origin_country__in=wanted))
    yield HEADER_MARK
    yield SEPARATOR.join(FIELDS)
    for event in events.iterator(chunk_size=chunk):
        office = (event.office.impc or event.office.code) if event.office_id else event.office_code
        values = {
            "item_id": event.item.number, "event_code": event.code,
            "event_time": timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
            "office": office, "next_office": (event.details or {}).get("next_office", ""),
            "reason_code": event.reason_code, "action_code": event.action_code, "signatory": event.signatory,
            "origin_country": event.item.origin_country, "destination_country": event.item.destination_country,
        }
        yield SEPARATOR.join(_clean(values[f]) for f in FIELDS)


def read(lines: Iterable[str]) -> tuple[list[tuple[int, EventInput]], list[RowError]]:
    """[(line number, event)] and [errors by line number] of an EMSEVT-style file."""
    inputs: list[tuple[int, EventInput]] = []
    errors: list[RowError] = []
    columns: list[str] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(SEPARATOR)]
        if columns is None:
            columns = [c.lower() for c in cells]
            missing = [f for f in REQUIRED if f not in columns]
            if missing:
                errors.append(RowError(number, "bad_header", _("The first line must name the fields; missing: "
                                                               "%(fields)s.") % {"fields": ", ".join(missing)}))
                return [], errors
            continue
        row = dict(zip(columns, cells, strict=False))
        problems = []
        when = None
        try:
            when = dt.datetime.fromisoformat(row.get("event_time", "").replace("Z", "+00:00"))
            if timezone.is_naive(when):
                problems.append(("bad_time", _("The event time needs its UTC offset (ISO 8601).")))
        except ValueError:
            problems.append(("bad_time", _("“%(value)s” is not an ISO 8601 date and time.")
                             % {"value": row.get("event_time", "")[:30]}))
        for field, limit in (("item_id", 40), ("event_code", 3), ("office", 20), ("reason_code", 3),
                             ("action_code", 3), ("signatory", 150), ("next_office", 20)):
            if len(row.get(field, "")) > limit or "\x00" in row.get(field, ""):
                problems.append(("too_long", _("%(column)s: at most %(max)d characters.")
                                 % {"column": field, "max": limit}))
        if problems:
            errors.extend(RowError(number, c, m) for c, m in problems)
            continue
        details = {"next_office": row["next_office"]} if row.get("next_office") else {}
        inputs.append((number, EventInput(
            number=row["item_id"], code=row["event_code"].upper(), occurred_at=when,
            office_code=row.get("office", ""), reason_code=row.get("reason_code", ""),
            action_code=row.get("action_code", ""), signatory=row.get("signatory", ""), details=details,
        )))
    if columns is None:
        errors.append(RowError(1, "empty", _("The file has no header line and no events.")))
    return inputs, errors


def do_import(organisation, lines: Iterable[str], *, now: dt.datetime | None = None) -> RecordResult:
    """Record a partner's file whole, or raise EventsRefused naming every faulty line (nothing stored)."""
    now = now or timezone.now()
    inputs, errors = read(lines)
    if not errors and not inputs:
        errors.append(RowError(1, "empty", _("The file has no events.")))
    if errors:
        # The lines that could be read are checked as events too: the partner sees every fault at once.
        _resolved, refused = validate(organisation, [event for _line, event in inputs], now=now,
                                      source=EventSource.PARTNER)
        errors.extend(RowError(inputs[e.row - 1][0], e.code, e.message) for e in refused)
        raise EventsRefused(sorted(errors, key=lambda e: e.row))
    try:
        return record_events(organisation, [event for _, event in inputs], source=EventSource.PARTNER, now=now)
    except EventsRefused as refused:
        raise EventsRefused([RowError(inputs[e.row - 1][0], e.code, e.message) for e in refused.errors]) from None
