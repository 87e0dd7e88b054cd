"""The public verification page: anyone uploads a proof (PDF or JSON bundle) and reads what holds and what
failed. Nothing is stored; the upload is size- and type-checked and the posts are rate-limited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .services import verify_bundle
from .verify import load_bundle


def public_form_rate(group, request):
    return settings.PUBLIC_FORM_RATE


def read_upload(upload) -> bytes:
    """The bytes of an uploaded proof: a PDF or a JSON bundle, at most EVIDENCE_UPLOAD_MAX_BYTES."""
    limit = settings.EVIDENCE_UPLOAD_MAX_BYTES
    if upload is None:
        raise ValidationError(_("Choose the proof file (PDF or JSON) to verify."))
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    if upload.size > limit:
        raise ValidationError(_("The file is too large (%(size)s); the limit is %(limit)s.")
                              % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
    data = upload.read(limit + 1)
    if data[:5] != b"%PDF-" and data.lstrip()[:1] != b"{":
        raise ValidationError(_("The file is neither a proof PDF nor an evidence bundle (JSON)."))
    try:
        load_bundle(data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return data


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=public_form_rate, method="POST", block=True)
def verify_page(request):
    context, status = {"max_size": settings.EVIDENCE_UPLOAD_MAX_BYTES}, 200
    if request.method == "POST":
        try:
            data = read_upload(request.FILES.get("proof"))
        except ValidationError as exc:
            context["error"], status = " ".join(exc.messages), 400
        else:
            context["report"] = verify_bundle(data)
    return render(request, "evidence/verify.html", context, status=status)
