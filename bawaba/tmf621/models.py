"""What TMF621 knows of a request that the service desk does not: a ticket IS a request (servicedesk.Request);
this row only holds the TMF attributes without a desk column, plus the hub's subscriptions and their deliveries.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketDetail(models.Model):
    """TMF attributes of a request. A request created in the desk has none: defaults are derived (mapping.py)."""

    request = models.OneToOneField("servicedesk.Request", on_delete=models.CASCADE, primary_key=True,
                                   related_name="tmf621")
    severity = models.CharField(max_length=60, blank=True)
    ticket_type = models.CharField(max_length=60, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    requested_resolution_date = models.DateTimeField(null=True, blank=True)
    # A TMF status finer than the desk's: "held" (desk: in progress), "rejected" or "cancelled" (desk: closed).
    # Only shown while the desk status is still the one it was set with.
    status_detail = models.CharField(max_length=12, blank=True)
    status_detail_for = models.CharField(max_length=12, blank=True)
    status_change_reason = models.CharField(max_length=500, blank=True)
    # Parties and entities other than the derived ones (the citizen as customer, the owning organisation).
    related_party = models.JSONField(default=list, blank=True)
    related_entity = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"TMF621 {self.request_id}"


class Subscription(models.Model):
    """A listener registered through POST /hub by an organisation's integration (its API token)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey("api.ApiToken", on_delete=models.CASCADE, related_name="+")
    callback = models.URLField(max_length=500)
    query = models.CharField(max_length=500, blank=True)
    # Key of the HMAC-SHA256 signature of each notification; given once, in the registration's answer.
    secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("TMF621 listener")

    def __str__(self):
        return self.callback


class Delivery(models.Model):
    """One notification to one listener: stored with the event, then posted (and retried) by Huey."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=60)
    body = models.TextField()
    created_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="tmf_delivery_due")]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class Cursor(models.Model):
    """The last servicedesk RequestEvent turned into notifications (one row)."""

    last_event_id = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.last_event_id)
