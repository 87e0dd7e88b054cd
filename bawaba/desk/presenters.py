"""How the desk shows things: SLA badges and readable, translated history lines. No business rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bawaba.orgs.models import Priority
from bawaba.servicedesk.models import Channel, EventKind, RoutingMethod, Status

from .panels import describe_module_event

SOON = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SlaBadge:
    css: str  # ok / soon / breached / paused / none
    text: str
    title: str


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def duration(delta: dt.timedelta) -> str:
    """Short wall-clock duration: `3 d 4 h`, `2 h 05 min`, `12 min`."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def sla_badge(due: dt.datetime | None, *, paused_at=None, status: str = "", now: dt.datetime | None = None):
    """Time left before the next deadline, or how late it is, as a coloured badge."""
    if status == Status.WAITING or paused_at is not None:
        return SlaBadge("paused", _("paused"), _("Waiting for the citizen: the SLA clock is stopped."))
    if due is None:
        return SlaBadge("none", "—", _("No SLA target"))
    now = now or timezone.now()
    due_text = date_format(timezone.localtime(due), "SHORT_DATETIME_FORMAT")  # day first, as the pages
    if due <= now:
        return SlaBadge("breached", _("overdue %(duration)s") % {"duration": duration(now - due)},
                        _("Deadline was %(due)s") % {"due": due_text})
    left = due - now
    return SlaBadge("soon" if left <= SOON else "ok", _("%(duration)s left") % {"duration": duration(left)},
                    _("Deadline %(due)s") % {"due": due_text})


_QUEUE_ROW = (
    '<tr data-reference="{ref}" data-status="{status}" data-priority="{priority}">'
    '<td><a class="ref ltr" id="open-{ref}" href="{url}">{ref}</a></td>'
    '<td dir="auto">{subject}</td><td>{service}</td><td>{channel}</td><td>{region}</td>'
    '<td><span class="badge {priority}">{priority_label}</span></td><td>{status_label}</td><td>{assignee}</td>'
    '<td><span class="badge sla {badge_css}" title="{badge_title}" dir="auto">{badge_text}</span></td></tr>\n'
)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _name(row: dict, relation: str, language: str) -> str:
    # As orgs.models.Named.name and geo's LocalisedName.name: the reader's language, else French.
    return row.get(f"{relation}__name_{language}") or row[f"{relation}__name_fr"]


def queue_rows_html(rows, *, now: dt.datetime) -> str:
    """The list's table rows, from `selectors.queue_page` rows. Written with format_html rather than a
    template loop: the list is re-rendered at every change of a queue (about 20 times a second at full
    load), and a template costs ten times more per row. Every value is escaped; labels are translated once
    per list."""
    channels, priorities, statuses = _labels(Channel), _labels(Priority), _labels(Status)
    language = (get_language() or "fr")[:2]
    request_url = reverse("desk:request", args=["REFERENCE"])
    unassigned = format_html('<span class="muted">{}</span>', _("unassigned"))
    html = []
    for r in rows:
        badge = sla_badge(r["sla_due"], paused_at=r["sla_paused_at"], status=r["status"], now=now)
        if r["assignee_id"]:
            name = f'{r["assignee__first_name"]} {r["assignee__last_name"]}'.strip() or r["assignee__username"]
            assignee = format_html("<bdi>{}</bdi>", name)
        else:
            assignee = unassigned
        subject = r["subject"]
        html.append(format_html(
            _QUEUE_ROW,
            ref=r["reference"],
            url=request_url.replace("REFERENCE", r["reference"]),
            status=r["status"],
            priority=r["priority"],
            subject=subject if len(subject) <= 80 else subject[:79] + "…",
            service=_name(r, "service", language),
            channel=channels.get(r["channel"], r["channel"]),
            region=_name(r, "region", language) if r["region__name_fr"] else "—",
            priority_label=priorities.get(r["priority"], r["priority"]),
            status_label=statuses.get(r["status"], r["status"]),
            assignee=assignee,
            badge_css=badge.css, badge_title=badge.title, badge_text=badge.text,
        ))
    return mark_safe("".join(html))  # noqa: S308 - each row is format_html output: every value escaped


def _typed(template: str, **values) -> str:
    """A translated line around text a person typed (a reason, a file name): the line is escaped and each
    typed value isolated in <bdi>, so that an Arabic reason keeps its own direction in a French line."""
    return mark_safe(conditional_escape(template) % {  # noqa: S308 - every part escaped
        key: format_html("<bdi>{}</bdi>", value) for key, value in values.items()})


def describe_event(event, services_by_code: dict) -> str:
    """One translated line for a history event, from its kind and JSON details (HTML: typed text in <bdi>)."""
    data = event.data or {}

    def service(code):
        found = services_by_code.get(code)
        return f"{found.name} ({found.organisation.name})" if found else str(code)

    kind = event.kind
    if kind == EventKind.CREATED:
        return _("Channel: %(channel)s") % {"channel": _label(Channel, data.get("channel"))}
    if kind == EventKind.ROUTED:
        text = _("To %(service)s, by %(method)s") % {
            "service": service(data.get("service")), "method": _label(RoutingMethod, data.get("method"))}
        if data.get("confidence") is not None:
            text += " " + _("(confidence %(percent)d%%)") % {"percent": round(100 * data["confidence"])}
        return text
    if kind == EventKind.ASSIGNED:
        if data.get("to"):
            if data.get("from"):
                return _("From %(from)s to %(to)s") % {"from": data["from"], "to": data["to"]}
            return _("To %(to)s") % {"to": data["to"]}
        return _("Unassigned (was %(from)s)") % {"from": data.get("from") or "—"}
    if kind in (EventKind.STATUS, EventKind.PRIORITY):
        choices = Status if kind == EventKind.STATUS else Priority
        text = conditional_escape(f"{_label(choices, data.get('from'))} → {_label(choices, data.get('to'))}")
        if data.get("reason"):
            text += mark_safe(" — ") + _typed(_("reason: %(reason)s"), reason=data["reason"])
        if data.get("unmerged_from"):
            text += conditional_escape(
                " — " + _("no longer merged into %(reference)s") % {"reference": data["unmerged_from"]})
        return text
    if kind == EventKind.TRANSFERRED:
        return _typed(_("From %(from)s to %(to)s — reason: %(reason)s"), **{
            "from": service(data.get("from")), "to": service(data.get("to")), "reason": data.get("reason", "")})
    if kind == EventKind.MERGED:
        if data.get("into"):
            return _("Merged into %(reference)s") % {"reference": data["into"]}
        return _("Absorbed the duplicate %(reference)s") % {"reference": data.get("absorbed", "")}
    if kind == EventKind.ESCALATED:
        deadlines = ", ".join(_("first response") if d == "first_response" else _("resolution")
                              for d in data.get("deadlines", []))
        return _("Missed: %(deadlines)s; priority %(from)s → %(to)s") % {
            "deadlines": deadlines, "from": _label(Priority, data.get("from")), "to": _label(Priority, data.get("to"))}
    if kind == EventKind.ATTACHMENT:
        return format_html("<bdi>{}</bdi>", data.get("name", ""))
    if kind == EventKind.SLA_CALENDAR_ERROR:
        return _("The organisation's opening hours or time zone cannot be used (%(problem)s): deadlines are "
                 "counted around the clock until an administrator fixes them.") % {"problem": data.get("problem", "")}
    if kind in (EventKind.LINKED, EventKind.MODULE_UPDATE):
        return describe_module_event(event)
    if kind == EventKind.SLA_RESUMED:
        return _("Waited %(minutes)s business minutes") % {"minutes": data.get("business_minutes_waited", 0)}
    return ""
