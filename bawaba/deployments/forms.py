"""Forms of the fibre pages: they parse and bound input; the rules live in services.py."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WorkOrderState

MAX_TEXT = 2000


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    wilaya = forms.ChoiceField(label=_("Wilaya"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "dir": "auto",
                                                      "placeholder": _("Reference, site, address")}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *WorkOrderState.choices]
        self.fields["wilaya"].choices = [("", _("All wilayas"))] + [
            (region.code, f"{region.code} {region.name}") for region in regions]


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


def progress_groupings() -> list[tuple[str, str]]:
    """Today's wilayas, the wilayas before each reform but the first (newest first), then before any split.
    Called when the form is shown, so the labels are in the reader's language and follow the reforms known
    to bawaba.geo.loader (never a hard-coded number of wilayas)."""
    from bawaba.geo.loader import REFORM_YEARS

    return ([("wilaya", _("Current wilaya"))]
            + [(f"before_{year}", _("Wilaya before the %(year)s reform") % {"year": year})
               for year in sorted(REFORM_YEARS[1:], reverse=True)]
            + [("former_wilaya", _("Former wilaya (before the splits)"))])


class DashboardForm(forms.Form):
    programme = forms.CharField(required=False, max_length=60)
    by = forms.ChoiceField(label=_("Group by"), required=False, choices=progress_groupings)


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


# --------------------------------------------------------------------------- billing and import (operator side)

MONEY_DIGITS = 13  # below the 16-digit columns once VAT is added; ten thousand billion dinars is plenty


class MoneyField(forms.DecimalField):
    """An amount in dinars with at most two decimals; accepts "1 234,50" as typed in French."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


def last_ended_month(today) -> str:
    first = today.replace(day=1)
    previous = first - dt.timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


class IssueStatementsForm(forms.Form):
    """Which statements to issue: every active contract of a programme, or one contract, for one month."""

    programme = forms.CharField(label=_("Programme"), max_length=60, widget=forms.Select)
    contract = forms.CharField(label=_("Contract (optional)"), required=False, max_length=60,
                               help_text=_("Leave empty to issue for every active contract of the programme."),
                               widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "CT-2026-001",
                                                             "list": "contract-references"}))
    month = forms.CharField(label=_("Month"), max_length=7, help_text=_("The month must have ended."),
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10",
                                                          "pattern": r"\d{4}-\d{2}"}))

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].widget.choices = [(p.code, p.name) for p in programmes]

    def clean_contract(self):
        return self.cleaned_data["contract"].strip()

    def clean_month(self):
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", self.cleaned_data["month"].strip())
        year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        if not (2000 <= year <= 2999 and 1 <= month <= 12):
            raise forms.ValidationError(_("Give the month as YYYY-MM, for example 2026-10."))
        return year, month

    @property
    def period_end(self) -> dt.date:
        year, month = self.cleaned_data["month"]
        return dt.date(year, month, calendar.monthrange(year, month)[1])


class PaymentForm(forms.Form):
    """A payment received for a payment statement; the service refuses overpayments and impossible dates."""

    amount = MoneyField(label=_("Amount (DZD)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reference = forms.CharField(label=_("Reference (bank transfer, cheque)"), required=False, max_length=60,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    # Sent again by a double submit: the same token records one payment.
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "payment_%s")  # unique ids beside the correction form
        super().__init__(*args, **kwargs)


class CorrectionForm(forms.Form):
    """A correction statement: adjustments to the original's amounts (negative to reduce them)."""

    gross_adjustment = MoneyField(label=_("Gross amount adjustment (DZD)"),
                                  help_text=_("Negative to reduce the amount of work, positive to add to it."))
    penalty_adjustment = MoneyField(label=_("Late penalty adjustment (DZD)"), required=False,
                                    help_text=_("Negative to give penalties back, positive to add penalties."))
    reason = forms.CharField(label=_("Reason (printed on the correction)"), max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                             error_messages={"required": _("Explain the correction; it is printed on the document.")})
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "correction_%s")
        super().__init__(*args, **kwargs)

    def clean_penalty_adjustment(self):
        return self.cleaned_data["penalty_adjustment"] or Decimal("0")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_ACCEPT = ".csv,.txt,.xlsx,text/csv," + XLSX_TYPE


def check_import_file(upload):
    """A CSV (text) or XLSX workbook no larger than the importer reads; the type is read from the content.

    Raises ValidationError with a translated message. XLSX goes through bawaba.core.uploads.check_upload;
    CSV has no magic number, so it is accepted only when it does not look like any known binary type.
    """
    import filetype

    from bawaba.core.uploads import check_upload

    from .importing import MAX_BYTES

    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        check_upload(upload, {XLSX_TYPE: "xlsx"}, max_bytes=MAX_BYTES)
        return
    if not name.endswith((".csv", ".txt")):
        raise forms.ValidationError(_("Send a CSV (.csv) or Excel (.xlsx) file."), code="bad_type")
    if not upload.size:
        raise forms.ValidationError(_("The file “%(name)s” is empty.") % {"name": upload.name}, code="empty")
    if upload.size > MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than %(mb)s MB; split it.")
                                    % {"mb": MAX_BYTES // 1024 // 1024}, code="too_large")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if b"\x00" in head or filetype.guess(head) is not None:
        raise forms.ValidationError(_("“%(name)s” is not a CSV text file.") % {"name": upload.name},
                                    code="bad_type")


class ImportForm(forms.Form):
    contract = forms.CharField(label=_("Contract"), max_length=60,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "CT-2026-001",
                                                             "list": "contract-references"}))
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("Every row is checked first: if one row is wrong, nothing is imported."),
                           widget=forms.ClearableFileInput(attrs={"accept": IMPORT_ACCEPT}))

    def clean_contract(self):
        return self.cleaned_data["contract"].strip()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_import_file(upload)
        return upload
