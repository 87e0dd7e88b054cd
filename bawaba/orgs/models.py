"""Organisations that share the platform, their competent services, queues, calendars and SLA targets."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PLATFORM = "platform", _("Shared service centre")
    OPERATOR = "operator", _("Operator")
    ADMINISTRATION = "administration", _("Administration")
    ENTERPRISE = "enterprise", _("Enterprise")
    CONTRACTOR = "contractor", _("Contractor")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")

    @classmethod
    def raised(cls, value: str) -> str:
        order = [cls.LOW, cls.NORMAL, cls.HIGH, cls.URGENT]
        index = order.index(value)
        return order[min(index + 1, len(order) - 1)]


class Named(models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=160)
    name_ar = models.CharField(_("name (Arabic)"), max_length=160, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        lang = (translation.get_language() or "fr")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_fr


class Organisation(Named):
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.OPERATOR)
    country = models.CharField(max_length=2, default="DZ")
    timezone = models.CharField(max_length=64, default="Africa/Algiers")
    is_active = models.BooleanField(default=True)
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]


class Queue(Named):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="queues")
    slug = models.SlugField()
    members = models.ManyToManyField("accounts.User", blank=True, related_name="queues")

    class Meta:
        ordering = ["organisation", "slug"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="orgs_queue_unique_slug")]


class Service(Named):
    """A competent department. `code` is what routing predicts: `algerie-telecom/faults`, `other`."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(max_length=80, unique=True)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="services")
    description_fr = models.TextField(blank=True)
    description_ar = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    # The orientation service receives what routing could not decide, for a human to route.
    is_orientation = models.BooleanField(default=False)
    # Citizens may pick it as a category on the portal.
    is_public = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def clean(self):
        if self.queue_id and self.organisation_id and self.queue.organisation_id != self.organisation_id:
            raise ValidationError({"queue": _("The queue must belong to the same organisation.")})


class BusinessHours(models.Model):
    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="business_hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["organisation", "weekday", "opens"]
        verbose_name_plural = _("business hours")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        if self.closes <= self.opens:
            raise ValidationError(_("Closing time must be after opening time."))


class Holiday(models.Model):
    """Dates the organisation is closed. Lunar holidays move each year: edit them when announced."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["organisation", "date"]
        constraints = [models.UniqueConstraint(fields=["organisation", "date"], name="orgs_holiday_unique_date")]

    def __str__(self):
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Targets in business minutes of the organisation's calendar."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sla_policies")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["organisation", "priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "priority"], name="orgs_sla_unique_priority")
        ]

    def __str__(self):
        return f"{self.organisation.slug} {self.priority}"

    def clean(self):
        if self.resolution_minutes < self.first_response_minutes:
            raise ValidationError(_("The resolution target cannot be shorter than the first-response target."))


DEFAULT_HOURS = {"DZ": (6, 0, 1, 2, 3), "CG": (0, 1, 2, 3, 4)}  # Sunday-Thursday / Monday-Friday
DEFAULT_OPENING = (dt.time(8, 0), dt.time(16, 30))
DEFAULT_SLA = {  # priority: (first response, resolution) in business minutes
    Priority.URGENT: (30, 8 * 60),
    Priority.HIGH: (60, 2 * 8 * 60),
    Priority.NORMAL: (4 * 60, 5 * 8 * 60),
    Priority.LOW: (8 * 60, 10 * 8 * 60),
}
