"""Test URLconf: the API mounted where config/urls.py mounts it, plus the admin; nothing else, so that
these tests do not depend on the pages of other apps."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("bawaba.api.urls")),
    path("admin/", admin.site.urls),
]
