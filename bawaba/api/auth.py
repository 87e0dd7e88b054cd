"""`Authorization: Bearer bwb_<prefix>_<secret>`: an integration's token, scoped to its organisation.

`request.auth` is the token's integration user (an ordinary `accounts.User` of the organisation, so
the service desk's permission checks and history apply unchanged); `request.api_token` is the token.
Read-only tokens are refused (403) on every method that can change something, here, once, so that
every API using this authentication (the service desk's, the fibre app's) enforces the scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from bawaba.accounts.backends import CachedModelBackend

from .services import find_token, touch_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenRejected(AuthenticationError):
    """A token was sent but cannot be used (unknown, revoked, expired): 401 with the reason."""

    def __init__(self, message: str):
        super().__init__(401, message)


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = find_token(token)
        if found is None:
            raise TokenRejected(_("This API token is not valid."))
        now = timezone.now()
        if found.revoked_at is not None:
            raise TokenRejected(_("This API token has been revoked."))
        if found.expires_at is not None and found.expires_at <= now:
            raise TokenRejected(_("This API token has expired."))
        if not found.organisation.is_active:
            raise PermissionDenied(_("The organisation of this API token is suspended."))
        if request.method not in SAFE_METHODS and not found.can_write:
            raise PermissionDenied(_("This API token is read-only."))
        # The integration's account, through the accounts cache: a deactivated account is refused at once.
        user = CachedModelBackend().get_user(found.user_id)
        if user is None:
            raise TokenRejected(_("This API token is not valid."))
        touch_token(found, now)
        request.api_token = found
        return user


bearer_auth = ApiTokenAuth()
