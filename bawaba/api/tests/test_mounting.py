"""The API is where config/urls.py promises: /api/v1/ (real URLconf, not the tests' own)."""

from django.urls import resolve


def test_api_is_mounted_at_api_v1(settings):
    settings.ROOT_URLCONF = "config.urls"
    assert resolve("/api/v1/requests").url_name == "create_request"
    assert resolve("/api/v1/openapi.json").url_name == "openapi-json"
    assert resolve("/api/v1/docs").url_name == "openapi-view"
