from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import modules


def home(request):
    """The shell's landing page: where everyone arrives after signing in. It sends each person to the home of
    their main role (bawaba.core.modules); an account without any role is told whom to ask."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    url = modules.home_url(request.user.role_codes)
    if url:
        return redirect(url)
    if request.user.is_superuser:  # made with createsuperuser, before any role was granted
        return redirect("admin:index")
    return render(request, "core/error.html", {
        "title": _("No role yet"),
        "message": _("Your account has no role on the platform yet. Ask your organisation's administrator."),
    }, status=403)


def rate_limited(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": _("Too many attempts"), "message": _("Please wait a minute before trying again.")},
        status=429,
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    return render(request, "core/error.html", {"title": _("Bad request")}, status=400)


def permission_denied(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": _("Access denied"), "message": _("You do not have access to this page.")},
        status=403,
    )


def not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": _("Not found"), "message": _("The page or item you asked for does not exist.")},
        status=404,
    )


def server_error(request):
    return render(request, "core/error.html", {"title": _("Something went wrong")}, status=500)
