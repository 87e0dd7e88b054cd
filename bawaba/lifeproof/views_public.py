"""The pensioner's pages (the link of the SMS, consent, capture, outcome, certificate, home visit) and the public
verification of certificates. The obligation being proved lives in the browser session, set by the signed link
(or by a counter clerk after the ID check): no identifier of a pensioner is in these URLs."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from . import certificates, conf, links
from .models import Attempt, Obligation, Outcome, Via
from .permissions import is_counter_clerk
from .proofs import ProofRefused, do_issue_challenge, do_request_home_visit, do_submit_attempt
from .reasons import describe

SESSION_KEY = "lifeproof_obligation"
VIA_KEY = "lifeproof_via"


def _step_label(step: str) -> str:
    return {"blink": _("Blink your eyes"), "turn_left": _("Turn your head to your left"),
            "turn_right": _("Turn your head to your right")}.get(step, step)


def session_obligation(request) -> Obligation:
    pk = request.session.get(SESSION_KEY)
    if not pk:
        raise Http404(_("Open the link of your SMS to start."))
    try:
        return Obligation.objects.select_related("pensioner__organisation", "campaign").get(pk=pk)
    except Obligation.DoesNotExist as exc:
        raise Http404(_("Open the link of your SMS to start.")) from exc


def _error(message, status: int) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


@ratelimit(key="ip", rate="30/m", block=True)
@require_GET
def open_link(request, token):
    code = links.code_from_token(token)
    obligation = Obligation.objects.filter(code=code).first() if code else None
    if obligation is None:
        raise Http404(_("This link is not valid."))
    request.session.cycle_key()
    request.session[SESSION_KEY] = obligation.pk
    request.session[VIA_KEY] = Via.PHONE
    return redirect("lifeproof_public:page")


@require_GET
def page(request):
    obligation = session_obligation(request)
    certificate = getattr(obligation, "certificate", None) if obligation.status == Obligation.Status.PROVED else None
    last = obligation.attempts.select_related("challenge").first()
    return render(request, "lifeproof/page.html", {
        "obligation": obligation, "pensioner": obligation.pensioner, "certificate": certificate,
        "last": last, "last_reasons": [describe(c) for c in (last.reasons if last else [])],
        "counter": request.session.get(VIA_KEY) == Via.COUNTER, "window_s": conf.window_ms() // 1000,
        "attempts_per_day": conf.attempts_per_day(), "manifest": True,
    })


@require_GET
def service_worker(request):
    """The service worker, served under /v/ so that its scope covers the pensioner's pages."""
    path = finders.find("lifeproof/sw.js")
    with open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@ratelimit(key="ip", rate="20/m", method="POST", block=True)
@require_POST
def challenge(request):
    obligation = session_obligation(request)
    counter = request.session.get(VIA_KEY) == Via.COUNTER
    if counter and not is_counter_clerk(request.user):
        raise Http404
    via = Via.COUNTER if counter else (Via.ASSISTED if request.POST.get("assisted") else Via.PHONE)
    try:
        made = do_issue_challenge(obligation, consent=request.POST.get("consent") == "yes", via=via,
                                  helper_name=request.POST.get("helper_name", ""),
                                  clerk=request.user if counter else None)
    except ProofRefused as exc:
        return _error(" ".join(exc.messages), exc.status)
    return JsonResponse({
        "token": made.token, "steps": [{"code": s, "label": _step_label(s)} for s in made.steps],
        "window_ms": made.window_ms, "expires_at": made.expires_at.isoformat(),
        "attempt_url": reverse("lifeproof_public:attempt"),
    })


@ratelimit(key="ip", rate="20/m", method="POST", block=True)
@require_POST
def attempt(request):
    from .proofs import do_decide_attempt

    obligation = session_obligation(request)
    if request.session.get(VIA_KEY) == Via.COUNTER and not is_counter_clerk(request.user):
        raise Http404
    files = request.FILES.getlist("frame")
    times = request.POST.getlist("at_ms")
    if len(times) != len(files):
        return _error(_("Each picture needs its time."), 400)
    frames = []
    for upload, at_ms in zip(files, times, strict=True):
        if upload.size > conf.frame_max_bytes():
            return _error(_("A picture is too large."), 400)
        frames.append((upload.read(), at_ms))
    try:
        made = do_submit_attempt(request.POST.get("token", ""), frames, obligation=obligation)
    except ProofRefused as exc:
        return _error(" ".join(exc.messages), exc.status)
    if conf.decide_inline():
        made = do_decide_attempt(made.pk)
    return JsonResponse(_attempt_json(made), status=201)


def _attempt_json(made: Attempt) -> dict:
    messages = {
        Outcome.PENDING: _("Your pictures are being checked…"),
        Outcome.ACCEPTED: _("Thank you: your proof of life is accepted."),
        Outcome.REVIEW: _("Thank you: a person of your fund will check your pictures. You will get an SMS."),
        Outcome.REFUSED: _("Your proof of life could not be accepted."),
    }
    return {"id": made.pk, "status": made.status, "message": str(messages[made.status]),
            "reasons": [describe(code) for code in made.reasons] if made.status == Outcome.REFUSED else [],
            "status_url": reverse("lifeproof_public:attempt_status", args=[made.pk]),
            "page_url": reverse("lifeproof_public:page")}


@require_GET
def attempt_status(request, pk):
    obligation = session_obligation(request)
    made = Attempt.objects.filter(pk=pk, obligation=obligation).first()
    if made is None:
        raise Http404
    return JsonResponse(_attempt_json(made))


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@require_POST
def home_visit(request):
    obligation = session_obligation(request)
    try:
        reference = do_request_home_visit(obligation, reason=request.POST.get("reason", ""))
    except (ProofRefused, ValidationError) as exc:
        return render(request, "lifeproof/home_visit.html", {"error": " ".join(exc.messages)}, status=409)
    return render(request, "lifeproof/home_visit.html", {"reference": reference})


@require_GET
def certificate_pdf(request):
    obligation = session_obligation(request)
    certificate = getattr(obligation, "certificate", None)
    if certificate is None:
        raise Http404
    data = certificates.pdf_for(certificate)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificat-de-vie-{certificate.code}.pdf"'
    return response


# --------------------------------------------------------------------------- verification


@ratelimit(key="ip", rate="30/m", block=True)
@require_GET
def verify_form(request):
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("lifeproof_verify:page", code=code[:20])
    return render(request, "lifeproof/verify.html", {"result": None})


@ratelimit(key="ip", rate="30/m", block=True)
@require_GET
def verify_page(request, code):
    result = certificates.verify_code(code)
    status = 404 if result.status == "unknown" else 200
    return render(request, "lifeproof/verify.html", {"result": result, "code": code[:20]}, status=status)


@require_GET
def public_key(request):
    from . import crypto

    return HttpResponse(crypto.public_key_pem(), content_type="application/x-pem-file")

