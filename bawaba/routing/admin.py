"""Routing rules (platform admins: a rule can send any operator's requests anywhere) and agents'
corrections (read-only: they are written by transfers and read by `bawaba routing train`)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bawaba.orgs.models import Service

from .models import RoutingCorrection, RoutingRule
from .services import keyword_pattern


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["name", "order", "is_active", "channel", "category", "keywords", "service"]

    def clean(self):
        data = super().clean()
        keywords = [k for k in (data.get("keywords") or "").splitlines() if k.strip()]
        if keywords and not any(keyword_pattern(k) for k in keywords):
            raise ValidationError(
                {"keywords": ValidationError(_("These keywords contain no letters or digits."), code="no_letters")}
            )
        if not (data.get("channel") or data.get("category") or keywords):
            raise ValidationError(
                _("Give at least one condition (channel, category or keywords): a rule without any never matches."),
                code="no_condition",
            )
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["name", "order", "is_active", "channel", "category", "keyword_list", "service"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "channel", "service__organisation"]
    search_fields = ["name", "keywords", "category", "service__code"]

    @admin.display(description=_("Keywords"))
    def keyword_list(self, obj):
        return ", ".join(k.strip() for k in obj.keywords.splitlines() if k.strip())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service":
            kwargs["queryset"] = Service.objects.filter(is_orientation=False).select_related("organisation")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.is_platform_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_module_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission


@admin.register(RoutingCorrection)
class RoutingCorrectionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "predicted_code", "corrected_code", "corrected_by", "used_in_training", "excerpt"]
    list_filter = ["used_in_training", "corrected_code", "predicted_code"]
    search_fields = ["text", "predicted_code", "corrected_code"]
    date_hierarchy = "created_at"
    list_select_related = ["corrected_by"]
    readonly_fields = ["request", "text", "predicted_code", "corrected_code", "corrected_by", "created_at",
                       "used_in_training"]

    @admin.display(description=_("Text"))
    def excerpt(self, obj):
        text = " ".join(obj.text.split())
        return text if len(text) <= 80 else text[:79] + "…"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_platform_admin:
            return qs
        # An organisation admin sees the corrections into or out of their own services.
        codes = Service.objects.filter(organisation_id=request.user.organisation_id).values("code")
        return qs.filter(Q(corrected_code__in=codes) | Q(predicted_code__in=codes))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.is_org_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.is_platform_admin
