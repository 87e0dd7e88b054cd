"""The privacy pages of organisation admins (and platform admins): the register of processing, citizens'
requests about their data, and the log of staff access to personal data."""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import register, subjects
from .forms import AccessLogFilter, RectifyForm, SubjectRequestForm
from .models import AccessLog, RetentionRun, SubjectRequest

SESSION_PREFIX = "privacy.subject."


def _admin(request):
    if not request.user.is_org_admin:
        raise PermissionDenied(_("Only the organisation's admins may see this page."))
    return request.user


def _csv(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8 (Arabic) correctly
    return response, csv.writer(response)


# --- The register


@login_required
@require_GET
def register_page(request):
    user = _admin(request)
    # The retention job's audit is platform-wide (counts of every organisation): platform admins only.
    runs = RetentionRun.objects.all()[:15] if user.is_platform_admin else None
    return render(request, "privacy/register.html", {"rows": register.rows(), "runs": runs,
                                                     "nav": "privacy-register"})


@login_required
@require_GET
def register_export(request, fmt):
    _admin(request)
    rows = register.rows()
    if fmt == "json":
        response = JsonResponse({"generated_at": timezone.now().isoformat(), "processing": rows},
                                json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="register-of-processing.json"'
        return response
    if fmt == "csv":
        response, writer = _csv("register-of-processing.csv")
        writer.writerow(register.CSV_COLUMNS)
        for row in rows:
            writer.writerow(["; ".join(row[c]) if isinstance(row[c], list) else row[c] for c in register.CSV_COLUMNS])
        return response
    raise Http404(_("Choose CSV or JSON."))


# --- Citizens' requests


def _subject_request(request, pk) -> SubjectRequest:
    user = _admin(request)
    records = SubjectRequest.objects.select_related("organisation", "checked_by")
    if not user.is_platform_admin:
        records = records.filter(organisation_id=user.organisation_id)
    return get_object_or_404(records, pk=pk)


def _subject(request, record: SubjectRequest) -> subjects.Subject | None:
    """The identifier lives in the admin's session only (the record keeps a hash): a request is answered in
    the session that checked the citizen's identity."""
    value = request.session.get(f"{SESSION_PREFIX}{record.pk}")
    if not value:
        return None
    return subjects.subject_for(record.organisation, record.identifier_kind, value)


@login_required
@require_http_methods(["GET", "POST"])
def subject_start(request):
    user = _admin(request)
    form = SubjectRequestForm(request.POST or None, platform_admin=user.is_platform_admin)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            organisation = data.get("organisation") or user.organisation
            if organisation is None:
                raise PermissionDenied(_("Your account belongs to no organisation."))
            try:
                record, subject = subjects.do_open_request(
                    organisation=organisation, kind=data["kind"], identifier_kind=data["identifier_kind"],
                    identifier=data["identifier"], document_type=data["document_type"],
                    document_last_digits=data["document_last_digits"], checked_by=user)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error("identifier", error)
            else:
                request.session[f"{SESSION_PREFIX}{record.pk}"] = subject.phone or subject.national_id
                return redirect("privacy:subject", pk=record.pk)
    recent = SubjectRequest.objects.select_related("checked_by", "organisation")
    if not user.is_platform_admin:
        recent = recent.filter(organisation_id=user.organisation_id)
    return render(request, "privacy/subject_start.html",
                  {"form": form, "recent": recent[:20], "nav": "privacy-subjects"}, status=status)


def _gone(request, record):
    return render(request, "privacy/subject_gone.html", {"record": record, "nav": "privacy-subjects"}, status=409)


@login_required
@require_GET
def subject(request, pk):
    record = _subject_request(request, pk)
    subject_ = _subject(request, record)
    if subject_ is None:
        return _gone(request, record)
    data = subjects.find(subject_)
    return render(request, "privacy/subject.html", {
        "record": record, "data": data, "counts": subjects.counts(data), "rectify_form": RectifyForm(),
        "nav": "privacy-subjects"})


@login_required
@require_GET
def subject_export(request, pk, fmt):
    record = _subject_request(request, pk)
    subject_ = _subject(request, record)
    if subject_ is None:
        return _gone(request, record)
    if fmt not in ("json", "html"):
        raise Http404(_("Choose JSON or HTML."))
    data = subjects.find(subject_)
    subjects.do_record_access(record, data)
    filename = f"personal-data-{record.organisation.slug}-{record.pk}.{fmt}"
    if fmt == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(render_to_string("privacy/export.html", {"record": record, "data": data},
                                                 request=request), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def subject_rectify(request, pk):
    record = _subject_request(request, pk)
    subject_ = _subject(request, record)
    if subject_ is None:
        return _gone(request, record)
    if record.kind != SubjectRequest.Kind.RECTIFICATION:
        return render(request, "privacy/subject_gone.html", {"record": record, "wrong_kind": True}, status=409)
    form = RectifyForm(request.POST)
    if form.is_valid():
        try:
            outcome = subjects.do_rectify(record, subject_, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if "phone" in outcome["fields"] and record.identifier_kind == SubjectRequest.IdentifierKind.PHONE:
                # The citizen is now found under the corrected number.
                request.session[f"{SESSION_PREFIX}{record.pk}"] = subjects.subject_for(
                    record.organisation, record.identifier_kind, form.cleaned_data["phone"]).phone
            return render(request, "privacy/outcome.html", {"record": record, "outcome": outcome,
                                                            "nav": "privacy-subjects"})
    data = subjects.find(subject_)
    return render(request, "privacy/subject.html", {
        "record": record, "data": data, "counts": subjects.counts(data), "rectify_form": form,
        "nav": "privacy-subjects"}, status=400)


@login_required
@require_POST
def subject_erase(request, pk):
    record = _subject_request(request, pk)
    subject_ = _subject(request, record)
    if subject_ is None:
        return _gone(request, record)
    if record.kind != SubjectRequest.Kind.ERASURE:
        return render(request, "privacy/subject_gone.html", {"record": record, "wrong_kind": True}, status=409)
    outcome = subjects.do_erase(record, subject_)
    return render(request, "privacy/outcome.html", {"record": record, "outcome": outcome, "nav": "privacy-subjects"})


# --- The access log


@login_required
@require_GET
def access_log(request):
    from bawaba.accounts.models import User

    user = _admin(request)
    logs = AccessLog.objects.select_related("user")
    users = User.objects.order_by("username")
    if not user.is_platform_admin:
        logs = logs.filter(organisation_id=user.organisation_id)
        users = users.filter(organisation_id=user.organisation_id)
    form = AccessLogFilter(request.GET or None, users=users)
    status = 200
    if form.is_bound and not form.is_valid():
        status, logs = 400, logs.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data["user"]:
            logs = logs.filter(user=data["user"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            logs = logs.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, tz))
        if data["until"]:
            logs = logs.filter(at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tz))
    if request.GET.get("format") == "csv" and status == 200:
        response, writer = _csv("access-log.csv")
        writer.writerow(["at", "staff", "page", "record_kind", "record"])
        for row in logs.iterator(chunk_size=500):
            writer.writerow([row.at.isoformat(), row.user.username, row.view_name, row.record_kind, row.record_ref])
        return response
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "privacy/access_log.html", {"form": form, "page": page, "query": query.urlencode(),
                                                       "nav": "privacy-log"}, status=status)
