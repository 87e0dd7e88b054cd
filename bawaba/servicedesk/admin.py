from django.contrib import admin

from bawaba.orgs.admin import OrganisationScopedAdmin

from .models import Request, RequestEvent


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "kind", "actor", "organisation", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(OrganisationScopedAdmin):
    """Read-only in the admin: every change goes through the desk or the API so it is audited."""

    list_display = ["reference", "subject", "organisation", "service", "status", "priority", "created_at"]
    list_filter = ["organisation", "status", "priority", "channel"]
    search_fields = ["reference", "subject", "citizen_phone"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would take the history with it, and the idempotency records that keep a retried
        # submission from making a second request. Duplicates are merged, requests closed.
        return False
