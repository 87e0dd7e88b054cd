"""TMF621 listeners and their deliveries, readable by platform admins (registered through the API)."""

from django.contrib import admin

from .models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["callback", "organisation", "token", "query", "created_at"]
    list_filter = ["organisation"]
    exclude = ["secret"]
    readonly_fields = ["organisation", "token", "callback", "query", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_type", "event_id", "subscription", "attempts", "last_status_code", "delivered_at",
                    "failed_at", "next_attempt_at"]
    list_filter = ["event_type"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
