"""/api/v1/: the service desk API (docs at /api/v1/docs, schema at /api/v1/openapi.json)."""

from django.urls import path

from . import views
from .api import api

urlpatterns = [
    path("v1/", api.urls),
    path("v1/<path:rest>", views.not_found),
]
