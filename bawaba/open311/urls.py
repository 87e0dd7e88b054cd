"""Mounted at /open311/v2/ (config/urls.py). The format is the path's suffix, as GeoReport v2 does it."""

from django.urls import re_path

from . import views

FMT = r"\.(?P<fmt>[a-z]{1,5})$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, views.service_list, name="open311-services"),
    # Service codes hold a slash (algerie-telecom/faults): the code is everything up to the suffix.
    re_path(r"^services/(?P<code>.+?)" + FMT, views.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, views.requests_view, name="open311-requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+?)" + FMT, views.request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token_detail, name="open311-token"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
