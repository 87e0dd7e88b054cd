from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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
