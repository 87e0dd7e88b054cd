"""Staff accounts in the web admin. An organisation admin manages the staff of their own organisation but can
never grant platform-wide powers: superuser status, Django groups and permissions and the platform admin role
are only shown to, and only accepted from, platform admins."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from bawaba.orgs.admin import OrganisationScopedAdmin

from .models import ADMIN_ROLES, Role, User

# Fields only a platform admin may see or change: each of them can reach beyond one organisation.
PLATFORM_ONLY_FIELDS = {"is_superuser", "is_staff", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin):
    list_display = ["username", "get_full_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Bawaba", {"fields": ("organisation", "role", "preferred_language")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Bawaba", {"fields": ("first_name", "last_name", "email", "organisation", "role")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self._scoped(request):
            # A platform admin's account (or a superuser's) is out of reach even in the same organisation:
            # changing its password would hand over the whole platform.
            qs = qs.exclude(is_superuser=True).exclude(role=Role.PLATFORM_ADMIN)
        return qs

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._scoped(request):
            return fieldsets
        narrowed = []
        for name, options in fieldsets:
            fields = [f for f in options.get("fields", ()) if f not in PLATFORM_ONLY_FIELDS]
            if fields:
                narrowed.append((name, {**options, "fields": fields}))
        return narrowed

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and self._scoped(request):
            kwargs["choices"] = [choice for choice in Role.choices if choice[0] != Role.PLATFORM_ADMIN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if self._scoped(request):
            # The form no longer offers these; refuse a crafted request rather than trust the form alone.
            if obj.is_superuser or obj.role == Role.PLATFORM_ADMIN or obj.role not in Role.values:
                raise PermissionDenied
            obj.is_staff = obj.role in ADMIN_ROLES
        else:
            # Admin roles always reach the admin; a platform admin may also open it to other staff.
            obj.is_staff = obj.is_staff or obj.is_superuser or obj.role in ADMIN_ROLES
        super().save_model(request, obj, form, change)
