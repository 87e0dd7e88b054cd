"""One error body for every failure: `{"detail": "...", "errors": {"field": ["message", ...]}}`.

Messages follow Accept-Language (LocaleMiddleware runs before the API views). Input errors found by
the schema (pydantic) are rewritten with Django's own form messages ("This field is required.", ...),
which Django already translates into French and Arabic.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from bawaba.servicedesk.services import TransitionNotAllowed

from .services import IdempotencyKeyReused

MAX_BODY_BYTES = 64 * 1024  # the largest valid body (5,000 characters of Arabic text) is far below
# Service-layer field names that the API calls differently.
FIELD_NAMES = {"region": "region_code", "commune": "commune_id"}


class BodyTooLarge(Exception):
    pass


class BodyNotJson(Exception):
    pass


class JsonParser(Parser):
    """JSON bodies up to `max_bytes` (an API with bulk operations passes a larger limit)."""

    def __init__(self, max_bytes: int = MAX_BODY_BYTES, **kwargs):
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def parse_body(self, request):
        if len(request.body) > self.max_bytes:
            raise BodyTooLarge()
        try:
            return super().parse_body(request)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise BodyNotJson() from exc


class BawabaNinjaAPI(NinjaAPI):
    """Keeps what a translated message needs (error type, limits, the value given) from pydantic."""

    def validation_error_from_error_contexts(self, error_contexts):
        errors = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = (model.__ninja_param_source__,) + model.__ninja_flatten_map_reverse__.get(
                    error["loc"], error["loc"]
                )
                errors.append({"loc": loc, "type": error["type"], "ctx": error.get("ctx") or {},
                               "input": error.get("input"), "param": model.__ninja_param_source__})
        return NinjaValidationError(errors)


def error_body(detail, errors: dict | None = None) -> dict:
    return {"detail": str(detail), "errors": {k: [str(m) for m in v] for k, v in (errors or {}).items()}}


def _field(error: dict, payload_names: tuple[str, ...] = ("payload",)) -> str:
    source, *path = [str(part) for part in error["loc"]]
    # Body fields come as ("body", "payload", "subject"): name the field only.
    if source == "body" and path and path[0] in payload_names:
        path = path[1:]
    return ".".join(path) or source


def translate(error: dict) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type"):
        return _("Enter a number.")
    if kind.startswith(("datetime", "date_")) or kind == "timezone_aware":
        return _("Enter a valid date/time.")
    if kind in ("literal_error", "enum"):
        shown = value if isinstance(value, str | int | float | bool) else "…"
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": str(shown)[:40]}
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(value) if isinstance(value, str) else limit + 1}
    if kind == "string_too_short":
        limit = ctx.get("min_length", 1)
        return ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(value) if isinstance(value, str) else 0}
    if kind == "string_pattern_mismatch" and isinstance(value, str) and not value.strip():
        return _("This field cannot be empty.")
    if kind in ("less_than_equal", "less_than"):
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))}
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Send a JSON object.")
    if kind == "string_nul":
        return _("Null characters are not allowed.")
    if kind == "extra_forbidden":
        return _("Unknown parameter.")
    return _("Enter a valid value.")


def install(api: NinjaAPI) -> None:
    """Register the handlers: every failure answers with the error body, never an HTML page or a 500."""

    def respond(request, status, detail, errors=None, headers=None):
        response = api.create_response(request, error_body(detail, errors), status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        from .auth import TokenRejected

        detail = exc.message if isinstance(exc, TokenRejected) else _(
            "Authentication required: send an API token in the header “Authorization: Bearer <token>”.")
        return respond(request, 401, detail, headers={"WWW-Authenticate": 'Bearer realm="bawaba"'})

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request, exc):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            if not isinstance(error, dict) or "loc" not in error:
                continue
            errors.setdefault(_field(error), []).append(translate(error))
        return respond(request, 422, _("The request is not valid: see the errors by field."), errors)

    @api.exception_handler(ValidationError)
    def refused_by_service(request, exc):
        if hasattr(exc, "error_dict"):
            errors = {FIELD_NAMES.get(field, field): messages for field, messages in exc.message_dict.items()}
        else:
            errors = {"__all__": exc.messages}
        return respond(request, 422, _("The request is not valid: see the errors by field."), errors)

    @api.exception_handler(IdempotencyKeyReused)
    def key_reused(request, exc):
        message = _("This Idempotency-Key was already used with a different request body.")
        return respond(request, 422, message, {"Idempotency-Key": [message]})

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, str(exc) or _("You may not do this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, _("Not found."))

    @api.exception_handler(TransitionNotAllowed)
    def conflict(request, exc):
        return respond(request, 409, exc.message)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return respond(request, 413, _("The request body is too large."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        cause = exc.__cause__
        if isinstance(cause, BodyTooLarge | RequestDataTooBig):
            return respond(request, 413, _("The request body is too large."))
        if isinstance(cause, BodyNotJson) or exc.status_code == 400:
            return respond(request, 400, _("The request body is not valid JSON."))
        wait = getattr(exc, "wait", None)  # 429 (ninja's Throttled): when to try again
        return respond(request, exc.status_code, str(exc), headers={"Retry-After": str(wait)} if wait else None)
