"""`Authorization: Bearer bwb_<prefix>_<secret>`: an integration's token, scoped to its organisation.

`request.auth` is the token's integration user (an ordinary `accounts.User` of the organisation, so
the service desk's permission checks and history apply unchanged); `request.api_token` is the token.
Read-only tokens are refused (403) on every method that can change something, here, once, so that
every API using this authentication (the service desk's, the fibre app's) enforces the scope.

Guessing tokens is throttled: after API_TOKEN_FAILURE_RATE refused tokens (e.g. "20/5m") from one address,
every token from that address gets 429 until the window ends (counted in the cache by django-ratelimit, per
process on the embedded default, shared through Redis in production; docs/operations.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from ninja.errors import AuthenticationError, Throttled
from ninja.security import HttpBearer

from bawaba.accounts.backends import CachedModelBackend

from .services import find_token, touch_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenRejected(AuthenticationError):
    """A token was sent but cannot be used (unknown, revoked, expired): 401 with the reason."""

    def __init__(self, message: str):
        super().__init__(401, message)


class TooManyRefusedTokens(Throttled):
    """429: too many refused tokens from this address; `wait` seconds until the window ends."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.message = ngettext("Too many invalid API tokens from your address: wait %(seconds)d second.",
                                "Too many invalid API tokens from your address: wait %(seconds)d seconds.",
                                wait) % {"seconds": wait}

    def __str__(self):
        return self.message


def _refusals(request, *, count_one: bool):
    return get_usage(request, group="api-token-refusals", key="ip", rate=settings.API_TOKEN_FAILURE_RATE,
                     increment=count_one)


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        usage = _refusals(request, count_one=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            raise TooManyRefusedTokens(max(1, int(usage["time_left"])))
        try:
            return self._check(request, token)
        except TokenRejected:
            _refusals(request, count_one=True)
            raise

    def _check(self, request, token: str):
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
