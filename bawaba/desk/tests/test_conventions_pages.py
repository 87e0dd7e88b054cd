"""The desk request page follows Algerian conventions in every language: day-first dates, typed text in its
own direction, languages by name."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from bawaba.servicedesk import services
from bawaba.servicedesk.models import Request

from .test_request_page import text

# 6 December 2026, 09:05 UTC = 10:05 in Algiers: "12/06/2026" would be the month-first reading.
RECEIVED = dt.datetime(2026, 12, 6, 9, 5, tzinfo=dt.UTC)
ARABIC_SUBJECT = "انقطاع الإنترنت في الحي"
ARABIC_TEXT = "الإنترنت مقطوع منذ أمس في بجاية."
ARABIC_REPLY = "سنرسل تقنيًا غدًا."


@pytest.fixture
def arabic_request(make_request, at_agent):
    req = make_request(subject=ARABIC_SUBJECT, text=ARABIC_TEXT, citizen_name="سمير ولد علي", language="arq-Latn")
    services.do_add_note(req, ARABIC_REPLY, actor=at_agent)
    Request.objects.filter(pk=req.pk).update(created_at=RECEIVED)
    return Request.objects.get(pk=req.pk)


def page_in(client, language, req):
    client.cookies["django_language"] = language
    response = client.get(reverse("desk:request", kwargs={"reference": req.reference}))
    assert response.status_code == 200
    return text(response)


@pytest.mark.parametrize(("language", "darija"), [("fr", "Darija (lettres latines)"),
                                                  ("ar", "الدارجة (بالحروف اللاتينية)"),
                                                  ("en", "Darija (Latin letters)")])
def test_request_page_dates_are_day_first_and_the_language_has_a_name(login, at_agent, arabic_request, language,
                                                                       darija):
    html = page_in(login(at_agent), language, arabic_request)
    received = html[html.index('id="citizen"'):html.index('id="sla"')]
    assert "06/12/2026 10:05" in received
    assert "12/06/2026" not in html
    assert darija in received
    assert not re.search(r"<dd>\s*(arq-Latn|ar|fr|en)\s*</dd>", html)  # no raw language code


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_text_typed_by_people_keeps_its_own_direction(login, at_agent, arabic_request, language):
    html = page_in(login(at_agent), language, arabic_request)
    assert f'<h1 id="request-subject" dir="auto">{ARABIC_SUBJECT}</h1>' in html
    assert f'<div class="text" dir="auto">{ARABIC_TEXT}</div>' in html
    assert f'<div class="text" dir="auto">{ARABIC_REPLY}</div>' in html
    assert '<dd dir="auto">سمير ولد علي</dd>' in html
    assert "<bdi>Amina Bensalah</bdi>" in html  # the note's author, in the history too


def test_queue_rows_give_the_subject_its_own_direction(login, at_agent, arabic_request):
    client = login(at_agent)
    client.cookies["django_language"] = "fr"
    html = text(client.get(reverse("desk:home")))
    assert f'<td dir="auto">{ARABIC_SUBJECT}</td>' in html


def test_a_typed_reason_in_the_history_is_isolated(login, at_agent, make_request):
    req = make_request()
    services.do_transition(req, "closed", actor=at_agent, reason="لا رد من المواطن")
    client = login(at_agent)
    client.cookies["django_language"] = "fr"
    html = text(client.get(reverse("desk:request", kwargs={"reference": req.reference})))
    assert "<bdi>لا رد من المواطن</bdi>" in html
