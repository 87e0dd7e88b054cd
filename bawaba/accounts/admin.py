from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from bawaba.orgs.admin import OrganisationScopedAdmin

from .models import User


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin):
    list_display = ["username", "get_full_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Bawaba", {"fields": ("organisation", "role", "preferred_language")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Bawaba", {"fields": ("first_name", "last_name", "email", "organisation", "role")}),
    )
