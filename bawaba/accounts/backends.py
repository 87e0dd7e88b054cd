"""Signing in and recognising a signed-in member of staff.

Every request of a signed-in person reads their account (Django checks it is still active and that the
password has not changed since the session began). The desk asks for it 240 times a second at 480 agents,
so the account is read through the cache, and dropped from it whenever it is saved or deleted
(`bawaba.accounts.apps`), so that a deactivated account or a changed password takes effect at the next
request. Its role codes are read once and cached with it; granting or removing a role drops it too. A change
made without saving the model (QuerySet.update) must call `forget_user`; the cache
entry also expires after a minute, whatever happens.
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

USER_CACHE_SECONDS = 60


def _key(user_id) -> str:
    return f"accounts:user:{user_id}"


def forget_user(user_id) -> None:
    """Drop the cached account now and again when the change commits: a request that read the old row
    before the commit must not leave it in the cache."""
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = cache.get(_key(user_id))
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            user._state.fields_cache.clear()  # the account alone: related rows are read when needed
            user.role_codes  # noqa: B018  (its roles travel with it: no query per request to check them)
            cache.set(_key(user_id), user, USER_CACHE_SECONDS)
        return user if self.user_can_authenticate(user) else None


class ThrottledSignIn(AxesStandaloneBackend):
    """django-axes' guard, first of the backends: a username locked out from this address is refused before its
    password is checked (bawaba.accounts.views.locked_out answers). A sign-in without a request (a command,
    Django's test client `login()`) is not a web sign-in and has no address to throttle: it passes to the next
    backend instead of failing as django-axes' own backend does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The address sign-in throttling counts by: the one django-ratelimit uses (RATELIMIT_IP_META_KEY behind a
    reverse proxy, REMOTE_ADDR otherwise). None when there is none (a sign-in made in code, not over HTTP):
    axes stores the address in an inet column on PostgreSQL, which refuses any placeholder text."""
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    address = (request.META.get(meta_key) or "").split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
