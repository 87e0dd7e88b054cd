"""Cross-cutting promises: light pages without JavaScript, Arabic right to left, CSRF, rate limits."""

import datetime as dt
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from bawaba.geo.models import Region
from bawaba.portal.models import Submission
from bawaba.portal.services import purge_old_tokens
from bawaba.servicedesk.models import Request
from bawaba.servicedesk.services import do_reply

from .conftest import browser, token_of, write_data

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 100 * 1024


def page_weight(response) -> int:
    """HTML plus every stylesheet, script and image it links to (the portal links only CSS)."""
    html = response.content.decode()
    total = len(response.content)
    for url in re.findall(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"', html):
        if url.startswith("/static/"):
            path = finders.find(url.removeprefix("/static/"))
            assert path, f"missing static file {url}"
            with open(path, "rb") as handle:
                total += len(handle.read())
    return total


# The longest text a citizen or an agent may write (5,000 characters), in Arabic: 2 bytes a letter.
LONGEST_TEXT = ("انقطع الانترنت في المنزل منذ يومين " * 150)[:5000]


def all_pages(client, at_agent):
    """Every portal page a citizen can reach, filled to the limits the forms allow."""
    pages = {"home": client.get("/"), "submit": client.get("/submit/"), "track": client.get("/track/")}
    token = token_of(pages["submit"])
    data = write_data(token, region=str(Region.objects.get(country="DZ", code="15").pk),  # most communes
                      subject=LONGEST_TEXT[:200], description=LONGEST_TEXT)
    pages["confirm"] = client.post("/submit/", {**data, "action": "continue"})
    done = client.post("/submit/", {**data, "action": "submit"})
    pages["receipt"] = client.get(done["Location"])
    request = Request.objects.get(reference=done["Location"].rstrip("/").rsplit("/", 1)[1])
    for _ in range(12):
        do_reply(request, LONGEST_TEXT, actor=at_agent)
    url = reverse("portal:request", args=[request.reference])
    pages["request"] = client.get(url)
    pages["request, oldest page"] = client.get(url + "?page=3")
    pages["request, refused message"] = client.post(url, {"body": LONGEST_TEXT + "!"})
    pages["answered"] = client.post("/submit/", {"action": "answered"})
    return pages


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_every_page_is_under_100_kb_and_needs_no_javascript(at_agent, web_rule, language):
    pages = all_pages(browser(language), at_agent)
    for name, response in pages.items():
        assert response.status_code == (400 if name == "request, refused message" else 200), name
        html = response.content.decode()
        assert "<script" not in html, name
        assert page_weight(response) < PAGE_BUDGET, (name, page_weight(response))


def test_arabic_pages_are_right_to_left(orgs):
    client = browser("ar")
    for url in ("/", "/submit/", "/track/"):
        html = client.get(url).content.decode()
        assert '<html lang="ar" dir="rtl">' in html
    assert "اتصالات الجزائر" in client.get("/").content.decode()  # operator names in Arabic


def test_language_switcher_posts_to_set_language(citizen, orgs):
    html = citizen.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    response = citizen.post("/i18n/setlang/", {"language": "ar", "next": "/track/"})
    assert response.status_code == 302
    assert 'dir="rtl"' in citizen.get("/track/").content.decode()


def test_phone_fields_have_mobile_keyboards_and_labels(citizen, orgs):
    html = citizen.get("/submit/").content.decode()
    assert re.search(r'<input type="text" name="phone"[^>]*inputmode="tel"', html)
    assert 'autocomplete="tel"' in html
    assert 'autocomplete="email"' in html and 'autocomplete="name"' in html
    for field in ("phone", "name", "email", "region", "category", "subject", "description"):
        assert f'<label for="id_{field}">' in html
    assert 'aria-describedby="id_phone_helptext"' in html
    track = citizen.get("/track/").content.decode()
    assert 'inputmode="tel"' in track and '<label for="id_reference">' in track


def test_csrf_is_enforced_on_every_form(orgs, web_rule):
    client = browser(enforce_csrf_checks=True)
    token = token_of(client.get("/submit/"))
    data = {**write_data(token), "action": "submit"}
    assert client.post("/submit/", data).status_code == 403
    assert client.post("/track/", {"reference": "K7M2-9QXR", "phone": "0550123456"}).status_code == 403
    assert Request.objects.count() == 0

    csrf = client.cookies["csrftoken"].value
    assert client.post("/submit/", {**data, "csrfmiddlewaretoken": csrf}).status_code == 302
    assert Request.objects.count() == 1


def test_submissions_are_rate_limited(citizen, orgs, settings, still_clock):
    settings.PUBLIC_FORM_RATE = "3/m"
    for _ in range(3):
        assert citizen.post("/submit/", {"action": "answered"}).status_code == 200
    blocked = citizen.post("/submit/", {"action": "answered"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert citizen.get("/submit/").status_code == 200  # reading the form is not limited


def test_tracking_is_rate_limited_against_guessing(citizen, make_request, settings, still_clock):
    settings.PUBLIC_FORM_RATE = "5/m"
    request = make_request()
    from bawaba.core.references import new_reference

    for _ in range(5):
        response = citizen.post("/track/", {"reference": new_reference(), "phone": "0550 12 34 56"})
        assert response.status_code == 404
    # Even the right answer is refused once the limit is reached.
    blocked = citizen.post("/track/", {"reference": request.reference, "phone": "0550 12 34 56"})
    assert blocked.status_code == 429


def test_old_form_tokens_are_purged(web_rule):
    now = timezone.now()
    Submission.objects.create(token=uuid.uuid4(), created_at=now - dt.timedelta(days=3))
    recent = Submission.objects.create(token=uuid.uuid4(), created_at=now - dt.timedelta(hours=1))
    assert purge_old_tokens(now) == 1
    assert list(Submission.objects.all()) == [recent]
