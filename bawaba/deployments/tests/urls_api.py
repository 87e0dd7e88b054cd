"""Test URLconf: the API mounted as the UI's deployments/urls.py does (inside the deployments namespace)."""

from django.urls import include, path

from bawaba.deployments.api import api

urlpatterns = [
    path("fibre/", include(([path("api/v1/", api.urls)], "deployments"))),
    path("accounts/login/", lambda request: None, name="login"),
]
