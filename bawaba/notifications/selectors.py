"""Reads of the outbox that pages share."""

from .models import OutboundMessage


def outbox_for(user):
    """The messages a member of staff may read: their organisation's (platform admins: all)."""
    messages = OutboundMessage.objects.all()
    if not user.is_platform_admin:
        messages = messages.filter(organisation_id=user.organisation_id)
    return messages.order_by("-created_at", "-id")


def messages_about(topic: str, reference: str, limit: int = 20):
    return list(OutboundMessage.objects.filter(topic=topic, reference=reference)
                .order_by("-created_at", "-id")[:limit])
