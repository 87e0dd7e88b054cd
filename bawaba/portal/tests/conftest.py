"""Fixtures of the portal tests: a citizen's browser in English, deterministic routing, clean caches."""

import io
import re

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit counters and message tokens live in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_rule(orgs):
    """Every web request goes to Algérie Télécom faults, so the tests do not depend on the classifier."""
    from bawaba.orgs.models import Service
    from bawaba.routing.models import RoutingRule

    return RoutingRule.objects.create(
        name="tests: web", order=0, channel="web", service=Service.objects.get(code="algerie-telecom/faults")
    )


def browser(language="en", **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def citizen():
    return browser()


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 110, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


def token_of(response) -> str:
    match = re.search(r'name="token" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the form has no one-time token"
    return match.group(1)


def write_data(token, **overrides):
    from bawaba.geo.models import Region

    data = {
        "token": token,
        "phone": "0550 12 34 56",
        "name": "Samia Belkacem",
        "email": "samia@example.test",
        "region": str(Region.objects.get(country="DZ", code="16").pk),
        "category": "algerie-telecom/faults",
        "subject": "Internet coupé",
        "description": "Ma connexion ADSL est coupée depuis hier soir à Bab Ezzouar.",
    }
    data.update(overrides)
    return data
