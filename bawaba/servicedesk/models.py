"""Citizens' requests, their messages, attachments and complete history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.orgs.models import Priority


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    USSD = "ussd", _("USSD")
    COUNTER = "counter", _("Counter")
    API = "api", _("API")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for citizen")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.REOPENED)

# Allowed status changes by hand; assignment, merging and citizen replies move status too (services.py).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED),
    Status.ASSIGNED: (Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED),
    Status.IN_PROGRESS: (Status.WAITING, Status.RESOLVED, Status.CLOSED),
    Status.WAITING: (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED),
    Status.RESOLVED: (Status.CLOSED, Status.REOPENED),
    Status.CLOSED: (Status.REOPENED,),
    Status.REOPENED: (Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED),
}


class RoutingMethod(models.TextChoices):
    MANUAL = "manual", _("Chosen by an agent")
    RULE = "rule", _("Routing rule")
    CLASSIFIER = "classifier", _("Text classifier")
    ORIENTATION = "orientation", _("Orientation (low confidence)")


class Request(models.Model):
    reference = models.CharField(max_length=12, unique=True)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="requests")
    service = models.ForeignKey("orgs.Service", on_delete=models.PROTECT, related_name="requests")
    queue = models.ForeignKey("orgs.Queue", on_delete=models.PROTECT, related_name="requests")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    category = models.CharField(max_length=80, blank=True, help_text="Service code the citizen chose, if any")

    citizen_name = models.CharField(max_length=160, blank=True)
    citizen_phone = models.CharField(max_length=16, db_index=True, blank=True)  # E.164; blank only by e-mail
    citizen_email = models.EmailField(blank=True)
    region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.PROTECT)
    commune = models.ForeignKey("geo.Commune", null=True, blank=True, on_delete=models.PROTECT)
    language = models.CharField(max_length=8, blank=True)

    subject = models.CharField(max_length=200)
    text = models.TextField()
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")

    routing_method = models.CharField(max_length=12, choices=RoutingMethod.choices, default=RoutingMethod.MANUAL)
    routing_confidence = models.FloatField(null=True, blank=True)
    predicted_service_code = models.CharField(max_length=80, blank=True)

    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(db_index=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    first_response_escalated_at = models.DateTimeField(null=True, blank=True)
    resolution_escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "resolution_due_at"], name="sd_req_org_status_due"),
            models.Index(fields=["queue", "status"], name="sd_req_queue_status"),
            models.Index(fields=["status", "first_response_due_at"], name="sd_req_status_frdue"),
            models.Index(fields=["organisation", "updated_at"], name="sd_req_org_updated"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def allowed_statuses(self) -> tuple[str, ...]:
        """The statuses an agent may set by hand from here. Waiting for the citizen pauses the SLA, so
        it needs a question first: until the first public reply the way is "reply and wait"."""
        allowed = TRANSITIONS.get(self.status, ())
        if self.first_responded_at is None:
            allowed = tuple(status for status in allowed if status != Status.WAITING)
        return allowed

    @property
    def sla_due_at(self):
        """The next deadline that matters: first response until it is given, then resolution."""
        if self.first_responded_at is None and self.first_response_due_at:
            return min(self.first_response_due_at, self.resolution_due_at or self.first_response_due_at)
        return self.resolution_due_at


class MessageKind(models.TextChoices):
    PUBLIC_REPLY = "reply", _("Public reply")
    INTERNAL_NOTE = "note", _("Internal note")
    CITIZEN = "citizen", _("Citizen message")


class Message(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=8, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


def attachment_path(instance, filename):
    return f"attachments/{instance.request.reference}/{instance.sha256[:16]}.{instance.extension}"


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    def __str__(self):
        return self.original_name


class RequestAccess(models.Model):
    """Read access kept by an organisation that transferred a request away."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="accesses")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    # Updated each time the organisation transfers the request away.
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "organisation"], name="sd_access_unique")
        ]
        indexes = [models.Index(fields=["organisation", "granted_at"], name="sd_access_org_granted")]

    def __str__(self):
        return f"{self.organisation_id} reads {self.request_id}"


class QueueVersion(models.Model):
    """A counter per queue, raised in the same transaction as every change to a request that is, or was
    until that change, in the queue. The live desk list fingerprints an agent's queues by these counters
    (one primary-key read per poll, whatever the backlog), so a change in one queue re-renders only the
    lists that show it. A queue without a row has version 0."""

    queue = models.OneToOneField("orgs.Queue", on_delete=models.CASCADE, primary_key=True, related_name="desk_version")
    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.queue_id}@{self.version}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ROUTED = "routed", _("Routed")
    ASSIGNED = "assigned", _("Assigned")
    STATUS = "status", _("Status changed")
    PRIORITY = "priority", _("Priority changed")
    REPLIED = "replied", _("Replied to the citizen")
    NOTE = "note", _("Internal note")
    CITIZEN_MESSAGE = "citizen_message", _("Citizen wrote")
    ATTACHMENT = "attachment", _("Attachment added")
    TRANSFERRED = "transferred", _("Transferred")
    MERGED = "merged", _("Merged")
    ESCALATED = "escalated", _("Escalated")
    SLA_PAUSED = "sla_paused", _("SLA paused")
    SLA_RESUMED = "sla_resumed", _("SLA resumed")
    SLA_CALENDAR_ERROR = "sla_calendar_error", _("SLA counted around the clock (calendar unusable)")
    # Written by other modules through services.do_record_module_event (``data["module"]`` names the module,
    # whose describer in bawaba.desk.panels words the line): a record of theirs attached to the request, and
    # something that happened to such a record.
    LINKED = "linked", _("Record linked")
    MODULE_UPDATE = "module_update", _("Update of a linked record")


class RequestEvent(models.Model):
    """The audit trail: every change to a request, written in the same transaction as the change."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class Notification(models.Model):
    """An in-app notice for a member of staff (also e-mailed when they have an address)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.CASCADE)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text
