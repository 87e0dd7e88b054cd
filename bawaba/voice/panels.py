"""The calls linked to a request, in the side column of the desk's request page (bawaba.desk.panels)."""

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from bawaba.desk.panels import RequestPanel, history_modules, register_describer, register_panel


def render_calls(http_request, req) -> str:
    from .models import Call

    # Every call linked to a request writes a "voice" line in its history (agents.do_link_request,
    # services.do_store_voicemail): without one, there is no call to look for.
    modules = history_modules(req)
    if modules is not None and "voice" not in modules:
        return ""
    calls = list(Call.objects.filter(request=req).order_by("-arrived_at")[:10])
    if not calls:
        return ""
    return render_to_string("voice/_panel.html", {"calls": calls}, http_request)


def describe(event) -> str:
    if event.data.get("voicemail"):
        return escape(_("Voicemail from %(caller)s turned into this request.") % {"caller": event.data.get("caller")})
    return escape(_("Phone call from %(caller)s linked.") % {"caller": event.data.get("caller", "")})


register_panel(RequestPanel("voice-calls", render_calls, order=40))
register_describer("voice", describe)
