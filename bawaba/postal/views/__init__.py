"""Postal pages, one module per audience; bawaba.postal.urls joins their url patterns (each module
listed in AREAS exposes ``urlpatterns``)."""

from bawaba.postal.views import pickup, postman, public  # noqa: E402 - field

AREAS: list = []
AREAS += [postman, public, pickup]  # field
