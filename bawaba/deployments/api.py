"""REST API of the fibre app (django-ninja), mounted at /fibre/api/v1/ by deployments/urls.py.

Authentication: the platform's bearer tokens when bawaba.api.auth provides them (see _auth_backends),
and the Django session with CSRF protection for the contractor portal's own JavaScript.
Errors: 401 not signed in, 403 not for your role, 404 unknown or another organisation's (not revealed), 409 state
conflict, 422 invalid input.

This module only mounts the routers of the work (work orders, contracts), the field (reports, acceptance,
programmes) and billing (statements) and maps the domain's exceptions to HTTP replies."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .billing.api import statements
from .common import errors as common_errors
from .common.api import _error, api
from .common.models import ImmutableDocumentError
from .field.api import acceptance, programmes, reports
from .work.api import contracts, work_orders


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    return _error(request, 422, "; ".join(exc.messages) or _("Invalid input."),
                  {k: [str(m) for m in v] for k, v in errors.items()})


# Body schemas are declared as one parameter of these names; errors name the field itself ("amount").
_BODY_PARAMETERS = ("payload", "data")


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc):
    errors = {}
    for error in exc.errors:
        parts = [str(part) for part in error.get("loc", [])[1:]]
        if len(parts) > 1 and parts[0] in _BODY_PARAMETERS:
            parts = parts[1:]
        location = ".".join(parts) or "body"
        # pydantic's messages are English: use Django's translated ones (the field says what is wrong).
        message = _("This field is required.") if error.get("type") == "missing" else _("Enter a valid value.")
        errors.setdefault(location, []).append(message)
    return _error(request, 422, _("Invalid input."), errors)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, str(exc) or _("Not found."))


@api.exception_handler(common_errors.Conflict)
def _conflict(request, exc):
    response = _error(request, 409, exc.message)
    if exc.retryable:
        response["Retry-After"] = "2"
    return response


@api.exception_handler(ImmutableDocumentError)
def _immutable(request, exc):
    return _error(request, 409, _("An issued document cannot change; issue a correction instead."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    reason = str(exc) if str(exc) not in ("", "Unauthorized") else _("Sign in or send a valid bearer token.")
    return _error(request, 401, reason)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body cannot be read: send valid JSON (or multipart for uploads).")
    response = _error(request, exc.status_code, detail)
    if getattr(exc, "wait", None):  # 429 (ninja's Throttled): when to try again
        response["Retry-After"] = str(exc.wait)
    return response


api.add_router("/workOrder", work_orders)
api.add_router("/report", reports)
api.add_router("/acceptance", acceptance)
api.add_router("/statement", statements)
api.add_router("/contract", contracts)
api.add_router("/programme", programmes)
