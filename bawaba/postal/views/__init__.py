"""Postal pages, one module per audience; bawaba.postal.urls joins their url patterns (each module
listed in AREAS exposes ``urlpatterns``)."""

from bawaba.postal.views import api_v1, counter, network, scans

AREAS: list = [counter, network, api_v1, scans]
