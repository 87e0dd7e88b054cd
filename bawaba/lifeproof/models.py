"""Proof of life: pensioners of a fund (an onboarded organisation), their encrypted biometric reference, the
campaigns of each payment period, challenges, attempts, reviews, certificates, and two logs (every access to
biometric data; every change)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Pensioner(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        LEFT = "left", _("Left")  # deceased, transferred, pension ended: the biometric reference is deleted

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("fund"))
    pension_number = models.CharField(_("pension number"), max_length=30)
    national_id = models.CharField(_("national ID number"), max_length=30)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    first_name_ar = models.CharField(_("first name (Arabic)"), max_length=80, blank=True)
    last_name_ar = models.CharField(_("last name (Arabic)"), max_length=80, blank=True)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENROLLED)
    enrolled_via = models.CharField(max_length=10, default="import")  # import | counter
    enrolled_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "pension_number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "pension_number"], name="lifeproof_unique_pension"),
            models.UniqueConstraint(fields=["organisation", "national_id"], name="lifeproof_unique_national_id"),
        ]

    def __str__(self):
        return f"{self.pension_number} {self.first_name} {self.last_name}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def name_ar(self) -> str:
        return f"{self.first_name_ar} {self.last_name_ar}".strip()


class BiometricReference(models.Model):
    """The reference photo and the face template computed from it, both encrypted (bawaba.lifeproof.crypto)."""

    pensioner = models.OneToOneField(Pensioner, on_delete=models.CASCADE, related_name="reference")
    photo = models.BinaryField()
    template = models.BinaryField()
    photo_sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=10)  # import | counter
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self):
        return f"reference of {self.pensioner_id}"



class Campaign(models.Model):
    """One payment period of a fund: every enrolled pensioner must prove by `due_on`; after `due_on` plus
    `grace_days` the unproved are to be suspended."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("fund"))
    period = models.CharField(_("payment period"), max_length=20)  # e.g. 2027 or 2027-S1
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    grace_days = models.PositiveIntegerField(_("grace days"), default=30)
    remind_days = models.CharField(_("reminders (days before the due date)"), max_length=40, default="30,7")
    validity_days = models.PositiveIntegerField(_("certificate validity (days)"), default=365)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "period"], name="lifeproof_unique_period")]

    def __str__(self):
        return f"{self.organisation} {self.period}"

    def reminder_days(self) -> list[int]:
        return sorted({int(part) for part in self.remind_days.split(",") if part.strip().isdigit()}, reverse=True)


class Obligation(models.Model):
    """A pensioner's proof due in a campaign."""

    class Status(models.TextChoices):
        DUE = "due", _("To prove")
        PROVED = "proved", _("Proved")
        CANCELLED = "cancelled", _("Cancelled")  # the pensioner left

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="obligations")
    pensioner = models.ForeignKey(Pensioner, on_delete=models.CASCADE, related_name="obligations")
    code = models.CharField(max_length=12, unique=True)  # in the SMS link, with its signature
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    proved_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    home_visit_reference = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["campaign_id", "pensioner_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "pensioner"], name="lifeproof_one_per_campaign")]

    def __str__(self):
        return f"{self.campaign.period} {self.pensioner.pension_number}"


class Via(models.TextChoices):
    PHONE = "phone", _("Own phone")
    ASSISTED = "assisted", _("Phone, helped by a relative")
    COUNTER = "counter", _("Post-office counter")


class Challenge(models.Model):
    """The random steps the server asked for; single-use, answered before `expires_at`."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="challenges")
    token = models.CharField(max_length=43, unique=True)
    steps = models.JSONField()
    window_ms = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.PHONE)
    consent_at = models.DateTimeField()
    helper_name = models.CharField(max_length=120, blank=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    def __str__(self):
        return f"challenge {self.pk} ({','.join(self.steps)})"



class Outcome(models.TextChoices):
    PENDING = "pending", _("Being checked")
    ACCEPTED = "accepted", _("Accepted")
    REVIEW = "review", _("To review")
    REFUSED = "refused", _("Refused")


class Attempt(models.Model):
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="attempts")
    challenge = models.OneToOneField(Challenge, on_delete=models.PROTECT, related_name="attempt")
    created_at = models.DateTimeField()
    frames = models.BinaryField(blank=True)  # encrypted JSON: [{"at_ms", "image" (base64)}]; emptied by retention
    frame_count = models.PositiveIntegerField(default=0)
    fingerprints = models.JSONField(default=list)
    frames_deleted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    engine_outcome = models.CharField(max_length=10, blank=True)  # what the policy said before any review
    reasons = models.JSONField(default=list)
    scores = models.JSONField(default=dict)
    policy_version = models.CharField(max_length=40, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"attempt {self.pk} {self.status}"



class Review(models.Model):
    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REFUSE = "refuse", _("Refuse")

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.decision} by {self.reviewer_id}"



class Certificate(models.Model):
    obligation = models.OneToOneField(Obligation, on_delete=models.PROTECT, related_name="certificate")
    attempt = models.ForeignKey(Attempt, null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=12, unique=True)
    issued_at = models.DateTimeField()
    valid_until = models.DateField()
    payload = models.TextField()  # canonical JSON, exactly the signed bytes
    signature = models.CharField(max_length=100)  # base64url Ed25519 signature
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.code



class BiometricAccess(models.Model):
    """Every read or write of biometric data (photo, template, frames), by whom and why."""

    pensioner = models.ForeignKey(Pensioner, null=True, on_delete=models.SET_NULL, related_name="+")
    attempt = models.ForeignKey(Attempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    action = models.CharField(max_length=20)  # write | read | delete
    data = models.CharField(max_length=20)  # photo | template | frames
    purpose = models.CharField(max_length=40)  # enrolment, matching, review, retention, leaving…
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} {self.data} {self.purpose}"



class Event(models.Model):
    """The audit trail of every change (import, enrolment, campaign, attempt, review, certificate…)."""

    organisation = models.ForeignKey("orgs.Organisation", null=True, on_delete=models.SET_NULL, related_name="+")
    pensioner = models.ForeignKey(Pensioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.kind
