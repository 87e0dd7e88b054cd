"""Reads shared by the desk, the portal and the API."""

import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, DateTimeField, F, Q, When

from bawaba.core.parsing import positive_int
from bawaba.core.references import normalise_reference

from .models import OPEN_STATUSES, MessageKind, Notification, Request
from .permissions import visible_requests


def with_sla_due(qs):
    """Annotate `sla_due`: the first-response deadline until it is met, then the resolution deadline."""
    return qs.annotate(
        sla_due=Case(
            When(first_responded_at__isnull=True, first_response_due_at__isnull=False,
                 then=F("first_response_due_at")),
            default=F("resolution_due_at"),
            output_field=DateTimeField(),
        )
    )


def queue_for_agent(user, *, queue_ids=None, mine_only=False):
    """Open requests in the user's queues, most urgent SLA first (paused ones last). Only the requests the
    user's organisation owns: those it transferred away stay readable, but out of its queues."""
    if not user.is_authenticated or not (user.is_platform_admin or user.organisation_id):
        return Request.objects.none()
    qs = Request.objects.filter(status__in=OPEN_STATUSES)
    if not user.is_platform_admin:
        qs = qs.filter(organisation_id=user.organisation_id)
        if not user.is_supervisor:
            # A subquery, not a join on queue members: a join repeats a row once per member.
            qs = qs.filter(Q(queue__in=user.queues.values("pk")) | Q(assignee=user))
    if queue_ids:
        qs = qs.filter(queue_id__in=queue_ids)
    if mine_only:
        qs = qs.filter(assignee=user)
    qs = with_sla_due(qs).select_related("service", "assignee", "region")
    return qs.order_by(F("sla_paused_at").asc(nulls_first=True), F("sla_due").asc(nulls_last=True), "created_at")


# What one row of the live list shows (names in every language: the reader's is chosen when rendering).
QUEUE_ROW_VALUES = (
    "pk", "reference", "subject", "channel", "priority", "status", "sla_paused_at", "sla_due",
    "service__name_fr", "service__name_ar", "service__name_en", "region__name_fr", "region__name_ar",
    "region__name_en", "assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username",
)


def queue_page(queryset, page_number, per_page):
    """One page of a `queue_for_agent` list: a Page whose items are (primary key, updated_at) pairs, read
    with the list's length in one query (a window count), sorting the open requests of one table only.
    The rows themselves come from `queue_rows`; a caller can tell from the pairs whether they changed."""
    from django.core.paginator import Page, Paginator
    from django.db.models import Count, Window

    paginator = Paginator(queryset, per_page)
    number = positive_int(page_number, maximum=10**6) or 1

    def keys_of(number):
        start = (number - 1) * per_page
        return list(queryset.annotate(total=Window(Count("pk"))).values_list("pk", "updated_at", "total")
                    [start:start + per_page])

    keys = keys_of(number)
    if keys:
        total = keys[0][2]
    else:
        total = queryset.count()  # an empty list, or a page past the end: show the last one
        last = max(1, -(-total // per_page))
        if number > last:
            number = last
            keys = keys_of(number)
    paginator.__dict__["count"] = total  # known already: the paginator must not count again
    return Page([(pk, updated_at) for pk, updated_at, _total in keys], number, paginator)


def queue_rows(ids: list[int]) -> list[dict]:
    """The live list's rows (QUEUE_ROW_VALUES) for these requests, in this order. Plain rows cost a third
    of model instances, and the list is re-read at every change of a queue."""
    rows = {row["pk"]: row for row in with_sla_due(Request.objects.filter(pk__in=ids)).values(*QUEUE_ROW_VALUES)}
    return [rows[pk] for pk in ids if pk in rows]


@dataclass(frozen=True)
class QueueScope:
    """What a member of staff's live list is drawn from: `key` names the rows it may show and the version
    of each queue they sit in. Two people with the same key see the same list (so it is rendered once for
    both); the key moves whenever a request enters, leaves or changes in one of those queues."""

    key: str
    queue_ids: frozenset[int]  # the queues the list may be filtered on


def queue_scope(user) -> QueueScope:
    """One query: the user's queues with their versions (QueueVersion, raised by every change).

    An agent's list is their organisation's requests in the queues they are a member of, plus the ones
    assigned to them in other queues; only in that second case does the list belong to them alone.
    A supervisor's list is their whole organisation's; a platform admin's, everyone's.

    Plain SQL: every agent's browser asks for this every 2 s (240 times a second at 480 agents), and
    building the same ORM query each time would cost more than running it."""
    sql = _scope_sql()
    with connection.cursor() as cursor:
        if user.is_platform_admin:
            cursor.execute(sql["all"])
            owner = "all"
        elif user.is_supervisor:
            cursor.execute(sql["organisation"], [user.organisation_id])
            owner = f"org{user.organisation_id}"
        else:
            cursor.execute(sql["agent"], [user.pk, user.organisation_id, user.pk, user.pk, *OPEN_STATUSES])
            owner = None
        rows = cursor.fetchall()
    if owner is None:
        alone = not all(is_member for _pk, _version, is_member in rows)
        owner = f"user{user.pk}" if alone else f"org{user.organisation_id}-members"
    key = owner + ":" + ",".join(f"{pk}@{version}" for pk, version, _member in rows)
    return QueueScope(key=key, queue_ids=frozenset(pk for pk, _version, member in rows if member))


@functools.cache
def _scope_sql() -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from bawaba.orgs.models import Queue

    from .models import QueueVersion

    # Only table names (from the models) are formatted in; every value is a query parameter.
    quote = connection.ops.quote_name
    queue, version = quote(Queue._meta.db_table), quote(QueueVersion._meta.db_table)
    members, request = quote(get_user_model().queues.through._meta.db_table), quote(Request._meta.db_table)
    base = f"SELECT q.id, COALESCE(v.version, 0), {{member}} FROM {queue} q LEFT JOIN {version} v ON v.queue_id = q.id"  # noqa: S608, E501
    is_member = f"EXISTS (SELECT 1 FROM {members} m WHERE m.queue_id = q.id AND m.user_id = %s)"  # noqa: S608
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    holds_mine = f"EXISTS (SELECT 1 FROM {request} r WHERE r.queue_id = q.id AND r.assignee_id = %s AND r.status IN ({statuses}))"  # noqa: S608, E501
    return {
        "all": base.format(member="1") + " ORDER BY q.id",
        "organisation": base.format(member="1") + " WHERE q.organisation_id = %s ORDER BY q.id",
        "agent": base.format(member=is_member)
        + f" WHERE q.organisation_id = %s AND ({is_member} OR {holds_mine}) ORDER BY q.id",
    }


def requests_of_caller(user, phone_e164: str, limit: int = 20):
    return (
        visible_requests(user)
        .filter(citizen_phone=phone_e164)
        .select_related("service")
        .order_by("-created_at")[:limit]
    )


def find_for_citizen(reference: str, phone_e164: str) -> Request | None:
    """The citizen's own request: both the reference and the phone number must match."""
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    return (
        Request.objects.select_related("service", "organisation")
        .filter(reference=canonical, citizen_phone=phone_e164)
        .first()
    )


def public_messages(request: Request):
    return request.messages.exclude(kind=MessageKind.INTERNAL_NOTE).select_related("author")


def history(request: Request):
    return request.events.select_related("actor", "organisation").order_by("at", "id")


def unread_notification_count(user_id: int) -> int:
    """How many of the user's notifications are unread (the desk's header on every page, the push stream), in
    plain SQL built once: building the ORM's COUNT cost more CPU than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_unread_sql(connection.vendor), [user_id])
        return cursor.fetchone()[0]


@functools.cache
def _unread_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    field = Notification._meta.get_field
    return (f"SELECT COUNT(*) FROM {quote(Notification._meta.db_table)} "  # noqa: S608 - our identifiers
            f"WHERE {quote(field('recipient').column)} = %s AND {quote(field('read_at').column)} IS NULL")
