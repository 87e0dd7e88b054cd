"""API tokens in the admin: an organisation admin issues and revokes the tokens of their organisation.

The secret is shown once, on the page that answers the creation (not in a message, which would
travel in a cookie or the session); only its hash is stored.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bawaba.orgs.admin import OrganisationScopedAdmin

from .models import ApiToken
from .services import do_create_token, do_revoke_token


class TokenCreationForm(forms.ModelForm):
    read_only = forms.BooleanField(
        label=_("Read only"), required=False, help_text=_("The token may read requests but change nothing."),
    )

    class Meta:
        model = ApiToken
        fields = ["organisation", "name", "expires_at"]

    def clean_organisation(self):
        organisation = self.cleaned_data["organisation"]
        if not organisation.is_active:
            raise ValidationError(_("This organisation is not active."))
        return organisation

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError(_("The expiry date must be in the future."))
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "prefix", "scopes", "created_at", "last_used_at", "expires_at",
                    "revoked_at"]
    list_filter = ["organisation"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    readonly_fields = ["organisation", "prefix", "scopes", "user", "created_by", "created_at", "last_used_at",
                       "expires_at", "revoked_at", "revoked_by"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TokenCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "name", "read_only", "expires_at"]
        return ["name", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the token's user is named in request histories

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        organisation = obj.organisation
        if self._scoped(request):
            organisation = request.user.organisation
        token, secret = do_create_token(
            organisation, obj.name, read_only=form.cleaned_data.get("read_only", False),
            created_by=request.user, expires_at=obj.expires_at,
        )
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        obj._state.db = token._state.db
        obj.issued_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(obj, "issued_secret", None)
        if not secret:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("API token created"),
            "token": obj,
            "secret": secret,
            "opts": self.model._meta,
        }
        # Admin views are never cached (Cache-Control: no-store), so the secret stays on this one page.
        return TemplateResponse(request, "api/token_created.html", context)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            do_revoke_token(token, actor=request.user)
            count += 1
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
