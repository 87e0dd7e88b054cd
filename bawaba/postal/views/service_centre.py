"""The service centre's side of the post: an agent attaches a request (a complaint) to a postal item.

The button is on the desk's request page (bawaba.postal.desk_links.render_panel); the rules are in
``desk_links.do_link_item``: only staff of the post that owns the item, acting on a request of that post.
A request or an item the viewer may not see answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from bawaba.core.parsing import positive_int
from bawaba.desk.panels import panel_action
from bawaba.postal.desk_links import do_link_item, items_of_request


@panel_action
def link_item(request, req):
    user = request.user
    wanted = positive_int(request.POST.get("item", ""))
    # Only an item the request names or is attached to, and that this viewer sees as the post's staff.
    item = next((i for i in items_of_request(req) if wanted and i.pk == int(wanted)), None)
    if item is None:
        raise Http404(_("No such postal item."))
    try:
        do_link_item(req, item, actor=user)
    except PermissionDenied:
        raise Http404(_("No such postal item.")) from None
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request attached to item %(number)s.") % {"number": item.number})
    return redirect("desk:request", reference=req.reference)


urlpatterns = [
    path("desk/<str:reference>/link-item/", link_item, name="link_item"),
]
