"""Web onboarding: a platform admin creates an organisation with its services, queues, hours, holidays
and SLA in one page; an organisation admin manages only their own organisation."""

from django.contrib import admin

from .models import BusinessHours, Holiday, Organisation, Queue, Service, SlaPolicy


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Rows are filtered to the user's organisation unless they are a platform admin."""

    organisation_field = "organisation"

    def _scoped(self, request):
        return not request.user.is_platform_admin

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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if self._scoped(request) and db_field.name == "organisation":
            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if self._scoped(request) and hasattr(obj, "organisation_id") and self.model is not Organisation:
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


class ScopedInline(admin.TabularInline):
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


class ServiceInline(ScopedInline):
    model = Service
    fields = ["code", "name_fr", "name_ar", "name_en", "queue", "is_orientation", "is_public", "is_active"]


class BusinessHoursInline(ScopedInline):
    model = BusinessHours


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

    def save_model(self, request, obj, form, change):
        from .services import load_public_holidays

        super().save_model(request, obj, form, change)
        if not change:
            import datetime as dt

            year = dt.date.today().year
            load_public_holidays(obj, [year, year + 1])


@admin.register(Service)
class ServiceAdmin(OrganisationScopedAdmin):
    list_display = ["code", "name_fr", "organisation", "queue", "is_orientation", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]


@admin.register(Queue)
class QueueAdmin(OrganisationScopedAdmin):
    list_display = ["slug", "name_fr", "organisation"]
    list_filter = ["organisation"]
    filter_horizontal = ["members"]
