"""The network page (postal:offices): supervisors list and filter their post's offices and import a network file.

A supervisor whose posting names a region sees and imports that region's offices only (the import refuses rows
of other regions). Every rule lives in bawaba.postal.network.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bawaba.postal import network
from bawaba.postal.models import OfficeKind
from bawaba.postal.permissions import SUPERVISOR, is_postal_staff, offices_visible_to

PER_PAGE = 50
ERRORS_SHOWN = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"),
                           help_text=gettext_lazy("Every row is checked first: if one row is wrong, nothing is "
                                                  "imported."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv," + XLSX_TYPE}))

    def clean_file(self):
        import filetype

        from bawaba.core.uploads import check_upload

        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if name.endswith(".xlsx"):
            check_upload(upload, {XLSX_TYPE: "xlsx"}, max_bytes=network.MAX_BYTES)
            return upload
        if not name.endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Send a CSV (.csv) or Excel (.xlsx) file."), code="bad_type")
        if upload.size > network.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB; split it.")
                                        % {"mb": network.MAX_BYTES // 1024 // 1024}, code="too_large")
        upload.seek(0)
        head = upload.read(8192)
        upload.seek(0)
        if b"\x00" in head or filetype.guess(head) is not None:
            raise forms.ValidationError(_("“%(name)s” is not a CSV text file.") % {"name": upload.name},
                                        code="bad_type")
        return upload


def _supervisor(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_postal_staff(request.user, SUPERVISOR):
        raise PermissionDenied(_("The network is for the post's supervisors."))
    return None


def _page(request, form, *, errors=(), status=200):
    offices = offices_visible_to(request.user).select_related("region", "commune", "parent")
    kind = request.GET.get("kind", "")
    region = request.GET.get("region", "")
    query = request.GET.get("q", "").strip()[:60]
    if kind in OfficeKind.values:
        offices = offices.filter(kind=kind)
    if region.isdigit():
        offices = offices.filter(region_id=int(region))
    if query:
        offices = offices.filter(Q(code__icontains=query) | Q(name_fr__icontains=query) | Q(name_ar__icontains=query)
                                 | Q(commune__postal_code=query))
    regions = (offices_visible_to(request.user).values_list("region_id", "region__name_fr", "region__code")
               .distinct().order_by("region__code"))
    page = Paginator(offices.order_by("code"), PER_PAGE).get_page(request.GET.get("page"))
    errors = list(errors)
    return render(request, "postal/counter/offices.html", {
        "page": page, "form": form, "kinds": OfficeKind.choices, "regions": regions, "kind": kind,
        "region": region, "q": query, "row_errors": errors[:ERRORS_SHOWN], "error_count": len(errors),
        "more_errors": max(0, len(errors) - ERRORS_SHOWN), "nav": "postal-offices",
        "query": urlencode({k: v for k, v in (("kind", kind), ("region", region), ("q", query)) if v}),
        "max_mb": network.MAX_BYTES // 1024 // 1024, "max_rows": network.MAX_ROWS,
    }, status=status)


@require_GET
def offices(request):
    login = _supervisor(request)
    return login or _page(request, ImportForm())


@require_POST
def offices_import(request):
    login = _supervisor(request)
    if login:
        return login
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied(_("The network is for the post's supervisors."))
    upload = form.cleaned_data["file"]
    try:
        result = network.import_offices(upload, organisation=organisation, actor=request.user, filename=upload.name)
    except ValidationError as exc:
        form.add_error("file", exc.messages)
        return _page(request, form, status=400)
    if result.errors:
        return _page(request, form, errors=result.errors, status=400)
    messages.success(request, _("%(rows)s rows imported: %(created)s offices created, %(updated)s updated.")
                     % {"rows": result.rows, "created": result.created, "updated": result.updated})
    return redirect(reverse("postal:offices"))


@require_GET
def offices_export(request):
    """The offices this supervisor sees, in the import's own columns (CSV, UTF-8 with BOM for spreadsheets)."""
    import csv

    from django.http import HttpResponse

    login = _supervisor(request)
    if login:
        return login
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="offices.csv"'
    response.write("\ufeff")
    csv.writer(response, delimiter=";").writerows(network.offices_as_rows(offices_visible_to(request.user)
                                                                          .order_by("code")))
    return response


urlpatterns = [
    path("offices/", offices, name="offices"),
    path("offices/export.csv", offices_export, name="offices_export"),
    path("offices/import/", offices_import, name="offices_import"),
]
