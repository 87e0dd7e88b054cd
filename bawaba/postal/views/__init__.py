"""Postal pages, one module per audience; bawaba.postal.urls joins their url patterns (each module
listed in AREAS exposes ``urlpatterns``)."""

from bawaba.postal.views import (
    api_v1,
    counter,
    dashboards,
    network,
    pickup,
    postman,
    public,
    scans,
    service_centre,
)

AREAS: list = [counter, network, pickup, postman, public, dashboards, service_centre, api_v1, scans]
