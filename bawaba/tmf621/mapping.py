"""How a service desk request reads as a TMF621 TroubleTicket, and how TMF statuses map to the desk's.

Plain functions, testable without HTTP. The mapping is documented in docs/standards.md.
"""

from __future__ import annotations

import datetime as dt

from bawaba.orgs.models import Priority
from bawaba.servicedesk.models import EventKind, MessageKind, Request
from bawaba.servicedesk.models import Status as Desk

ACKNOWLEDGED, REJECTED, PENDING, HELD = "acknowledged", "rejected", "pending", "held"
IN_PROGRESS, CANCELLED, CLOSED, RESOLVED = "inProgress", "cancelled", "closed", "resolved"
STATUSES = (ACKNOWLEDGED, REJECTED, PENDING, HELD, IN_PROGRESS, CANCELLED, CLOSED, RESOLVED)

# The desk's status → the TMF status it reads as.
FROM_DESK = {
    Desk.NEW: ACKNOWLEDGED, Desk.ASSIGNED: ACKNOWLEDGED, Desk.REOPENED: ACKNOWLEDGED,
    Desk.IN_PROGRESS: IN_PROGRESS, Desk.WAITING: PENDING, Desk.RESOLVED: RESOLVED, Desk.CLOSED: CLOSED,
}
# TMF statuses the desk has no status for: kept in TicketDetail.status_detail, shown while the desk status is this.
DETAIL_OF = {HELD: Desk.IN_PROGRESS, REJECTED: Desk.CLOSED, CANCELLED: Desk.CLOSED}
# The TMF status → the desk statuses that read as it (list filter).
TO_DESK = {
    ACKNOWLEDGED: (Desk.NEW, Desk.ASSIGNED, Desk.REOPENED), IN_PROGRESS: (Desk.IN_PROGRESS,),
    PENDING: (Desk.WAITING,), RESOLVED: (Desk.RESOLVED,), CLOSED: (Desk.CLOSED,),
    HELD: (Desk.IN_PROGRESS,), REJECTED: (Desk.CLOSED,), CANCELLED: (Desk.CLOSED,),
}

# The trouble ticket life cycle of the TMF621 v4 user guide: the changes a client may ask for.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ACKNOWLEDGED: (IN_PROGRESS, REJECTED, CANCELLED),
    IN_PROGRESS: (PENDING, HELD, RESOLVED, CANCELLED),
    PENDING: (IN_PROGRESS, CANCELLED),
    HELD: (IN_PROGRESS, CANCELLED),
    RESOLVED: (CLOSED, IN_PROGRESS),
    CLOSED: (),
    REJECTED: (),
    CANCELLED: (),
}

# Priority: TMF's free text ("Critical, High, Medium, Low") ↔ the desk's four levels.
PRIORITY_OUT = {Priority.URGENT: "Critical", Priority.HIGH: "High", Priority.NORMAL: "Medium", Priority.LOW: "Low"}
PRIORITY_IN = {"critical": Priority.URGENT, "urgent": Priority.URGENT, "high": Priority.HIGH,
               "medium": Priority.NORMAL, "normal": Priority.NORMAL, "low": Priority.LOW}
# Without a priority, the severity suggests one ("Critical, Major, Minor" in the specification).
SEVERITY_PRIORITY = {"critical": Priority.URGENT, "major": Priority.HIGH, "minor": Priority.LOW}
DEFAULT_SEVERITY = {Priority.URGENT: "Critical", Priority.HIGH: "Major", Priority.NORMAL: "Minor",
                    Priority.LOW: "Minor"}

# Parties the platform derives from the request itself (not stored, not replaced by a PATCH).
DERIVED_ROLES = ("customer", "owner")


def tmf_status(request: Request, detail=None) -> str:
    if detail is not None and detail.status_detail and detail.status_detail_for == request.status:
        return detail.status_detail
    return FROM_DESK.get(request.status, ACKNOWLEDGED)


def priority_in(value: str) -> str | None:
    return PRIORITY_IN.get((value or "").strip().lower())


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def status_changes(request: Request, events) -> list[dict]:
    """The status history from the request's audit trail (desk changes and TMF-only statuses)."""
    changes = [{"status": ACKNOWLEDGED, "changeDate": iso(request.created_at), "@type": "StatusChange"}]
    for event in events:
        data = event.data or {}
        if event.kind == EventKind.STATUS and data.get("to") in FROM_DESK:
            status = data.get("tmf_status") or FROM_DESK[data["to"]]
        elif event.kind == EventKind.MODULE_UPDATE and data.get("module") == "tmf621" and data.get("status"):
            status = data["status"]
        else:
            continue
        change = {"status": status, "changeDate": iso(event.at), "@type": "StatusChange"}
        if data.get("reason"):
            change["changeReason"] = str(data["reason"])
        if event.kind == EventKind.MODULE_UPDATE and changes[-1]["changeDate"] == change["changeDate"]:
            # "rejected", "cancelled": the desk closed the request and TMF621 named the closure, in one change.
            changes[-1] = {**changes[-1], **change}
            continue
        changes.append(change)
    return changes


def ticket(request: Request, *, detail, messages, events, attachments, href: str) -> dict:
    """The TroubleTicket resource of a request (every attribute the platform has a value for)."""
    status = tmf_status(request, detail)
    history = status_changes(request, events)
    parties = []
    if request.citizen_phone or request.citizen_email:
        party = {"id": request.citizen_phone or request.citizen_email, "role": "customer",
                 "@referredType": "Individual"}
        if request.citizen_name:
            party["name"] = request.citizen_name
        parties.append(party)
    parties.append({"id": request.organisation.slug, "name": request.organisation.name, "role": "owner",
                    "@referredType": "Organization"})
    parties += list(detail.related_party) if detail else []
    notes = []
    for message in messages:
        if message.kind == MessageKind.CITIZEN:
            author = "citizen"
        elif message.author_id:
            author = message.author.get_full_name() or message.author.username
        else:
            author = "platform"
        notes.append({"id": str(message.pk), "author": author, "date": iso(message.created_at),
                      "text": message.body, "@type": "Note"})
    body = {
        "id": request.reference,
        "href": href,
        "@type": "TroubleTicket",
        "creationDate": iso(request.created_at),
        "lastUpdate": iso(request.updated_at),
        "name": request.subject,
        "description": request.text,
        "severity": (detail.severity if detail and detail.severity else DEFAULT_SEVERITY[request.priority]),
        "ticketType": (detail.ticket_type if detail and detail.ticket_type else request.service.code),
        "priority": PRIORITY_OUT[request.priority],
        "status": status,
        "statusChangeDate": history[-1]["changeDate"],
        "statusChange": history,
        "channel": {"id": request.channel, "name": request.get_channel_display(), "@type": "ChannelRef"},
        "relatedParty": parties,
        "relatedEntity": list(detail.related_entity) if detail else [],
        "note": notes,
        "attachment": [
            {"id": str(item.pk), "name": item.original_name, "mimeType": item.content_type,
             "size": {"amount": item.size, "units": "bytes"}, "@type": "AttachmentRefOrValue"}
            for item in attachments
        ],
    }
    reason = (detail.status_change_reason if detail else "") or history[-1].get("changeReason", "")
    if reason:
        body["statusChangeReason"] = reason
    if detail and detail.external_id:
        body["externalId"] = detail.external_id
    if detail and detail.requested_resolution_date:
        body["requestedResolutionDate"] = iso(detail.requested_resolution_date)
    if request.resolution_due_at and request.is_open:
        body["expectedResolutionDate"] = iso(request.resolution_due_at)
    if request.resolved_at:
        body["resolutionDate"] = iso(request.resolved_at)
    if request.merged_into_id:
        body["troubleTicketRelationship"] = [{"id": request.merged_into.reference, "relationshipType": "duplicateOf",
                                              "@type": "TroubleTicketRelationship"}]
    return body


def only_fields(body: dict, fields: list[str]) -> dict:
    """`fields=a,b`: those attributes, with the ones that identify the resource."""
    keep = {"id", "href", "@type", *fields}
    return {key: value for key, value in body.items() if key in keep}
