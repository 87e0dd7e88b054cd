"""Hybrid mail in the admin (mail-print): the operator's hybrid-mail manager (hybridmail.supervisor, or the
organisation's admin) edits its products, tariff versions, print centres with their coverage and staff — its
own operator's rows only. A tariff version in force (valid from today or earlier) is read-only: prices change by
adding a new version from a later date, so that a letter's price can always be explained."""

from django.contrib import admin
from django.utils import timezone

from bawaba.orgs.admin import OrganisationScopedAdmin, ScopedInline

from .apps import SUPERVISOR
from .models import MailProduct, MailTariff, MailTariffLine, PrintCentre, PrintCentreStaff


def _may_manage(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (user.is_org_admin or user.has_role(SUPERVISOR)))


class OperatorScopedAdmin(OrganisationScopedAdmin):
    organisation_field = "operator"

    def has_module_permission(self, request):
        return _may_manage(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    def has_change_permission(self, request, obj=None):
        return _may_manage(request)

    def has_add_permission(self, request):
        return _may_manage(request)

    def get_exclude(self, request, obj=None):
        # An operator's manager edits its own operator's rows: the operator is set on save, not chosen.
        return ("operator",) if self._scoped(request) else super().get_exclude(request, obj)

    def save_model(self, request, obj, form, change):
        if self._scoped(request):
            obj.operator_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


@admin.register(MailProduct)
class MailProductAdmin(OperatorScopedAdmin):
    list_display = ("code", "name_fr", "operator", "registered", "path", "paper_after_days", "postal_product",
                    "is_active")
    list_filter = ("operator", "path", "registered")


class MailTariffLineInline(ScopedInline):
    model = MailTariffLine

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    def has_add_permission(self, request, obj=None):
        return _may_manage(request) and not _in_force(obj)

    def has_change_permission(self, request, obj=None):
        return _may_manage(request) and not _in_force(obj)

    has_delete_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "product" and self._scoped(request):
            field.queryset = field.queryset.filter(operator_id=request.user.organisation_id)
        return field


def _in_force(tariff) -> bool:
    return tariff is not None and tariff.pk is not None and tariff.valid_from <= timezone.localdate()


@admin.register(MailTariff)
class MailTariffAdmin(OperatorScopedAdmin):
    list_display = ("label", "operator", "valid_from", "currency")
    inlines = [MailTariffLineInline]

    def has_change_permission(self, request, obj=None):
        return _may_manage(request) and not _in_force(obj)


class PrintCentreStaffInline(ScopedInline):
    model = PrintCentreStaff
    raw_id_fields = ("user",)

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(PrintCentre)
class PrintCentreAdmin(OperatorScopedAdmin):
    list_display = ("code", "name_fr", "operator", "office", "duplex", "is_active", "is_demo")
    list_filter = ("operator", "is_active")
    filter_horizontal = ("regions", "communes")
    raw_id_fields = ("office",)
    inlines = [PrintCentreStaffInline]
