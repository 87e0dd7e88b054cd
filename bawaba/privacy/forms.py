from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SubjectRequest


class SubjectRequestForm(forms.Form):
    """The citizen's request and the identity check: what they ask, who they are, which document they showed."""

    organisation = forms.ModelChoiceField(queryset=None, required=False, label=_("Organisation"))
    kind = forms.ChoiceField(label=_("The citizen asks for"), choices=SubjectRequest.Kind.choices)
    identifier_kind = forms.ChoiceField(label=_("Find the citizen by"), choices=SubjectRequest.IdentifierKind.choices)
    identifier = forms.CharField(label=_("Phone or national ID number"), max_length=40)
    document_type = forms.ChoiceField(label=_("Identity document shown"), choices=SubjectRequest.DocumentType.choices)
    document_last_digits = forms.CharField(label=_("Last digits of the document's number"), max_length=4,
                                           min_length=2)
    identity_checked = forms.BooleanField(label=_("I checked that the document is the citizen's and matches the "
                                                  "phone or ID number given."))

    def __init__(self, *args, platform_admin=False, **kwargs):
        from bawaba.orgs.models import Organisation

        super().__init__(*args, **kwargs)
        if platform_admin:
            self.fields["organisation"].queryset = Organisation.objects.order_by("slug")
            self.fields["organisation"].required = True
        else:
            del self.fields["organisation"]


class RectifyForm(forms.Form):
    name = forms.CharField(label=_("Corrected name"), max_length=160, required=False)
    phone = forms.CharField(label=_("Corrected phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Corrected e-mail"), required=False)


class AccessLogFilter(forms.Form):
    user = forms.ModelChoiceField(queryset=None, required=False, label=_("Staff member"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
