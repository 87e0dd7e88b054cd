"""The operator's hybrid-mail manager (hybridmail.supervisor): its print centres and what they cover, its
products and tariff versions (edited in the admin, scoped to the operator), the letters waiting for paper that
no centre covers, and the print runs with their reconciliation. The operator's own data only."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import reconcile, runs
from .apps import SUPERVISOR
from .models import Letter, LetterState, MailProduct, MailTariff, PieceState, PrintCentre, PrintRun, RunState
from .printing import OPEN


def supervisor_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        org = getattr(user, "organisation", None)
        if org is None or not org.is_active or not user.has_role(SUPERVISOR):
            raise PermissionDenied(_("This page is for the operator's hybrid-mail managers."))
        return view(request, org, *args, **kwargs)

    return wrapper


@require_GET
@supervisor_required
def supervisor_home(request, operator):
    now = timezone.now()
    centres = (PrintCentre.objects.filter(operator=operator).prefetch_related("regions", "communes")
               .annotate(waiting=Count("letters", filter=Q(letters__state=LetterState.TO_PRINT)))
               .order_by("code"))
    products = MailProduct.objects.filter(operator=operator).select_related("postal_product").order_by("code")
    tariffs = MailTariff.objects.filter(operator=operator).prefetch_related("lines__product")[:5]
    uncovered = (Letter.objects.filter(operator=operator, state=LetterState.TO_PRINT, print_centre=None)
                 .select_related("recipient_commune", "recipient_commune__region", "sender").order_by("to_print_at"))
    uncovered_by_commune = (uncovered.values("recipient_commune__name_fr", "recipient_commune__region__name_fr")
                            .annotate(letters=Count("pk")).order_by("-letters")[:20])
    run_list = (PrintRun.objects.filter(centre__operator=operator).select_related("centre")
                .annotate(open_pieces=Count("piece_set", filter=Q(piece_set__state__in=OPEN)),
                          handed=Count("piece_set", filter=Q(piece_set__state=PieceState.HANDED)),
                          missing=Count("piece_set", filter=Q(piece_set__state__in=[PieceState.MISSING,
                                                                                    PieceState.SUPERSEDED])),
                          failed=Count("piece_set", filter=Q(piece_set__state=PieceState.FAILED)))
                .order_by("-created_at"))
    return render(request, "hybridmail/supervisor/home.html", {
        "operator": operator, "centres": centres, "products": products, "tariffs": tariffs,
        "uncovered_count": uncovered.count(), "uncovered": uncovered[:20], "uncovered_by_commune": uncovered_by_commune,
        "runs": Paginator(run_list, 30).get_page(request.GET.get("page")), "now": now,
        "overdue": run_list.exclude(state=RunState.CLOSED).filter(reconcile_after__lte=now).count(),
    })


@require_POST
@supervisor_required
def supervisor_build_runs(request, operator):
    built = 0
    runs.route_waiting(operator=operator)  # letters no centre covered, if one covers them now
    for centre in PrintCentre.objects.filter(operator=operator, is_active=True):
        built += len(runs.build_runs(centre=centre).runs)
    messages.success(request, _("%(count)d print runs built.") % {"count": built})
    return redirect("hybridmail:supervisor-home")


@require_POST
@supervisor_required
def supervisor_reconcile(request, operator):
    """Reconcile this operator's runs that are past their time now, rather than at the next hourly job."""
    counts = reconcile.reconcile(operator=operator)
    messages.success(request, _("%(count)d missing pieces sent to be printed again.") % {"count": counts["missing"]})
    return redirect("hybridmail:supervisor-home")
