"""Reads shared by the desk, the portal and the API."""

from django.db.models import Case, DateTimeField, F, Max, OuterRef, Q, Subquery, When

from bawaba.core.references import normalise_reference

from .models import OPEN_STATUSES, MessageKind, Request, RequestAccess
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
    """Open requests in the user's queues, most urgent SLA first (paused ones last)."""
    qs = visible_requests(user).filter(status__in=OPEN_STATUSES)
    if not user.is_platform_admin:
        qs = qs.filter(organisation_id=user.organisation_id)
        if not user.is_supervisor:
            # A subquery, not a join on queue members: a join repeats a row once per member.
            qs = qs.filter(Q(queue__in=user.queues.values("pk")) | Q(assignee=user))
    if queue_ids:
        qs = qs.filter(queue_id__in=queue_ids)
    if mine_only:
        qs = qs.filter(assignee=user)
    qs = with_sla_due(qs).select_related("service", "assignee", "region", "queue")
    return qs.order_by(F("sla_paused_at").asc(nulls_first=True), F("sla_due").asc(nulls_last=True), "created_at")


def queue_version(user) -> str:
    """A cheap fingerprint of what the user's queue shows, for ETag/304 polling (~240 calls/s at
    480 agents): one query with two index-only MAXes, over the owning organisation's requests and
    over the read accesses it kept when it transferred requests away (a transfer away changes only
    a row the organisation no longer owns, so the first MAX alone would not move)."""
    if user.is_platform_admin:
        latest = Request.objects.aggregate(latest=Max("updated_at"))["latest"]
        return latest.isoformat() if latest else "empty"
    from bawaba.orgs.models import Organisation

    def latest_of(model, field):
        return Subquery(
            model.objects.filter(organisation_id=OuterRef("pk")).order_by()
            .values("organisation_id").annotate(latest=Max(field)).values("latest")
        )

    row = (
        Organisation.objects.filter(pk=user.organisation_id)
        .annotate(owned=latest_of(Request, "updated_at"), away=latest_of(RequestAccess, "granted_at"))
        .values_list("owned", "away")
        .first()
    )
    return "|".join(value.isoformat() if value else "empty" for value in (row or (None, None)))


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
