"""Reference geography (mounted at /geo/ by config/urls.py)."""

from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("wilayas.geojson", views.wilaya_boundaries_geojson, name="wilaya_boundaries"),
]
