"""Forms of the work pages: the order filter, the dashboard groupings and the import file."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import importing as work_importing
from .models import WorkOrderState


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


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_ACCEPT = ".csv,.txt,.xlsx,text/csv," + XLSX_TYPE


def check_import_file(upload):
    """A CSV (text) or XLSX workbook no larger than the importer reads; the type is read from the content.

    Raises ValidationError with a translated message. XLSX goes through bawaba.core.uploads.check_upload;
    CSV has no magic number, so it is accepted only when it does not look like any known binary type.
    """
    import filetype

    from bawaba.core.uploads import check_upload


    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        check_upload(upload, {XLSX_TYPE: "xlsx"}, max_bytes=work_importing.MAX_BYTES)
        return
    if not name.endswith((".csv", ".txt")):
        raise forms.ValidationError(_("Send a CSV (.csv) or Excel (.xlsx) file."), code="bad_type")
    if not upload.size:
        raise forms.ValidationError(_("The file “%(name)s” is empty.") % {"name": upload.name}, code="empty")
    if upload.size > work_importing.MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than %(mb)s MB; split it.")
                                    % {"mb": work_importing.MAX_BYTES // 1024 // 1024}, code="too_large")
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
