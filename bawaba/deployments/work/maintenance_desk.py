"""The fibre maintenance in the service centre, through the desk's extension points (bawaba.desk.panels): a
panel on the agent's request page and the request history's lines; and the POST that opens the work order.

The panel is drawn only for a request that names one of the operator's lines (a maintenance order is only
opened from such a request, and the citizen's subject and text do not change): a request about anything else
costs no query (the text is read, no site is looked up).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bawaba.core.parsing import positive_int
from bawaba.desk import panels

from . import maintenance as work_maintenance
from .models import FaultKind

# --------------------------------------------------------------------------- the panel


def render_panel(http_request, req) -> str:
    named = work_maintenance.codes_named(req)
    if not named:
        return ""
    order = work_maintenance.maintenance_of(req)
    user = http_request.user
    context = {"req": req, "order": order}
    if order is not None:
        work_order = order.work_order
        context |= {"items": list(work_order.items.select_related("price_item")),
                    "late": work_order.state != "completed" and timezone.now() > order.intervention_due_at}
    else:
        lines = work_maintenance.lines_named(req)
        if not lines:
            return ""
        entries = [{"site": site, "contract": work_maintenance.covering_contract(site)} for site in lines]
        contract = next((entry["contract"] for entry in entries if entry["contract"]), None)
        context |= {
            "lines": entries, "faults": FaultKind.choices,
            "can_open": contract is not None and work_maintenance.may_open(user, req),
            "price_items": work_maintenance.maintenance_price_items(contract) if contract else [],
            "currency": contract.price_schedule_version.schedule.currency if contract else "DZD",
            "csrf_token": get_token(http_request),
            "open_url": reverse("deployments:maintenance_open", args=[req.reference]),
        }
    return render_to_string("deployments/desk/_maintenance_panel.html", context)


# --------------------------------------------------------------------------- history lines

_WHAT = {
    "maintenance_opened": gettext_lazy("Sent to maintenance: work order %(work_order)s for %(contractor)s."),
    "maintenance_inProgress": gettext_lazy("Maintenance %(work_order)s: a technician is working on the line; "
                                           "the citizen was told."),
    "maintenance_completed": gettext_lazy("Maintenance %(work_order)s: line repaired and checked; the citizen "
                                          "was told."),
    "maintenance_failed": gettext_lazy("Maintenance %(work_order)s: the repair failed; the citizen was told."),
    "maintenance_cancelled": gettext_lazy("Maintenance %(work_order)s cancelled; the citizen was told."),
}


def describe(event) -> str:
    data = event.data or {}
    template = _WHAT.get(data.get("what", ""))
    if template is None:
        return ""
    values = {"work_order": format_html('<span class="ltr">{}</span>', data.get("work_order", "")),
              "contractor": format_html('<span dir="auto">{}</span>', data.get("contractor", ""))}
    return mark_safe(conditional_escape(str(template)) % values)  # noqa: S308 - each value escaped


panels.register_panel(panels.RequestPanel("fibre.maintenance", render_panel, order=60))
panels.register_describer(work_maintenance.MODULE, describe)


# --------------------------------------------------------------------------- opening it (desk POST)


@panels.panel_action
def open_maintenance(request, req):
    user = request.user
    wanted = positive_int(request.POST.get("site", ""))
    site = next((s for s in work_maintenance.lines_named(req) if wanted and s.pk == int(wanted)), None)
    if site is None:  # only a line the request names, of the request's operator
        raise Http404(_("No such fibre line in this request."))
    items = {key.removeprefix("qty-"): value.strip() for key, value in request.POST.items()
             if key.startswith("qty-")}
    try:
        order = work_maintenance.do_open_maintenance(req, site, actor=user, fault=request.POST.get("fault", ""),
                                                items=items)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Work order %(reference)s sent to %(contractor)s.") % {
            "reference": order.work_order.reference, "contractor": order.work_order.contract.contractor.name})
    return redirect("desk:request", reference=req.reference)
