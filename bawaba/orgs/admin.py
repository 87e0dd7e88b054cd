"""Web onboarding: a platform admin creates an organisation with its services, queues, hours, holidays
and SLA in one page; an organisation admin manages only their own organisation."""

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from .forms import BusinessHoursFormSet, QueueForm, ServiceForm
from .models import BusinessHours, Holiday, Organisation, Queue, Service, SlaPolicy

# Warn on the organisation page when its public holidays run out sooner than this.
HOLIDAY_HORIZON = dt.timedelta(days=90)


def scope_choices(queryset, organisation_id):
    """Narrow the choices of a drop-down or multiple choice to one organisation's rows, when they have one."""
    model = queryset.model
    if model is Organisation:
        return queryset.filter(pk=organisation_id)
    try:
        field = model._meta.get_field("organisation")
    except FieldDoesNotExist:
        return queryset
    if getattr(field, "related_model", None) is Organisation and field.concrete:
        return queryset.filter(organisation_id=organisation_id)
    return queryset


class ScopedChoicesMixin:
    """An organisation admin is offered (and can submit) only their own organisation's staff, queues and
    services in every foreign key and many-to-many field; a forged id fails the form's choice check."""

    def _scoped(self, request):
        return not request.user.is_platform_admin

    def _narrow(self, formfield, request):
        if formfield is not None and self._scoped(request) and hasattr(formfield, "queryset"):
            formfield.queryset = scope_choices(formfield.queryset, request.user.organisation_id)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._narrow(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._narrow(super().formfield_for_manytomany(db_field, request, **kwargs), request)


class OrganisationScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Rows are filtered to the user's organisation unless they are a platform admin."""

    organisation_field = "organisation"

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if self._scoped(request):
            # The organisation filter would list every organisation's name and narrow nothing.
            return [f for f in filters if f != self.organisation_field]
        return filters

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self._scoped(request):
            if self.model is Organisation:
                return qs.filter(pk=request.user.organisation_id)
            return qs.filter(**{f"{self.organisation_field}_id": request.user.organisation_id})
        return qs

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.is_org_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        if self.model is Organisation:
            return request.user.is_platform_admin
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_platform_admin

    def save_model(self, request, obj, form, change):
        if self._scoped(request) and hasattr(obj, "organisation_id") and self.model is not Organisation:
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return request.user.is_org_admin

    has_change_permission = has_add_permission
    has_delete_permission = has_add_permission

    def has_view_permission(self, request, obj=None):
        return request.user.is_org_admin


class QueueInline(ScopedInline):
    model = Queue
    fields = ["slug", "name_fr", "name_ar", "name_en"]


# Codes are what routing predicts and the orientation service receives every request routing cannot decide:
# only platform admins set them. Organisation admins name a new service and its code follows.
PLATFORM_ONLY_SERVICE_FIELDS = ["code", "is_orientation"]
SERVICE_FIELDS = ["code", "name_fr", "name_ar", "name_en", "queue", "is_orientation", "is_public", "is_active"]


class ServiceInline(ScopedInline):
    model = Service
    form = ServiceForm

    def get_fields(self, request, obj=None):
        if self._scoped(request):
            return ["code", "slug", *SERVICE_FIELDS[1:]]
        return SERVICE_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return PLATFORM_ONLY_SERVICE_FIELDS if self._scoped(request) else []


class BusinessHoursInline(ScopedInline):
    model = BusinessHours
    formset = BusinessHoursFormSet


class HolidayInline(ScopedInline):
    model = Holiday


class SlaPolicyInline(ScopedInline):
    model = SlaPolicy


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    list_display = ["slug", "name_fr", "name_ar", "kind", "country", "is_active"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["slug", "name_fr", "name_ar", "name_en"]
    prepopulated_fields = {"slug": ["name_fr"]}
    inlines = [QueueInline, ServiceInline, BusinessHoursInline, HolidayInline, SlaPolicyInline]
    fieldsets = [
        (None, {"fields": ["slug", "name_fr", "name_ar", "name_en", "kind", "country", "timezone", "is_active",
                           "contact_email"]}),
        # Printed on the fibre statements and e-invoices; issuing refuses a party that lacks them.
        (_("Legal identification (printed on invoices and statements)"), {
            "fields": ["legal_form", "address", "tax_identifier", "statistical_identifier", "trade_register_number",
                       "tax_article_number"],
            "description": _("Mandatory for an operator or a contractor that issues or receives statements: in "
                             "Algeria the address, legal form, NIF, NIS, RC number and tax article number; "
                             "elsewhere the address, legal form, tax identifier and trade register number.")}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Service codes carry the slug and only the shared centre's kind may hold the orientation service.
        return ["slug", "kind"] if self._scoped(request) else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if self._scoped(request) else self.prepopulated_fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            organisation = self.get_object(request, object_id)
            if organisation is not None:
                self._warn_if_holidays_run_out(request, organisation)
                self._warn_if_identification_incomplete(request, organisation)
        return super().change_view(request, object_id, form_url, extra_context)

    def _warn_if_identification_incomplete(self, request, organisation):
        from .models import OrganisationKind

        if organisation.kind not in (OrganisationKind.OPERATOR, OrganisationKind.CONTRACTOR):
            return
        missing = organisation.missing_identifiers()
        if missing:
            messages.warning(request, _("No statement can be issued to or by this organisation until its legal "
                                        "identification is complete: %(missing)s.") % {"missing": ", ".join(missing)})

    def _warn_if_holidays_run_out(self, request, organisation):
        last = organisation.holidays.order_by("-date").values_list("date", flat=True).first()
        if last is None or last < dt.date.today() + HOLIDAY_HORIZON:
            messages.warning(request, _(
                "Public holidays are loaded only until %(date)s: load the next year with "
                "“bawaba orgs holidays --year %(year)d”."
            ) % {"date": last or "—", "year": (last.year + 1) if last else dt.date.today().year})

    def save_model(self, request, obj, form, change):
        from .services import load_public_holidays

        super().save_model(request, obj, form, change)
        if not change:
            year = dt.date.today().year
            load_public_holidays(obj, [year, year + 1])

    def save_related(self, request, form, formsets, change):
        from .services import default_hours, set_business_hours

        super().save_related(request, form, formsets, change)
        if not change and not form.instance.business_hours.exists():
            # No hours typed: the country's usual week, so deadlines can be computed from the first request.
            set_business_hours(form.instance, default_hours(form.instance.country))


@admin.register(Service)
class ServiceAdmin(OrganisationScopedAdmin):
    form = ServiceForm
    list_display = ["code", "name_fr", "organisation", "queue", "is_orientation", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]

    def get_fields(self, request, obj=None):
        fields = ["organisation", "code", "name_fr", "name_ar", "name_en", "description_fr", "description_ar",
                  "description_en", "queue", "is_orientation", "is_public", "is_active"]
        if self._scoped(request) and obj is None:
            fields.insert(1, "slug")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return PLATFORM_ONLY_SERVICE_FIELDS if self._scoped(request) else []


@admin.register(Queue)
class QueueAdmin(OrganisationScopedAdmin):
    form = QueueForm
    list_display = ["slug", "name_fr", "organisation"]
    list_filter = ["organisation"]
    filter_horizontal = ["members"]
