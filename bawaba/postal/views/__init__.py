"""Postal pages, one module per audience; bawaba.postal.urls joins their url patterns (each module
listed in AREAS exposes ``urlpatterns``)."""

AREAS: list = []

from bawaba.postal.views import api_v1, scans  # noqa: E402 - tracking: the postal API, bulk scans

AREAS += [api_v1, scans]
