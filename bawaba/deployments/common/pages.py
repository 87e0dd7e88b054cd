"""Helpers shared by the fibre pages: sign-in and role decorators, rendering with the module's navigation,
pagination, error pages, form errors from services.

Each view parses its input, checks the organisation and role, calls one service or selector of
bawaba.deployments and renders. Errors come back as the page with the translated message and a 4xx
status: 400 bad input, 403 not allowed, 404 unknown, 409 refused by the current state.
The field report page also works offline: static/deployments/outbox.js keeps reports in IndexedDB and
sends them to the API (POST /fibre/api/v1/workOrder/<ref>/report, idempotent on the client UUID)."""

from __future__ import annotations

import uuid
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from .permissions import can_manage_billing, can_view_statements, is_contractor_staff, is_inspector, is_operator_staff

ORDERS_PER_PAGE = 25
INSPECTIONS_PER_PAGE = 10
LINES_PER_PAGE = 50
STATEMENTS_PER_PAGE = 20
IMPORT_ERRORS_SHOWN = 200
CONTRACT_HINTS = 200
SCORECARDS_PER_PAGE = 25
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


# --------------------------------------------------------------------------- access


def _signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _role(test, message):
    """Signed in and `test(user)` true; otherwise 403 with `message` (translated at request time)."""

    def decorator(view):
        @wraps(view)
        @_signed_in
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied(_(message))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The messages are marked for translation here and translated by _role at request time.
def _noop(text):
    return text


contractor_required = _role(is_contractor_staff, _noop("This page is for contractor staff."))
inspector_required = _role(is_inspector, _noop("This page is for the operator's inspectors."))
operator_required = _role(is_operator_staff, _noop("This page is for the operator's staff."))
contractor_or_operator_required = _role(lambda u: is_contractor_staff(u) or is_operator_staff(u),
                                        _noop("This page is for contractors and the operator's staff."))
billing_manager_required = _role(can_manage_billing,
                                 _noop("Only an administrator of the operator can issue statements or record "
                                       "payments."))
statements_required = _role(can_view_statements,
                            _noop("Statements are for the contractor's managers and the operator's billing staff."))
importer_required = _role(is_inspector, _noop("Only a supervisor of the operator can import work orders."))


def _js_strings(max_bytes):
    megabytes = f"{max_bytes / 1024 / 1024:.0f}"
    return {
        "queued": _("Waiting to be sent"),
        "sending": _("Sending…"),
        "failed": _("Not accepted"),
        "sent": _("Sent"),
        "queuedCount": _("Queued: %(n)s"),
        "empty": _("No report is waiting to be sent."),
        "savedOffline": _("Report saved on this phone. It will be sent as soon as the network allows."),
        "savedOnline": _("Report saved on this phone; sending it now."),
        "network": _("No network: the report will be sent automatically."),
        "server": _("The server did not answer properly (%(status)s); retrying later."),
        "signIn": _("Your session has expired: sign in again to send the queued reports."),
        "attempts": _("Attempts: %(n)s"),
        "lastError": _("Last problem: %(error)s"),
        "remove": _("Remove from this phone"),
        "confirmRemove": _("Remove this report and its photos from the phone? It was not accepted and will not "
                           "be sent; this cannot be undone. To correct it instead, use “Edit”."),
        "sendAgain": _("Send again"),
        "edit": _("Edit"),
        "retrying": _("Not stored yet: %(error)s It will be sent again automatically in a moment."),
        "editing": _("You are correcting a report that was not accepted. Reason given: %(error)s Fix it, then "
                     "press “Save and send”: the corrected report replaces the refused one on this phone."),
        "editGone": _("This refused report is no longer on this phone (sent again or removed meanwhile); "
                      "nothing was replaced. Check the list of reports before sending."),
        "sendNow": _("Send now"),
        "items": _("%(n)s item(s)"),
        "photos": _("%(n)s photo(s)"),
        "result": _("%(accepted)s accepted, %(rejected)s rejected, %(doubtful)s sent to an inspector"),
        "otherUser": _("Waiting for %(user)s to sign in on this phone"),
        "gpsWaiting": _("Looking for the GPS position…"),
        "gpsDone": _("Position recorded: ±%(accuracy)s m at %(time)s"),
        "gpsDenied": _("The phone refused the position: allow location for this site, or type it."),
        "gpsUnavailable": _("No GPS position could be found. Move outside and try again."),
        "gpsUnsupported": _("This browser cannot give a GPS position: type it."),
        "noItems": _("Type the done quantity of at least one item."),
        "tooMuch": _("%(code)s: %(qty)s is more than the %(left)s left to do."),
        "badQuantity": _("%(code)s: the quantity must be a number above zero."),
        "photoType": _("“%(name)s” is not a JPEG, PNG or WebP photo."),
        "photoSize": _("“%(name)s” is larger than %(mb)s MB.") % {"mb": megabytes, "name": "%(name)s"},
        "tooManyPhotos": _("At most %(n)s photos per report."),
        "photosNeeded": _("The reported items need %(n)s photo(s); %(given)s added."),
        "badNumber": _("%(label)s must be a number."),
        "leftNow": _("%(n)s left to do"),
        "removePhoto": _("Remove photo"),
        "noStorage": _("This browser cannot keep reports offline; sending directly."),
        "offlineNow": _("You are offline. Reports are kept on this phone."),
        "onlineNow": _("Online."),
    }


def _render(request, template, context=None, *, nav="", status=200):
    user = request.user
    base = {
        "nav": nav,
        "is_contractor": is_contractor_staff(user),
        "is_inspector": is_inspector(user),
        "is_operator": is_operator_staff(user),
        "rtl": get_language_bidi(),
    }
    if base["is_contractor"]:
        base["js_strings"] = _js_strings(getattr(settings, "FIBRE_PHOTO_MAX_BYTES", settings.ATTACHMENT_MAX_BYTES))
    base.update(context or {})
    return render(request, template, base, status=status)


def _page(request, queryset_or_list, per_page):
    return Paginator(queryset_or_list, per_page).get_page(request.GET.get("page"))


def _error_page(request, title, message, status, *, back=None):
    return _render(request, "deployments/error.html", {"title": title, "message": message, "back": back},
                   status=status)


def _add_service_errors(form, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


def _fresh(form_class, form):
    """The same values with a new form token, so that sending it again is a new submission."""
    return form_class({**form.data.dict(), "form_token": str(uuid.uuid4())})


def _token_key(user, data) -> str | None:
    token = data.get("form_token")
    return f"form:{user.pk}:{token}" if token else None
