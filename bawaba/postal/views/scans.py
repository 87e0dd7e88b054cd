"""postal:scans — a sorting centre's bulk scan files: upload, the report (faulty lines or what was stored), and
the office's recent scans. For sorting operators (their office) and supervisors (their region)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bawaba.postal import bulk
from bawaba.postal.models import TrackingEvent
from bawaba.postal.permissions import SORTER, SUPERVISOR, is_postal_staff, offices_visible_to, posting

RECENT = 50
SHOWN_ERRORS = 200


class ScanFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Scan file (CSV or XLSX)"))


def scans(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_postal_staff(request.user, SORTER, SUPERVISOR):
        raise PermissionDenied(_("The scans page is for sorting operators and postal supervisors."))
    staff = posting(request.user)
    office = staff.office if staff is not None else None
    report, status = None, 200
    form = ScanFileForm()
    if request.method == "POST":
        form = ScanFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = bulk.do_import_scans(request.user.organisation, form.cleaned_data["file"],
                                              user=request.user, office=office)
            except bulk.FileRefused as exc:
                form.add_error("file", exc.messages)
                status = 400
            else:
                status = 200 if report.ok else 400
                if report.ok:
                    form = ScanFileForm()
        else:
            status = 400
    elif request.method != "GET":
        return render(request, "postal/scans.html", _context(request, office, form, None), status=405)
    return render(request, "postal/scans.html", _context(request, office, form, report), status=status)


def _context(request, office, form, report):
    if office is not None:
        recent = TrackingEvent.objects.filter(office=office)
    else:
        recent = TrackingEvent.objects.filter(office__in=offices_visible_to(request.user))
    recent = recent.select_related("item", "office").order_by("-recorded_at", "-id")[:RECENT]
    return {
        "form": form, "report": report, "office": office, "recent": recent,
        "errors": report.errors[:SHOWN_ERRORS] if report else [],
        "more_errors": max(0, len(report.errors) - SHOWN_ERRORS) if report else 0,
        "max_mb": bulk.MAX_BYTES // 1024 // 1024, "max_rows": bulk.MAX_ROWS,
    }


urlpatterns = [path("scans/", scans, name="scans")]
