"""Postal pages, one module per audience; bawaba.postal.urls joins their url patterns (each module
listed in AREAS exposes ``urlpatterns``)."""

AREAS: list = []

from bawaba.postal.views import api_v1  # noqa: E402 - tracking: the postal API

AREAS.append(api_v1)
