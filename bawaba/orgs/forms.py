"""Admin forms for organisations: the checks that span several fields or several rows of an inline."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import Queue, Service, find_overlap, overlap_error, service_code


class ServiceForm(forms.ModelForm):
    """When the code is not editable (organisation admins), a new service gets its code from a short name
    inside the organisation's own namespace: `faults` gives `algerie-telecom/faults`."""

    slug = forms.SlugField(
        label=_("Short name"),
        required=False,
        max_length=60,
        help_text=_("Lower-case letters, digits and hyphens. The code is derived from it and cannot change."),
    )

    class Meta:
        model = Service
        fields = ["organisation", "code", "name_fr", "name_ar", "name_en", "description_fr", "description_ar",
                  "description_en", "queue", "is_orientation", "is_public", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.fields["slug"].initial = self.instance.slug

    def clean(self):
        data = super().clean()
        if "code" in self.fields or self.instance.pk:
            return data  # the code is typed (platform admins) or already fixed
        organisation = data.get("organisation") or (
            self.instance.organisation if self.instance.organisation_id else None
        )
        slug = data.get("slug")
        if not slug:
            self.add_error("slug", _("Give the service a short name."))
        elif organisation is not None:
            code = service_code(organisation, slug)
            if Service.objects.filter(code=code).exists():
                self.add_error("slug", _("The code “%(code)s” is already taken.") % {"code": code})
            self.instance.code = code
        return data


class QueueForm(forms.ModelForm):
    class Meta:
        model = Queue
        fields = ["organisation", "slug", "name_fr", "name_ar", "name_en", "members"]

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation") or (
            self.instance.organisation if self.instance.organisation_id else None
        )
        members = data.get("members")
        if organisation is not None and members is not None:
            strangers = [user.username for user in members if user.organisation_id != organisation.pk]
            if strangers:
                self.add_error("members", _("Only staff of the queue's organisation can be members: %(names)s.")
                               % {"names": ", ".join(strangers)})
        return data


class BusinessHoursFormSet(BaseInlineFormSet):
    """The week as a whole: no two periods of a day may overlap, and an organisation keeps at least one."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        if self.instance.pk and not kept:
            raise ValidationError(
                _("Keep at least one opening period: without opening hours no deadline can be computed."),
                code="no_hours",
            )
        overlap = find_overlap((row["weekday"], row["opens"], row["closes"]) for row in kept)
        if overlap:
            raise overlap_error(overlap)
