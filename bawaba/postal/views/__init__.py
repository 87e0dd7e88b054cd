"""Postal pages, one module per audience; bawaba.postal.urls joins their url patterns (each module
listed in AREAS exposes ``urlpatterns``)."""

from bawaba.postal.views import dashboards, service_centre

AREAS: list = [dashboards, service_centre]
