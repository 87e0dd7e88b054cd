"""The outbox: every SMS and e-mail the platform sends to citizens, with its delivery history.

A row is written in the same transaction as the change that causes it, then sent by the sweep
(services.send_due). Nothing is lost if the process dies between the two, and the unique idempotency
key makes one event yield one message whatever retries happen upstream."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class State(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Not sent (citizen opted out)")


class OutboundMessage(models.Model):
    idempotency_key = models.CharField(max_length=160, unique=True)
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # What the message is about, named by the module that sent it (e.g. a service-desk request's reference):
    # the outbox depends on no module.
    topic = models.CharField(max_length=40)
    reference = models.CharField(max_length=40, blank=True, db_index=True)
    template = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notif_due"),
            models.Index(fields=["organisation", "created_at"], name="notif_org_created"),
        ]

    def __str__(self):
        return f"{self.channel} to {self.recipient} ({self.state})"


class DeliveryReport(models.Model):
    """A delivery report as the gateway sent it (Kannel's dlr-url, or an HTTP provider's callback)."""

    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=20)
    data = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self):
        return f"{self.message_id}: {self.status}"


class OptOut(models.Model):
    """A phone number or an address that asked for no more messages (STOP by SMS, or the link in an e-mail)."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    source = models.CharField(max_length=40)  # "sms:STOP", "link", ...
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="notif_optout_unique")]

    def __str__(self):
        return f"{self.channel}:{self.address}"
