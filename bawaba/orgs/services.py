"""Onboarding and calendars. Onboarding takes a plain dict (from the CLI's JSON file or the admin)."""

from __future__ import annotations

import datetime as dt
import logging

import holidays as holiday_calendars
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bawaba.accounts.models import Role, User, legacy_role_grants
from bawaba.accounts.services import do_set_roles, validate_role_codes
from bawaba.core import refdata
from bawaba.core.business_time import BusinessCalendar

from .identifiers import IDENTIFIER_FIELDS, validate_identifiers
from .identifiers import normalise as normalise_identifier
from .models import (
    DEFAULT_HOURS,
    DEFAULT_OPENING,
    DEFAULT_SLA,
    BusinessHours,
    Holiday,
    Organisation,
    OrganisationKind,
    Queue,
    Service,
    SlaPolicy,
    find_overlap,
    overlap_error,
    service_code,
    validate_timezone,
)

log = logging.getLogger(__name__)


def load_public_holidays(organisation: Organisation, years: list[int]) -> int:
    """Copy the country's public holidays (the `holidays` package; lunar dates estimated) as data."""
    calendar = holiday_calendars.country_holidays(organisation.country, years=years)
    # One read and one insert, not a look-up per day: onboarding, the yearly extension and every test's
    # organisations all come through here. A day already there (perhaps moved by an admin) is left alone.
    present = set(Holiday.objects.filter(organisation=organisation, date__in=list(calendar))
                  .values_list("date", flat=True))
    new = [Holiday(organisation=organisation, date=day, name=name)
           for day, name in sorted(calendar.items()) if day not in present]
    Holiday.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent onboarding may have written a day
    if new:
        refdata.changed()  # bulk_create sends no signal
    return len(new)


@transaction.atomic
def do_extend_holidays(organisation: Organisation, year: int) -> int:
    """Load one more year of public holidays; returns how many days were added.

    A year already loaded is left alone: an admin may have moved a lunar holiday to its announced date, and
    loading the estimate again would close the organisation on the wrong day as well.
    """
    calendar = holiday_calendars.country_holidays(organisation.country, years=[year])
    names = set(calendar.values())
    if Holiday.objects.filter(organisation=organisation, date__year=year, name__in=names).exists():
        return 0
    created = load_public_holidays(organisation, [year])
    log.info("loaded %d public holidays of %d for %s", created, year, organisation.slug)
    return created


def extend_holidays_everywhere(year: int) -> dict[str, int]:
    """Load `year`'s public holidays for every active organisation that does not have them yet."""
    added = {}
    for org in Organisation.objects.filter(is_active=True):
        try:
            added[org.slug] = do_extend_holidays(org, year)
        except NotImplementedError:  # a country the holidays package does not know: its admin enters them
            log.warning("no public holiday calendar for %s (country %s)", org.slug, org.country)
    return added


def default_hours(country: str) -> dict[str, list[list[str]]]:
    """The usual week of the country, in the onboarding format: {"0": [["08:00", "16:30"]], ...}."""
    opening = [DEFAULT_OPENING[0].strftime("%H:%M"), DEFAULT_OPENING[1].strftime("%H:%M")]
    return {str(day): [opening] for day in DEFAULT_HOURS.get(country, DEFAULT_HOURS["DZ"])}


@transaction.atomic
def set_business_hours(org: Organisation, hours: dict) -> None:
    """Replace the organisation's weekly hours; refuses rows that are empty, reversed or overlapping."""
    rows = [
        BusinessHours(
            organisation=org,
            weekday=int(weekday),
            opens=dt.time.fromisoformat(opens),
            closes=dt.time.fromisoformat(closes),
        )
        for weekday, intervals in hours.items()
        for opens, closes in intervals
    ]
    if not rows:
        raise ValidationError(_("An organisation needs at least one opening period."))
    for row in rows:
        row.full_clean(exclude=["organisation"])
    overlap = find_overlap((row.weekday, row.opens, row.closes) for row in rows)
    if overlap:
        raise overlap_error(overlap)
    org.business_hours.all().delete()
    BusinessHours.objects.bulk_create(rows)
    refdata.changed()  # bulk_create sends no signal


@transaction.atomic
def do_onboard_organisation(spec: dict, *, today: dt.date | None = None) -> Organisation:
    """Create or update an organisation with its queues, services, hours, holidays, SLA and staff.

    spec = {"slug", "name_fr", "name_ar", "name_en", "kind", "country", "timezone", "address", "legal_form",
            "tax_identifier", "statistical_identifier", "trade_register_number", "tax_article_number",
            "services": [{"slug", "name_fr", "name_ar", "name_en", "queue"?, "is_orientation"?}],
            "staff": [{"username", "first_name", "last_name", "email", "role", "password"?, "queues"?}],
            "hours": {"0": [["08:00", "16:30"]], ...}?, "sla": {"urgent": [30, 480], ...}?}
    """
    today = today or dt.date.today()
    slug = slugify(spec.get("slug") or spec.get("name_fr", ""))
    if not slug or not spec.get("name_fr"):
        raise ValidationError(_("An organisation needs a slug and a French name."))
    kind = spec.get("kind", OrganisationKind.OPERATOR)
    if kind not in OrganisationKind.values:
        raise ValidationError(_("Unknown organisation kind “%(kind)s”.") % {"kind": kind})
    timezone = spec.get("timezone", "Africa/Algiers" if spec.get("country", "DZ") == "DZ" else "Africa/Brazzaville")
    validate_timezone(timezone)
    # The legal identification printed on statements (bawaba.orgs.identifiers); formats checked before writing.
    # Only those the spec names: onboarding again from a file without them keeps what an admin typed since.
    identifiers = {field: normalise_identifier(field, str(spec.get(field) or ""), spec.get("country", "DZ"))
                   for field in IDENTIFIER_FIELDS if field in spec}
    validate_identifiers(spec.get("country", "DZ"), identifiers)
    org, created = Organisation.objects.update_or_create(
        slug=slug,
        defaults={
            "name_fr": spec["name_fr"],
            "name_ar": spec.get("name_ar", ""),
            "name_en": spec.get("name_en", ""),
            "kind": kind,
            "country": spec.get("country", "DZ"),
            "timezone": timezone,
            "contact_email": spec.get("contact_email", ""),
            **identifiers,
        },
    )

    if "hours" in spec or created:
        set_business_hours(org, spec.get("hours") or default_hours(org.country))
    if created:
        load_public_holidays(org, [today.year, today.year + 1])

    targets = {**{p: list(v) for p, v in DEFAULT_SLA.items()}, **spec.get("sla", {})} if (
        created or "sla" in spec) else {}
    for priority, (first_response, resolution) in targets.items():
        policy, _created = SlaPolicy.objects.update_or_create(
            organisation=org,
            priority=priority,
            defaults={"first_response_minutes": first_response, "resolution_minutes": resolution},
        )
        policy.full_clean()

    for item in spec.get("services", []):
        service_slug = slugify(item["slug"])
        if item.get("is_orientation"):
            if kind != OrganisationKind.PLATFORM:
                raise ValidationError(_("Only the shared service centre may hold the orientation service."))
            if Service.objects.filter(is_orientation=True).exclude(code=service_code(org, service_slug)).exists():
                raise ValidationError(_("There is already an orientation service."))
        queue, _created = Queue.objects.get_or_create(
            organisation=org,
            slug=slugify(item.get("queue") or service_slug),
            defaults={"name_fr": item.get("queue_name_fr", item["name_fr"]),
                      "name_ar": item.get("queue_name_ar", item.get("name_ar", "")),
                      "name_en": item.get("queue_name_en", item.get("name_en", ""))},
        )
        Service.objects.update_or_create(
            code=service_code(org, service_slug),
            defaults={
                "organisation": org,
                "queue": queue,
                "name_fr": item["name_fr"],
                "name_ar": item.get("name_ar", ""),
                "name_en": item.get("name_en", ""),
                "description_fr": item.get("description_fr", ""),
                "description_ar": item.get("description_ar", ""),
                "description_en": item.get("description_en", ""),
                "is_orientation": item.get("is_orientation", False),
                "is_public": item.get("is_public", not item.get("is_orientation", False)),
            },
        )

    for person in spec.get("staff", []):
        do_add_staff(org, person)
    return org


def do_add_staff(org: Organisation, person: dict) -> User:
    """Add a member of staff to `org`. Their roles are `person["roles"]` (role codes declared by the modules:
    "desk.agent", "fibre.technician", "org_admin"…) or, as before, one former `person["role"]` ("agent",
    "supervisor", "org_admin", "platform_admin") that stands for the roles legacy_role_grants gives it in an
    organisation of this kind. Roles are set when the account is created, or when the spec names them."""
    if "roles" in person:
        roles = person["roles"]
        if isinstance(roles, str) or not all(isinstance(code, str) for code in roles):
            raise ValidationError(_("Roles must be a list of role codes."))
        roles = validate_role_codes(roles)
    else:
        role = person.get("role", Role.AGENT)
        if role not in Role.values:
            raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
        roles = legacy_role_grants(role, org.kind)
    user, created = User.objects.get_or_create(
        username=person["username"],
        defaults={
            "first_name": person.get("first_name", ""),
            "last_name": person.get("last_name", ""),
            "email": person.get("email", ""),
            "organisation": org,
        },
    )
    if not created and user.organisation_id != org.id:
        raise ValidationError(
            _("The username “%(username)s” belongs to another organisation.") % {"username": user.username}
        )
    if created or "roles" in person or "role" in person:
        do_set_roles(user, roles)
    if person.get("password_hash"):
        user.password = person["password_hash"]
        user.save(update_fields=["password"])
    elif person.get("password"):
        user.set_password(person["password"])
        user.save(update_fields=["password"])
    queue_slugs = person.get("queues")
    if queue_slugs is None and created and "desk.agent" in roles:
        queue_slugs = list(org.queues.values_list("slug", flat=True))
    if queue_slugs:
        user.queues.add(*Queue.objects.filter(organisation=org, slug__in=queue_slugs))
    return user


def calendar_for(org: Organisation) -> BusinessCalendar:
    def compute():
        hours: dict[int, list] = {}
        for row in org.business_hours.all():
            hours.setdefault(row.weekday, []).append((row.opens, row.closes))
        return BusinessCalendar(
            timezone=org.timezone,
            hours={day: tuple(sorted(intervals)) for day, intervals in hours.items()},
            holidays=frozenset(org.holidays.values_list("date", flat=True)),
        )

    return refdata.reference(f"calendar:{org.pk}", compute)


def sla_targets(org: Organisation, priority: str) -> tuple[int, int] | None:
    def compute():
        return {policy.priority: (policy.first_response_minutes, policy.resolution_minutes)
                for policy in SlaPolicy.objects.filter(organisation=org)}

    return refdata.reference(f"sla:{org.pk}", compute).get(priority)


def orientation_service() -> Service:
    def compute():
        return (
            Service.objects.filter(is_orientation=True, is_active=True, organisation__kind=OrganisationKind.PLATFORM)
            .select_related("organisation", "queue")
            .first()
        )

    service = refdata.reference("orientation-service", compute)
    if service is None:
        raise Service.DoesNotExist("no orientation service: onboard the shared centre first (bawaba demo load)")
    return service


def every_service() -> list[Service]:
    """Every service with its organisation, ordered by organisation and code (kept in memory until a
    service or organisation changes: bawaba.core.refdata). Callers must not change the objects."""
    return refdata.reference("every-service", lambda: list(
        Service.objects.select_related("organisation").order_by("organisation__slug", "code")))
