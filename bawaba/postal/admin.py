from django.contrib import admin

from bawaba.orgs.admin import OrganisationScopedAdmin, ScopedInline
from bawaba.postal.models import Office, PostalStaff, Product, S10Range, TariffLine, TariffVersion


@admin.register(Office)
class OfficeAdmin(OrganisationScopedAdmin):
    list_display = ("code", "name_fr", "kind", "region", "organisation", "is_active", "is_demo")
    list_filter = ("organisation", "kind", "is_demo")
    search_fields = ("code", "impc", "name_fr", "name_ar")
    raw_id_fields = ("commune", "parent")


@admin.register(Product)
class ProductAdmin(OrganisationScopedAdmin):
    list_display = ("code", "name_fr", "indicator", "organisation", "target_days", "is_active")
    list_filter = ("organisation",)


class TariffLineInline(ScopedInline):
    model = TariffLine
    extra = 0


@admin.register(TariffVersion)
class TariffVersionAdmin(OrganisationScopedAdmin):
    list_display = ("label", "organisation", "valid_from", "currency")
    inlines = [TariffLineInline]


@admin.register(S10Range)
class S10RangeAdmin(OrganisationScopedAdmin):
    list_display = ("__str__", "product", "office", "next_serial", "is_active", "last_allocated_at")
    readonly_fields = ("next_serial", "last_allocated_at", "created_at")


@admin.register(PostalStaff)
class PostalStaffAdmin(OrganisationScopedAdmin):
    organisation_field = "user__organisation"
    list_display = ("user", "office", "region")
    raw_id_fields = ("user", "office")
