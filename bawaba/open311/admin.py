"""Open311 apps in the admin: a platform admin issues an app's api_key (shown once) and revokes it."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import App, Report
from .services import do_issue_key, do_revoke_key


class PlatformAdminOnly:
    """Platform admins only (the apps and listeners span organisations), as routing's admin does."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.is_platform_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(App)
class AppAdmin(PlatformAdminOnly, admin.ModelAdmin):
    list_display = ["name", "prefix", "contact_email", "created_at", "revoked_at"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name", "contact_email"] if obj is None else ["name", "contact_email", "prefix", "created_at",
                                                               "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["prefix", "created_at", "revoked_at"]

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the app is named on the requests it posted

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "contact_email"])
            return
        app, key = do_issue_key(obj.name, contact_email=obj.contact_email, created_by=request.user)
        for field in App._meta.concrete_fields:
            setattr(obj, field.attname, getattr(app, field.attname))
        obj._state.adding = False
        obj._state.db = app._state.db
        obj.issued_key = key

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(obj, "issued_key", None)
        if not key:
            return super().response_add(request, obj, post_url_continue)
        context = {**self.admin_site.each_context(request), "title": _("Open311 api_key issued"), "app": obj,
                   "key": key, "opts": self.model._meta}
        return TemplateResponse(request, "open311/key_issued.html", context)

    @admin.action(description=_("Revoke the selected apps' keys"))
    def revoke(self, request, queryset):
        apps = list(queryset.filter(revoked_at__isnull=True))
        for app in apps:
            do_revoke_key(app)
        self.message_user(request, ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(apps))
                          % {"count": len(apps)}, messages.SUCCESS)


@admin.register(Report)
class ReportAdmin(PlatformAdminOnly, admin.ModelAdmin):
    list_display = ["request", "app", "created_at", "lat", "long", "address_string"]
    list_select_related = ["request", "app"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
