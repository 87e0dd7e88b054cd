"""/post/api/v1/: the postal tracking API (bawaba.postal.api; docs at /post/api/v1/docs)."""

from django.urls import path

from bawaba.postal.api import api

urlpatterns = [path("api/v1/", api.urls)]
