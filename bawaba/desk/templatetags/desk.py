"""Template helpers of the agent desk: phone display, SLA badges, unread notification count."""

from django import template
from django.utils import timezone

from bawaba.core.phones import display
from bawaba.servicedesk.models import Notification

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
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
