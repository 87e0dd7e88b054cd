"""Organisations that share the platform, their competent services, queues, calendars and SLA targets."""

import datetime as dt
import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.text import slugify
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


@functools.cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    """Deadlines are computed in this zone: a misspelt name would make every new request fail."""
    if value not in _known_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone. Use a name such as Africa/Algiers or Africa/Brazzaville."),
            code="unknown_timezone",
            params={"value": value},
        )


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
    timezone = models.CharField(max_length=64, default="Africa/Algiers", validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    contact_email = models.EmailField(blank=True)
    # The tax administration's identifier (NIF in Algeria, NIU in Congo): printed on statements and e-invoices.
    tax_identifier = models.CharField(
        _("tax identifier (NIF)"), max_length=20, blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]+$", _("Capital letters and digits only, without spaces."))])
    # The rest of the legal identification an invoice carries (bawaba.orgs.identifiers: which are mandatory,
    # their formats and sources). Copied onto each statement when it is issued.
    address = models.TextField(_("registered address"), blank=True)
    legal_form = models.CharField(_("legal form"), max_length=80, blank=True,
                                  help_text=_("SPA, SARL, EURL, EPIC…"))
    statistical_identifier = models.CharField(_("statistical identifier (NIS)"), max_length=20, blank=True)
    trade_register_number = models.CharField(_("trade register number (RC)"), max_length=30, blank=True,
                                             help_text=_("As printed on the extract: 16/00-1234567 B 12"))
    tax_article_number = models.CharField(_("tax article number (AI)"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def clean(self):
        from .identifiers import IDENTIFIER_FIELDS, normalise, validate_identifiers

        for field in IDENTIFIER_FIELDS:
            setattr(self, field, normalise(field, getattr(self, field), self.country))
        validate_identifiers(self.country, {field: getattr(self, field) for field in IDENTIFIER_FIELDS})

    def missing_identifiers(self) -> list[str]:
        """Labels of the identifiers a statement to or from this organisation needs and it lacks."""
        from .identifiers import IDENTIFIER_FIELDS, missing_identifiers

        return missing_identifiers({"country": self.country,
                                    **{field: getattr(self, field) for field in IDENTIFIER_FIELDS}})


class Queue(Named):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="queues")
    slug = models.SlugField()
    members = models.ManyToManyField("accounts.User", blank=True, related_name="queues")

    class Meta:
        ordering = ["organisation", "slug"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="orgs_queue_unique_slug")]


def service_code(organisation: Organisation, slug: str) -> str:
    # Services of the shared centre itself (`other`, `orientation`) have no organisation prefix.
    return slug if organisation.kind == OrganisationKind.PLATFORM else f"{organisation.slug}/{slug}"


class Service(Named):
    """A competent department. `code` is what routing predicts: `algerie-telecom/faults`, `other`.

    An organisation's codes live in its own namespace (`<organisation slug>/<short name>`); only the shared
    centre has codes without a prefix, and only the shared centre may hold the orientation service.
    """

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
        constraints = [
            # Requests routing cannot decide all go to one place, which must not be up for grabs.
            models.UniqueConstraint(
                fields=["is_orientation"],
                condition=models.Q(is_orientation=True),
                name="orgs_service_single_orientation",
                violation_error_message=_("There is already an orientation service."),
            )
        ]

    @property
    def slug(self) -> str:
        """The short name inside the organisation's namespace: `faults` for `algerie-telecom/faults`."""
        return self.code.rsplit("/", 1)[-1]

    def clean(self):
        errors = {}
        if self.queue_id and self.organisation_id and self.queue.organisation_id != self.organisation_id:
            errors["queue"] = _("The queue must belong to the same organisation.")
        if self.organisation_id:
            organisation = self.organisation
            if self.code and (not self.slug or self.code != service_code(organisation, slugify(self.slug))):
                errors["code"] = _("The code must be “%(example)s”: short names use lower-case letters, "
                                   "digits and hyphens.") % {"example": service_code(organisation, "short-name")}
            if self.is_orientation and organisation.kind != OrganisationKind.PLATFORM:
                errors["is_orientation"] = _("Only the shared service centre may hold the orientation service.")
        if errors:
            raise ValidationError(errors)


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
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError(_("Closing time must be after opening time."))


def find_overlap(periods) -> tuple | None:
    """The first two opening periods of the same weekday that overlap, from (weekday, opens, closes) triples.

    Overlapping periods would count the shared minutes twice and bring deadlines forward.
    """
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in periods:
        by_day.setdefault(weekday, []).append((opens, closes))
    for weekday in sorted(by_day):
        ordered = sorted(by_day[weekday])
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if later[0] < earlier[1]:
                return weekday, earlier, later
    return None


def overlap_error(overlap: tuple) -> ValidationError:
    weekday, earlier, later = overlap
    return ValidationError(
        _("Opening periods overlap on %(day)s: %(first)s and %(second)s."),
        code="overlapping_hours",
        params={
            "day": dict(BusinessHours.WEEKDAYS)[weekday],
            "first": f"{earlier[0]:%H:%M}-{earlier[1]:%H:%M}",
            "second": f"{later[0]:%H:%M}-{later[1]:%H:%M}",
        },
    )


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
