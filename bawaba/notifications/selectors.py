"""Reads of the outbox that pages share."""

import functools

from django.db import connection

from bawaba.core import rows

from .models import OutboundMessage


def outbox_for(user):
    """The messages a member of staff may read: their organisation's (platform admins: all)."""
    messages = OutboundMessage.objects.all()
    if not user.is_platform_admin:
        messages = messages.filter(organisation_id=user.organisation_id)
    return messages.order_by("-created_at", "-id")


def messages_about(topic: str, reference: str, limit: int = 20):
    """`OutboundMessage.objects.filter(topic=..., reference=...).order_by("-created_at", "-id")[:limit]`, in plain
    SQL built once (bawaba.core.rows): the desk's request page shows them on every opening, and building the
    ORM's query cost more CPU than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_messages_about_sql(connection.vendor), [topic, reference, limit])
        return [rows.instance(OutboundMessage, values) for values in cursor.fetchall()]


@functools.cache
def _messages_about_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    field = OutboundMessage._meta.get_field
    return (f"SELECT {rows.columns(OutboundMessage, 'm')} FROM {quote(OutboundMessage._meta.db_table)} m "  # noqa: S608
            f"WHERE m.{quote(field('topic').column)} = %s AND m.{quote(field('reference').column)} = %s "
            f"ORDER BY m.{quote(field('created_at').column)} DESC, m.{quote(OutboundMessage._meta.pk.column)} DESC "
            "LIMIT %s")
