"""Staff accounts in the web admin. An organisation admin manages the staff of their own organisation and
their roles, but can never grant platform-wide powers: superuser status, Django groups and permissions and
the platform admin role are only shown to, and only accepted from, platform admins. Staff status (access to
the web admin) is not a field: it follows the roles (organisation and platform admins only)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from bawaba.core import modules
from bawaba.orgs.admin import OrganisationScopedAdmin

from .models import PLATFORM_ADMIN, User
from .services import do_set_roles

# The web admin in the platform's words, with "View site" back to the person's home in the shell.
admin.site.site_header = _("Bawaba administration")
admin.site.site_title = _("Bawaba administration")
admin.site.index_title = _("Your organisation")


def _home_url() -> str:
    try:
        return reverse("home")
    except NoReverseMatch:  # a URLconf without the shell (some tests mount the admin alone)
        return "/"


admin.site.site_url = lazy(_home_url, str)()

# Fields only a platform admin may see or change: each of them can reach beyond one organisation.
PLATFORM_ONLY_FIELDS = {"is_superuser", "groups", "user_permissions"}
# Derived from the roles (see services.do_set_roles), never typed.
DERIVED_FIELDS = {"is_staff"}


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return modules.role_choices()

    def queryset(self, request, queryset):
        return queryset.filter(grants__role=self.value()) if self.value() else queryset


class RolesMixin(forms.Form):
    """The person's roles as check boxes, one per module role; `role_choices` narrows what may be granted."""

    role_choices = None

    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text=_("Each role opens one module's pages; grant only what the "
                                                  "person needs."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = self.role_choices or modules.role_choices()
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_codes)


class StaffChangeForm(RolesMixin, UserChangeForm):
    pass


class StaffCreationForm(RolesMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "get_full_name", "organisation", "roles_display", "is_active"]
    list_filter = [RoleFilter, "organisation", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets,
                 (_("Organisation and roles"), {"fields": ("organisation", "roles", "preferred_language")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation and roles"), {"fields": ("first_name", "last_name", "email", "organisation", "roles")}),
    )

    @admin.display(description=_("Roles"))
    def roles_display(self, obj):
        declared = modules.roles()
        return ", ".join(str(declared[code].name) if code in declared else code for code in sorted(obj.role_codes))

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("grants")
        if self._scoped(request):
            # A platform admin's account (or a superuser's) is out of reach even in the same organisation:
            # changing its password would hand over the whole platform.
            qs = qs.exclude(is_superuser=True).exclude(grants__role=PLATFORM_ADMIN)
        return qs

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = DERIVED_FIELDS | (PLATFORM_ONLY_FIELDS if self._scoped(request) else set())
        narrowed = []
        for name, options in fieldsets:
            fields = [f for f in options.get("fields", ()) if f not in hidden]
            if fields:
                narrowed.append((name, {**options, "fields": fields}))
        return narrowed

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        choices = modules.role_choices()
        if self._scoped(request):
            choices = [choice for choice in choices if choice[0] != PLATFORM_ADMIN]
        return type(base.__name__, (base,), {"role_choices": choices})

    def save_model(self, request, obj, form, change):
        roles = form.cleaned_data.get("roles", [])
        # The form no longer offers these; refuse a crafted request rather than trust the form alone.
        if self._scoped(request) and (obj.is_superuser or PLATFORM_ADMIN in roles):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
        do_set_roles(obj, roles)
