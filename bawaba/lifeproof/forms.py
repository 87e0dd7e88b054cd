from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.core.uploads import IMAGE_TYPES, check_upload
from bawaba.orgs.models import Organisation, OrganisationKind

from .models import Review


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Review.Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class CampaignForm(forms.Form):
    period = forms.CharField(label=_("Payment period"), max_length=20)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    grace_days = forms.IntegerField(label=_("Grace days before suspension"), min_value=0, max_value=365, initial=30)
    remind_days = forms.RegexField(label=_("Reminders (days before the due date)"), regex=r"^\d{1,3}(,\d{1,3})*$",
                                   initial="30,7", max_length=40)
    validity_days = forms.IntegerField(label=_("Certificate validity (days)"), min_value=1, max_value=800,
                                       initial=365)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Pensioners (CSV or XLSX)"))
    photos = forms.FileField(label=_("Reference photos (ZIP, one file per pension number)"))


class CounterFindForm(forms.Form):
    pension_number = forms.CharField(label=_("Pension number"), max_length=30)
    national_id = forms.CharField(label=_("National ID number (from the ID card)"), max_length=30)
    id_checked = forms.BooleanField(label=_("I checked the ID card and the face of the person at the counter"))


class EnrolForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("Pension fund"), queryset=Organisation.objects.filter(
        kind=OrganisationKind.ADMINISTRATION, is_active=True))
    pension_number = forms.CharField(label=_("Pension number"), max_length=30)
    national_id = forms.CharField(label=_("National ID number"), max_length=30)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name_ar = forms.CharField(label=_("Last name (Arabic)"), max_length=80, required=False)
    first_name_ar = forms.CharField(label=_("First name (Arabic)"), max_length=80, required=False)
    birth_date = forms.DateField(label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    language = forms.ChoiceField(label=_("Language of messages"),
                                 choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")])
    photo = forms.FileField(label=_("Photo taken at the counter"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "user"}))
    id_checked = forms.BooleanField(label=_("I checked the ID card and the face of the person at the counter"))

    def clean_photo(self):
        return check_upload(self.cleaned_data["photo"], IMAGE_TYPES).file
