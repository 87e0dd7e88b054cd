"""The post in the service centre: items named in requests, complaints attached to items, failed deliveries
told to the citizen.

- **The item on the request page.** A request whose subject or text names an S10 number (or that has an item
  attached) shows the item's timeline on the agent's request page, through the desk's extension point
  (bawaba.desk.panels). What the viewer sees depends on who they are, not on the request:
  * staff of the post that owns the item (the request is theirs, or was transferred to them, or they
    transferred it away and kept read access): the staff timeline — EMSEVT codes, offices, delivery
    attempts' reason codes, flagged events — and, when they may act on the request and it belongs to the
    same post, the button that attaches the request to the item;
  * any other agent who may read the request (the shared service centre taking a "where is my parcel?" call,
    another operator): the public timeline only — what anyone reads on the public tracking page with the
    number: the plain-words steps and their dates; no office, person, device, reason, name or address.
    Telling an agent what the citizen could read themselves leaks nothing and lets the centre answer.
- **A complaint attached to an item** (``do_link_item``): a ``RequestItemLink`` (who, when) and a line in
  the request's history (servicedesk's module events), in one transaction.
- **A failed delivery told to the citizen** (``notify_failed_deliveries``, a listener of
  bawaba.postal.tracking.events_recorded): each new unsuccessful delivery (EMH) of an item attached to an
  open request adds a line to that request and sends the citizen an SMS / e-mail through the notification
  service, once per event (its idempotency key names the event).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bawaba.core.rendering import cached_once
from bawaba.desk import panels
from bawaba.notifications import texts
from bawaba.notifications.services import notify
from bawaba.postal import events as codes
from bawaba.postal import s10
from bawaba.postal.models import Item, ItemStatus, RequestItemLink
from bawaba.postal.tracking import events_recorded
from bawaba.servicedesk.models import OPEN_STATUSES, EventKind
from bawaba.servicedesk.permissions import can_act
from bawaba.servicedesk.services import do_record_module_event

log = logging.getLogger(__name__)

MODULE = "postal"
MAX_ITEMS = 5  # a request naming more numbers shows the first ones
LINKS_CACHE_SECONDS = 600  # keyed by the request's state: attaching an item moves it


# --- which items a request is about, and what a viewer may see of them ----------------------------------

def numbers_named(req) -> list[str]:
    return [str(number) for number in s10.find_in_text(f"{req.subject}\n{req.text}")][:MAX_ITEMS]


def linked_item_ids(req) -> list[int]:
    """Items attached to the request, read once per state of the request (attaching one touches it)."""
    modules = panels.history_modules(req)
    if modules is not None and MODULE not in modules:
        return []  # do_link_item writes a "postal" line in the history with every link: none, no link
    key = f"postal:links:{req.pk}:{req.updated_at.isoformat()}"
    return cached_once(key, lambda: list(RequestItemLink.objects.filter(request=req).values_list("item_id",
                                                                                                 flat=True)),
                       timeout=LINKS_CACHE_SECONDS)


def sees_staff_timeline(user, item: Item) -> bool:
    return bool(user.is_platform_admin or (user.organisation_id and user.organisation_id == item.organisation_id))


def may_link(user, req, item: Item) -> bool:
    """Only the post's own staff, acting on a request of that same post, attach it to the post's item."""
    return can_act(user, req) and item.organisation_id == req.organisation_id and sees_staff_timeline(user, item)


def items_of_request(req) -> list[Item]:
    numbers = numbers_named(req)
    linked = linked_item_ids(req)
    if not numbers and not linked:
        return []
    found = (Item.objects.filter(Q(number__in=numbers) | Q(pk__in=linked))
             .select_related("product", "organisation").order_by("-created_at", "id")[:MAX_ITEMS * 2])
    # Linked items first, then as named in the text.
    order = {pk: i for i, pk in enumerate(linked)}
    order_text = {number: i for i, number in enumerate(numbers)}
    return sorted(found, key=lambda item: (item.pk not in order, order.get(item.pk, 0),
                                           order_text.get(item.number, 0)))[:MAX_ITEMS]


# --- the panel ----------------------------------------------------------------------------------------------

def _timeline_rows(item: Item, *, staff: bool) -> list[dict]:
    rows = []
    for event in item.events.select_related("office").order_by("occurred_at", "id"):
        code = codes.CODES.get(event.code)
        if not staff:
            if event.flagged:
                continue  # the public sees the path that holds, not what is waiting for review
            rows.append({"at": event.occurred_at, "text": code.public if code else event.code})
            continue
        rows.append({
            "at": event.occurred_at, "code": event.code, "text": code.label if code else event.code,
            "office": f"{event.office.code} {event.office.name}" if event.office else event.office_code,
            "reason": event.reason_code, "action": event.action_code, "flagged": event.flagged,
            "flag_reason": event.flag_reason,
        })
    return rows


def render_panel(http_request, req) -> str:
    items = items_of_request(req)
    if not items:
        return ""
    user = http_request.user
    linked = set(linked_item_ids(req))
    entries = []
    for item in items:
        staff = sees_staff_timeline(user, item)
        entries.append({
            "item": item, "staff": staff, "linked": item.pk in linked,
            "can_link": staff and item.pk not in linked and may_link(user, req, item),
            "status": item.get_status_display(), "rows": _timeline_rows(item, staff=staff),
        })
    return render_to_string("postal/desk/_item_panel.html", {
        "entries": entries, "req": req, "csrf_token": get_token(http_request),
        "link_url": reverse("postal:link_item", args=[req.reference]),
    })


# --- attaching a request to an item -------------------------------------------------------------------------

def do_link_item(req, item: Item, *, actor, now: dt.datetime | None = None) -> RequestItemLink:
    """Attach the request to the item, with a line in the request's history; once per (request, item)."""
    now = now or timezone.now()
    if not may_link(actor, req, item):
        raise PermissionDenied(_("Only the post that handles this item can attach this request to it."))
    with transaction.atomic():
        link, created = RequestItemLink.objects.get_or_create(
            request=req, item=item, defaults={"linked_by": actor, "linked_at": now})
        if not created:
            raise ValidationError(_("This request is already attached to item %(number)s.") % {"number": item.number})
        do_record_module_event(req, EventKind.LINKED, module=MODULE, actor=actor, now=now, what="item_linked",
                               number=item.number, item=item.pk)
    return link


# --- failed deliveries told to the citizen -------------------------------------------------------------------

texts.register("postal.request_delivery_failed", texts.Template(
    # Translators: one SMS segment: 160 characters in French and English, 70 in Arabic with the number and link.
    sms=lambda c: _("We could not deliver your item %(number)s. Follow your request: %(link)s") % c,
    subject=lambda c: _("Your item %(number)s could not be delivered") % c,
    lead=lambda c: _("We could not deliver your item %(number)s today. The post will try again or keep it for "
                     "you at the post office; your request %(reference)s follows it.") % c,
))


@receiver(events_recorded, dispatch_uid="postal.desk_links.failed_deliveries")
def notify_failed_deliveries(sender, items, events, **kwargs):
    failed = [event for event in events if event.code == codes.UNSUCCESSFUL and not event.flagged]
    if not failed:
        return
    by_item: dict[int, list] = {}
    for event in failed:
        by_item.setdefault(event.item_id, []).append(event)
    links = (RequestItemLink.objects.filter(item_id__in=list(by_item), request__status__in=OPEN_STATUSES)
             .select_related("request", "item"))
    for link in links:
        if link.item.status == ItemStatus.DELIVERED:
            continue  # the EMH arrived late: the item is delivered since
        for event in by_item[link.item_id]:
            try:
                do_tell_failed_delivery(link, event)
            except Exception:  # noqa: BLE001 - one request's problem must not stop the others
                log.exception("could not tell request %s of failed delivery %s", link.request_id, event.pk)


def do_tell_failed_delivery(link: RequestItemLink, event, *, now: dt.datetime | None = None) -> list:
    """A line in the request's history and a message to its citizen, stored together."""
    now = now or timezone.now()
    req, item = link.request, link.item
    with transaction.atomic():
        do_record_module_event(req, EventKind.MODULE_UPDATE, module=MODULE, actor=None, now=now,
                               what="delivery_failed", number=item.number, event=event.pk,
                               reason=event.reason_code, action=event.action_code)
        return notify(topic="servicedesk.request", reference=req.reference, event=f"postal-event:{event.pk}",
                      template="postal.request_delivery_failed",
                      language=req.language or texts.guess_language(req.text),
                      organisation_id=req.organisation_id, phone=req.citizen_phone, email=req.citizen_email,
                      context={"number": item.number}, now=now)


# --- history lines --------------------------------------------------------------------------------------------

_WHAT = {
    "item_linked": gettext_lazy("Attached to postal item %(number)s."),
    "delivery_failed": gettext_lazy("Postal item %(number)s: delivery attempt failed; the citizen was told."),
}


def describe(event) -> str:
    """The history line, translated when read; the number kept left-to-right in an Arabic line."""
    data = event.data or {}
    template = _WHAT.get(data.get("what", ""))
    if template is None:
        return ""
    number = format_html('<span class="ltr">{}</span>', data.get("number", ""))
    text = conditional_escape(str(template)) % {"number": number}
    if data.get("reason"):
        text += " " + conditional_escape(_("Reason code: %(code)s")) % {
            "code": format_html('<span class="ltr">{}</span>', data["reason"])}
    return mark_safe(text)  # noqa: S308 - the template escaped, each value escaped by format_html


panels.register_panel(panels.RequestPanel("postal.items", render_panel, order=50))
panels.register_describer(MODULE, describe)
