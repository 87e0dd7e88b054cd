"""The privacy app's own records: each run of a retention rule, each citizen's request (access, rectification,
erasure) with the identity check that preceded it, and each staff access to a page that shows personal data.
None of them holds the personal data itself: counts, field names, record references and hashes only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One rule applied once by the retention job: what it removed, counted (never the data)."""

    rule = models.CharField(max_length=40)  # "servicedesk.closed_requests", "lifeproof.frames", "notifications.sms"
    at = models.DateTimeField(db_index=True)
    cutoff = models.DateTimeField()  # records older than this were due
    counts = models.JSONField(default=dict)  # {"requests": 3, "messages": 7, ...}

    class Meta:
        ordering = ["-at", "rule"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        return f"{self.rule} {self.at:%Y-%m-%d %H:%M}"


class SubjectRequest(models.Model):
    """A citizen's request about their data, answered by an organisation's admin after checking their identity.
    The identifier they gave is kept only as a keyed hash and its last digits: the record says that a request
    was answered, and for whom it can be checked again, without being a copy of the identifier."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        RECTIFICATION = "rectification", _("Rectification")
        ERASURE = "erasure", _("Erasure")

    class IdentifierKind(models.TextChoices):
        PHONE = "phone", _("Phone number")
        NATIONAL_ID = "national_id", _("National ID number")

    class DocumentType(models.TextChoices):
        ID_CARD = "id_card", _("National identity card")
        PASSPORT = "passport", _("Passport")
        DRIVING_LICENCE = "driving_licence", _("Driving licence")
        RESIDENCE = "residence", _("Residence permit")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.ACCESS)
    identifier_kind = models.CharField(max_length=12, choices=IdentifierKind.choices)
    identifier_hash = models.CharField(max_length=64, db_index=True)
    identifier_last_digits = models.CharField(max_length=4)
    # The identity check: which document the citizen showed, the last digits of its number, who checked it.
    document_type = models.CharField(_("document shown"), max_length=16, choices=DocumentType.choices)
    document_last_digits = models.CharField(_("last digits of its number"), max_length=4)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    # What was done: counts per kind of record, rectified field names, kept records with their reason.
    outcome = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("citizen's data request")
        verbose_name_plural = _("citizens' data requests")

    def __str__(self):
        return f"{self.kind} …{self.identifier_last_digits}"


class AccessLog(models.Model):
    """A member of staff opened a page that shows a citizen's personal data. One insert per page view; the
    record names the page and the record (a request reference, an attempt number), never what it showed."""

    organisation = models.ForeignKey("orgs.Organisation", null=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    view_name = models.CharField(max_length=80)
    record_kind = models.CharField(max_length=40)
    record_ref = models.CharField(max_length=40)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "at"], name="privacy_log_org_at"),
                   models.Index(fields=["organisation", "user", "at"], name="privacy_log_org_user_at")]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self):
        return f"{self.user_id} {self.view_name} {self.record_ref}"
