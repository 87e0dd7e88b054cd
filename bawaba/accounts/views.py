"""What a person sees when sign-in is throttled."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429 with the wait, in the page's language."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed sign-in attempts for this account from your connection. Try again in %(minutes)d minute, "
        "or ask your organisation's administrator to reset your password.",
        "Too many failed sign-in attempts for this account from your connection. Try again in %(minutes)d minutes, "
        "or ask your organisation's administrator to reset your password.",
        minutes,
    ) % {"minutes": minutes}
    answer = render(request, "core/error.html", {"title": _("Sign-in temporarily blocked"), "message": message},
                    status=429)
    answer["Retry-After"] = str(minutes * 60)
    return answer
