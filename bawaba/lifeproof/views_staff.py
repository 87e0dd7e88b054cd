"""The fund's pages (review queue, attempt with its audited images, campaigns and exports, import) and the
post-office counter (find a pensioner after the ID check, enrol, run the proof on the counter's webcam)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import enrolment, exports, forms
from .models import Attempt, Campaign, Outcome, Via
from .permissions import fund_of, is_counter_clerk, is_fund_manager
from .proofs import find_for_counter, load_frames, load_photo
from .reasons import describe
from .reviews import do_review, refusal_proposed
from .views_public import SESSION_KEY, VIA_KEY


def _fund_attempt(request, pk) -> Attempt:
    fund = fund_of(request.user)
    return get_object_or_404(Attempt.objects.select_related("obligation__pensioner__reference", "challenge",
                                                            "obligation__campaign"),
                             pk=pk, obligation__pensioner__organisation=fund)


def _manager_fund(request):
    fund = fund_of(request.user)
    if not is_fund_manager(request.user, fund):
        raise PermissionDenied(_("Only the fund's managers may do this."))
    return fund


@login_required
def queue(request):
    fund = fund_of(request.user)
    attempts = (Attempt.objects.filter(obligation__pensioner__organisation=fund, status=Outcome.REVIEW)
                .select_related("obligation__pensioner", "obligation__campaign", "challenge")
                .order_by("created_at", "id"))
    page = Paginator(attempts, 50).get_page(request.GET.get("page"))
    return render(request, "lifeproof/queue.html", {"page": page, "fund": fund, "nav": "proofs"})


@login_required
def attempt_detail(request, pk, form=None, status=200):
    attempt = _fund_attempt(request, pk)
    frames = range(attempt.frame_count) if attempt.frames else range(0)
    return render(request, "lifeproof/attempt.html", {
        "attempt": attempt, "pensioner": attempt.obligation.pensioner, "frames": frames,
        "reasons": [(code, describe(code)) for code in attempt.reasons],
        "scores": sorted((k, v) for k, v in attempt.scores.items() if not isinstance(v, (list, dict))),
        "reviews": attempt.reviews.select_related("reviewer"), "proposed": refusal_proposed(attempt),
        "form": form or forms.ReviewForm(), "nav": "proofs",
    }, status=status)


@login_required
@require_POST
def review(request, pk):
    attempt = _fund_attempt(request, pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            do_review(attempt, reviewer=request.user, decision=form.cleaned_data["decision"],
                      reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("lifeproof:queue")
    return attempt_detail(request, pk, form=form, status=400)


def _image(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/jpeg" if data[:2] == b"\xff\xd8" else "image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def reference_photo(request, pk):
    attempt = _fund_attempt(request, pk)
    pensioner = attempt.obligation.pensioner
    if not hasattr(pensioner, "reference"):
        raise Http404
    return _image(load_photo(pensioner, purpose=f"review:{attempt.pk}", user=request.user))


@login_required
def frame_image(request, pk, index):
    attempt = _fund_attempt(request, pk)
    frames = load_frames(attempt, purpose="review", user=request.user)
    if not 0 <= index < len(frames):
        raise Http404
    return _image(frames[index][0])


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request):
    fund = _manager_fund(request)
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from .proofs import do_create_campaign

        try:
            campaign = do_create_campaign(organisation=fund, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("lifeproof:campaign", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "lifeproof/campaigns.html", {
        "form": form, "campaigns": Campaign.objects.filter(organisation=fund)[:100], "nav": "campaigns"},
        status=status)


@login_required
def campaign_detail(request, pk):
    fund = _manager_fund(request)
    campaign = get_object_or_404(Campaign, pk=pk, organisation=fund)
    return render(request, "lifeproof/campaign.html", {
        "campaign": campaign, "counts": exports.campaign_counts(campaign), "nav": "campaigns"})


@login_required
def campaign_export(request, pk):
    fund = _manager_fund(request)
    campaign = get_object_or_404(Campaign, pk=pk, organisation=fund)
    response = HttpResponse(exports.campaign_csv(campaign), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="proof-of-life-{campaign.period}-{day}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_pensioners(request):
    fund = _manager_fund(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                photos = enrolment.read_photos(form.cleaned_data["photos"].read())
                result = enrolment.import_pensioners(form.cleaned_data["file"].read(), photos, organisation=fund,
                                                     actor=request.user, filename=form.cleaned_data["file"].name)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                status = 200 if result.ok else 400
    return render(request, "lifeproof/import.html", {"form": form, "result": result, "nav": "import"},
                  status=status)


def _clerk(request):
    if not is_counter_clerk(request.user):
        raise PermissionDenied(_("Only counter clerks may do this."))


@login_required
@require_http_methods(["GET", "POST"])
def counter(request):
    _clerk(request)
    form = forms.CounterFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            obligation = find_for_counter(pension_number=form.cleaned_data["pension_number"],
                                          national_id=form.cleaned_data["national_id"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session[SESSION_KEY] = obligation.pk
            request.session[VIA_KEY] = Via.COUNTER
            return redirect("lifeproof:counter_capture")
    return render(request, "lifeproof/counter.html", {"form": form, "nav": "counter"},
                  status=400 if request.method == "POST" else 200)


@login_required
def counter_capture(request):
    _clerk(request)
    if request.session.get(VIA_KEY) != Via.COUNTER:
        return redirect("lifeproof:counter")
    from .views_public import page

    return page(request)


@login_required
@require_http_methods(["GET", "POST"])
def counter_enrol(request):
    _clerk(request)
    form = forms.EnrolForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pensioner = enrolment.do_enrol_at_counter(
                organisation=data["fund"], clerk=request.user, id_checked=data["id_checked"],
                photo=data["photo"].read(), values=data)
        except ValidationError as exc:
            form.add_error(None, exc) if not hasattr(exc, "error_dict") else [
                form.add_error(field if field in form.fields else None, messages)
                for field, messages in exc.message_dict.items()]
        else:
            from .proofs import add_to_open_campaigns

            add_to_open_campaigns(pensioner)
            return render(request, "lifeproof/enrolled.html", {"pensioner": pensioner, "nav": "counter"})
    return render(request, "lifeproof/enrol.html", {"form": form, "nav": "counter"},
                  status=400 if request.method == "POST" else 200)


