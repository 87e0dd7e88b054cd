from django.contrib import admin

from .models import AgentState, AgentStateChange, Call, CallEvent, MenuOption, ScheduledAgents, VoiceNumber


class MenuOptionInline(admin.TabularInline):
    model = MenuOption
    extra = 1
    autocomplete_fields = ["service"]


class OrgScopedAdmin(admin.ModelAdmin):
    """Organisation admins see and edit their own organisation's rows only."""

    org_field = "organisation"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_platform_admin:
            return qs
        return qs.filter(**{self.org_field: request.user.organisation_id})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_platform_admin:
            from bawaba.orgs.models import Organisation

            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(VoiceNumber)
class VoiceNumberAdmin(OrgScopedAdmin):
    list_display = ["number", "label", "organisation", "languages", "voicemail_enabled", "is_active"]
    list_filter = ["organisation", "is_active"]
    inlines = [MenuOptionInline]


@admin.register(ScheduledAgents)
class ScheduledAgentsAdmin(OrgScopedAdmin):
    list_display = ["organisation", "date", "slot", "agents"]
    list_filter = ["organisation", "date"]


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "actor", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(OrgScopedAdmin):
    """Read-only: calls change only through the provider's callbacks and the agents' actions."""

    list_display = ["session_id", "caller", "organisation", "service", "state", "outcome", "arrived_at"]
    list_filter = ["state", "outcome", "organisation"]
    search_fields = ["session_id", "caller"]
    inlines = [CallEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgentState)
class AgentStateAdmin(OrgScopedAdmin):
    list_display = ["user", "organisation", "state", "pause_reason", "since", "contact"]
    list_filter = ["organisation", "state"]
    readonly_fields = ["state", "pause_reason", "since", "call", "version"]


@admin.register(AgentStateChange)
class AgentStateChangeAdmin(OrgScopedAdmin):
    list_display = ["at", "user", "state", "pause_reason", "call"]
    list_filter = ["organisation", "state"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
