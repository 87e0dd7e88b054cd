"""Forms of the field pages: the report, the inspector's decisions, the scorecards' sort."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..common.forms import MAX_TEXT


class FieldReportForm(forms.Form):
    """The scalar fields of a field report. Quantities (qty-<work item id>) and photos are read separately
    because their number depends on the work order; the service checks every value."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    device_started_at = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    device_reported_at = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    latitude = forms.CharField(label=_("Latitude"), required=False, max_length=20,
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    gps_accuracy_m = forms.CharField(label=_("GPS accuracy (m)"), required=False, max_length=20,
                                     widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    ont_serial = forms.CharField(label=_("ONT serial number"), required=False, max_length=32,
                                 widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off",
                                                               "spellcheck": "false",
                                                               "placeholder": "HWTC1A2B3C4D"}))
    ont_rx_power_dbm = forms.CharField(label=_("ONT receive power (dBm)"), required=False, max_length=20,
                                       widget=forms.NumberInput(attrs={"step": "0.01", "placeholder": "-19.5"}))
    link_loss_db = forms.CharField(label=_("Link loss (dB)"), required=False, max_length=20,
                                   widget=forms.NumberInput(attrs={"step": "0.01", "min": "0",
                                                                   "placeholder": "21.0"}))
    splice_losses_db = forms.CharField(
        label=_("Splice losses (dB, two-way average)"), required=False, max_length=4000,
        help_text=_("One value per splice, separated by semicolons or spaces: 0.03; 0.05"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.03; 0.05"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))

    # Keys of the service's ValidationError.message_dict shown next to a field of this form.
    FIELD_KEYS = ("client_uuid", "device_started_at", "device_reported_at", "latitude", "longitude",
                  "gps_accuracy_m", "ont_serial", "ont_rx_power_dbm", "link_loss_db", "splice_losses_db", "notes")


def quantities_from(data, work_items) -> tuple[list[dict], dict[int, str]]:
    """The done quantities typed in `qty-<id>` fields (empty ones skipped) and the raw values to show again."""
    items, raw = [], {}
    for work_item in work_items:
        value = (data.get(f"qty-{work_item.id}") or "").strip()[:20]
        raw[work_item.id] = value
        if value:
            items.append({"work_item": work_item.id, "quantity": value})
    return items, raw


class AcceptForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the contractor"), max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
                             error_messages={"required": _("Give the reason for the rejection; "
                                                           "the contractor will read it.")})


SCORECARD_SORTS = {
    "ftr": _("First-time-right rate (lowest first)"),
    "rework": _("Rework (most first)"),
    "late": _("Late work orders (most first)"),
    "amount": _("Accepted amount (highest first)"),
    "name": _("Name"),
}


class ScorecardForm(forms.Form):
    programme = forms.CharField(required=False, max_length=60)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SCORECARD_SORTS.items()))
