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


# --- tracking: webhook subscribers and their delivery log
from bawaba.postal.models import WebhookDelivery, WebhookSubscription  # noqa: E402


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(OrganisationScopedAdmin):
    list_display = ("name", "url", "organisation", "event_codes", "is_active", "created_at")
    list_filter = ("organisation", "is_active")
    search_fields = ("name", "url")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganisationScopedAdmin):
    """The delivery log: what was sent to whom, how many attempts, the last answer or error."""

    organisation_field = "subscription__organisation"
    list_display = ("event_id", "subscription", "state", "attempts", "last_status_code", "last_error",
                    "next_attempt_at", "delivered_at", "created_at")
    list_filter = ("state",)
    search_fields = ("event_id", "subscription__name")
    readonly_fields = ("subscription", "event_id", "payload", "state", "attempts", "next_attempt_at",
                       "last_status_code", "last_error", "delivered_at", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
