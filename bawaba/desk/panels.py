"""What other modules add to the agent's request page, without the desk knowing them.

A module registers (usually when its app is ready):

- a **request panel**: ``register_panel(RequestPanel(key, render, order))``. ``render(http_request, req)`` gets
  the page's request (the viewer is ``http_request.user``, who may read ``req``) and returns HTML (a
  ``<section class="card">``, escaped by a template) or ``""`` when it has nothing to show. Panels are drawn
  in the page's side column, per viewer and never cached with the request's record: each panel decides what
  this viewer may see. A panel should cost no query when the request does not concern it: a module that links
  things to a request only together with a line in its history (``do_record_module_event``) may read
  ``history_modules(req)`` and answer ``""`` at once when its module wrote no line there.
- a **history describer**: ``register_describer(module, describe)``. Lines a module writes with
  ``servicedesk.services.do_record_module_event`` (kinds ``linked`` and ``module_update``, ``data["module"]``
  naming the module) are worded by ``describe(event) -> str`` (HTML-safe text) in the reader's language.

A panel that fails is left out and logged: another module's bug never takes the request page down.

A panel's form posts to its module's view, decorated with ``@panel_action``: the view gets the request the
signed-in desk agent or supervisor may read, or the visitor is sent to sign in, refused (403) or told there is
no such request (404).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

log = logging.getLogger(__name__)


def panel_action(view: Callable) -> Callable:
    """A POST view of a panel: ``view(http_request, req)`` with the request named in the URL (``reference``)."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.utils.translation import gettext as _
    from django.views.decorators.http import require_POST

    from bawaba.core.references import normalise_reference
    from bawaba.servicedesk.permissions import visible_requests

    @require_POST
    @wraps(view)
    def checked(request, reference):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_desk_staff:
            raise PermissionDenied(_("The desk is for the service centre's agents and supervisors."))
        canonical = normalise_reference(reference)
        req = visible_requests(user).filter(reference=canonical).first() if canonical else None
        if req is None:
            raise Http404(_("No such request."))
        return view(request, req)

    return checked


@dataclass(frozen=True)
class RequestPanel:
    key: str
    render: Callable  # (http_request, req) -> str
    order: int = 100


_PANELS: dict[str, RequestPanel] = {}
_DESCRIBERS: dict[str, Callable] = {}


def register_panel(panel: RequestPanel) -> None:
    """Declare a panel (registering the same key again replaces it: modules may be imported twice)."""
    _PANELS[panel.key] = panel


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def panels() -> list[RequestPanel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.key))


def history_modules(req) -> frozenset[str] | None:
    """The modules that wrote lines in the request's history (module events), as of the state the page shows
    (the desk reads them with the request's record), or None when not known: then look for yourself."""
    return getattr(req, "history_modules", None)


def render_panels(http_request, req) -> list[SafeString]:
    """The HTML of every panel that has something to show to this viewer about this request."""
    rendered = []
    for panel in panels():
        try:
            html = panel.render(http_request, req)
        except Exception:  # noqa: BLE001 - one module's failure must not break the desk
            log.exception("request panel %s failed on %s", panel.key, getattr(req, "reference", req))
            continue
        if html:
            rendered.append(mark_safe(html))  # noqa: S308 - the module's own template rendering
    return rendered


def register_describer(module: str, describe: Callable) -> None:
    _DESCRIBERS[module] = describe


def describe_module_event(event) -> str:
    """The line of a module's history event, or "" when its module has no describer (left out, say)."""
    describe = _DESCRIBERS.get((event.data or {}).get("module", ""))
    if describe is None:
        return ""
    try:
        return describe(event)
    except Exception:  # noqa: BLE001
        log.exception("describer of %s failed on event %s", event.data.get("module"), event.pk)
        return conditional_escape("")
