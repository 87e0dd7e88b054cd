"""Template helpers of the agent desk: phone display, SLA badges, unread notification count."""

from django import template
from django.utils import timezone

from bawaba.core.phones import display
from bawaba.servicedesk.selectors import unread_notification_count

from ..presenters import sla_badge

register = template.Library()


@register.filter
def phone(e164: str) -> str:
    """`+213550123456` -> `+213 550 12 34 56`."""
    return display(e164) if e164 else ""


@register.inclusion_tag("desk/_sla_badge.html", takes_context=True)
def sla(context, req):
    """The request's next deadline as a coloured badge (uses the `sla_due` annotation when present)."""
    due = req.sla_due if hasattr(req, "sla_due") else req.sla_due_at
    now = context.get("now") or timezone.now()
    return {"badge": sla_badge(due, paused_at=req.sla_paused_at, status=req.status, now=now)}


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    user = context["request"].user
    if not user.is_authenticated:
        return 0
    return unread_notification_count(user.pk)


@register.simple_tag(takes_context=True)
def live_url(context) -> str:
    """The page's push stream (desk.live): the queue page's list with its filters, the dashboard's counters,
    or only the user's own events (notification count, telephony) on every other desk page."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.http import urlencode

    if not getattr(settings, "LIVE_ENABLED", True):
        return ""
    request = context["request"]
    view = context.get("live_view") or "page"
    params = [("view", view)]
    if view == "queue":
        params += [(name, request.GET[name]) for name in ("queue", "mine", "page") if request.GET.get(name)]
    elif view == "dashboard" and request.GET.get("organisation"):
        params.append(("organisation", request.GET["organisation"]))
    return reverse("desk:live") + "?" + urlencode(params)
