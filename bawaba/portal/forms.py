"""Forms of the citizen portal. They parse and check input; the servicedesk services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bawaba.core.parsing import positive_int
from bawaba.core.phones import to_e164
from bawaba.core.references import normalise_reference
from bawaba.geo.models import Commune, Region
from bawaba.orgs.models import OrganisationKind, Service
from bawaba.servicedesk.services import MAX_ATTACHMENTS, SUBJECT_MAX, TEXT_MAX

ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. Their type and size are checked by content in the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("At most %(max)d files per message.") % {"max": MAX_ATTACHMENTS}, code="too_many"
            )
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def phone_input():
    return forms.TextInput(
        attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr", "placeholder": "0550 12 34 56"}
    )


def clean_phone(value: str) -> str:
    return to_e164(value, default_region="DZ")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.name}"


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def category_choices():
    """Public services grouped by organisation, localised; "" means the citizen does not know."""
    services = (
        Service.objects.filter(
            is_public=True, is_active=True, is_orientation=False, organisation__is_active=True
        )
        .select_related("organisation")
        .order_by("code")
    )
    groups: dict[int, tuple[tuple, str, list]] = {}
    for service in services:
        organisation = service.organisation
        is_centre = organisation.kind == OrganisationKind.PLATFORM
        # Operators first; the shared centre's catch-all services ("other administrations") last.
        key = (is_centre, organisation.slug)
        label = _("Other") if is_centre else organisation.name
        groups.setdefault(organisation.pk, (key, label, []))[2].append((service.code, service.name))
    return [("", _("I don't know")), *[(label, items) for _key, label, items in sorted(groups.values())]]


def files_help_text() -> str:
    return _("Up to %(max)d files: JPEG, PNG, WebP images or PDF.") % {"max": MAX_ATTACHMENTS}


class RequestForm(forms.Form):
    """Everything the citizen writes on step 1, carried in hidden fields to the confirmation step."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        widget=phone_input(),
        help_text=_("An Algerian or Congolese number, or from abroad the number with its country code (+33…). "
                    "We use it to find your request and to call you back."),
    )
    name = forms.CharField(
        label=_("Your name (optional)"), required=False, max_length=160,
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"), required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email", "dir": "ltr"}),
    )
    region = RegionChoiceField(
        label=_("Wilaya"), required=False, queryset=Region.objects.filter(country="DZ").order_by("code"),
        empty_label=_("— Choose your wilaya —"),
    )
    commune = CommuneChoiceField(
        label=_("Commune (optional)"), required=False, queryset=Commune.objects.none(),
        empty_label=_("— Choose your commune —"),
    )
    category = forms.ChoiceField(label=_("What is it about?"), required=False, choices=())
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
        help_text=_("A few words, for example: “Internet cut since yesterday”."),
    )
    description = forms.CharField(
        label=_("Describe your request"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=_("Say what happened, since when, and any number that helps (line, account, parcel)."),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents (optional)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["attachments"].help_text = files_help_text()
        region_id = self.data.get(self.add_prefix("region")) if self.is_bound else self.initial.get("region")
        region_id = getattr(region_id, "pk", region_id)
        region_id = positive_int(region_id)
        if region_id:
            communes = Commune.objects.filter(region_id=region_id).order_by("name_fr")
            self.fields["commune"].queryset = communes

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    @property
    def communes_available(self) -> bool:
        return self.fields["commune"].queryset.exists()


SERVICE_FIELDS = {  # do_create_request's error keys -> form fields
    "citizen_phone": "phone",
    "citizen_name": "name",
    "citizen_email": "email",
    "text": "description",
    "subject": "subject",
    "region": "region",
    "commune": "commune",
    "category": "category",
    "attachments": "attachments",
    "body": "body",
}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.message_dict.items():
        field = SERVICE_FIELDS.get(key)
        form.add_error(field if field in form.fields else None, messages)


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Request reference"),
        max_length=32,
        help_text=_("The 8 characters you received, for example K7M2-9QXR."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "dir": "ltr",
                   "placeholder": "K7M2-9QXR"}
        ),
    )
    phone = forms.CharField(
        label=_("Phone number"), max_length=32, widget=phone_input(),
        help_text=_("The number you gave with your request."),
    )

    def clean_reference(self):
        reference = normalise_reference(self.cleaned_data["reference"])
        if reference is None:
            raise ValidationError(
                _("This is not a valid reference. Check each character (it looks like K7M2-9QXR)."),
                code="invalid",
            )
        return reference

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class MessageForm(forms.Form):
    # One-time token: a double tap on "Send" stores the message once (see views._send_citizen_message).
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        label=_("Your message"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents (optional)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help_text()
