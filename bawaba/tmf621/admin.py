"""TMF621 listeners and their deliveries, readable by platform admins (registered through the API)."""

from django.contrib import admin

from .models import Delivery, Subscription


class PlatformAdminOnly:
    """Platform admins only (the apps and listeners span organisations), as routing's admin does."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.is_platform_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(Subscription)
class SubscriptionAdmin(PlatformAdminOnly, admin.ModelAdmin):
    list_display = ["callback", "organisation", "token", "query", "created_at"]
    list_filter = ["organisation"]
    exclude = ["secret"]
    readonly_fields = ["organisation", "token", "callback", "query", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(PlatformAdminOnly, admin.ModelAdmin):
    list_display = ["event_type", "event_id", "subscription", "attempts", "last_status_code", "delivered_at",
                    "failed_at", "next_attempt_at"]
    list_filter = ["event_type"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
