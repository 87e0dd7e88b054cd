"""Who may see and act on a request. Used by views, the API and the services themselves."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from .models import Request, RequestAccess


def visible_requests(user, qs=None):
    """Requests the user's organisation owns, or once owned and transferred away (read access)."""
    qs = Request.objects.all() if qs is None else qs
    if not user.is_authenticated:
        return qs.none()
    if user.is_platform_admin:
        return qs
    if not user.organisation_id:
        return qs.none()
    shared = RequestAccess.objects.filter(request=OuterRef("pk"), organisation_id=user.organisation_id)
    return qs.filter(Q(organisation_id=user.organisation_id) | Exists(shared))


def can_view(user, request: Request) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_platform_admin or request.organisation_id == user.organisation_id:
        return True
    return RequestAccess.objects.filter(request=request, organisation_id=user.organisation_id).exists()


def can_act(user, request: Request) -> bool:
    """Only the organisation that currently owns a request may change it."""
    return user.is_authenticated and (user.is_platform_admin or request.organisation_id == user.organisation_id)


def ensure_can_act(user, request: Request) -> None:
    if not can_act(user, request):
        if can_view(user, request):
            raise PermissionDenied(_("This request now belongs to another organisation: you can read it only."))
        raise PermissionDenied(_("You do not have access to this request."))


def ensure_can_view(user, request: Request) -> None:
    if not can_view(user, request):
        raise PermissionDenied(_("You do not have access to this request."))
