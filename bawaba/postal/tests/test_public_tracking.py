"""Citizens' tracking: the public page (no personal data, < 50 KB, no JavaScript needed, fr/ar/en), by SMS
and in the USSD menu through the channels' own entry points."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bawaba.postal.tracking import EventInput, record_events

pytestmark = pytest.mark.django_db
TOKEN = "gateway-secret-for-tests"


@pytest.fixture(autouse=True)
def gateway_token(settings):
    settings.CHANNEL_GATEWAY_TOKEN = TOKEN


@pytest.fixture
def tracked(poste, make_item):
    item = make_item(recipient_landmark="En face de la mosquée El Feth", sender_address="3 rue Larbi Ben M'hidi")
    now = timezone.now()
    record_events(poste, [
        EventInput(item.number, "EMA", now - dt.timedelta(days=2), office_code="16001"),
        EventInput(item.number, "EDD", now - dt.timedelta(days=1, hours=20), office_code="16000-CTN"),
        EventInput(item.number, "EMG", now - dt.timedelta(hours=5), office_code="16001-DIST"),
    ])
    item.refresh_from_db()
    return item


def whole_page_bytes(response) -> int:
    """The HTML and every style sheet, script and image it loads."""
    import re
    from pathlib import Path

    from django.conf import settings
    from django.contrib.staticfiles import finders

    html = response.content.decode()
    total = len(response.content)
    for url in re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js|png|svg|woff2?))"', html):
        found = finders.find(url.removeprefix(settings.STATIC_URL))
        assert found, url
        total += Path(found).stat().st_size
    assert total > len(response.content) + 4000  # the two style sheets were counted
    return total


PERSONAL = ("Nadia", "Belkacem", "Samir", "Ouali", "Didouche", "+213", "0661", "mosquée", "Larbi")


@pytest.mark.parametrize("language, words", [
    ("fr", "Votre envoi est arrivé au bureau de distribution"),
    ("ar", 'dir="rtl"'),
    ("en", "Your item arrived at the delivery office."),
])
def test_the_public_page_tells_the_timeline_in_plain_words_without_personal_data(tracked, language, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(reverse("postal:track_item", args=[tracked.number]))
    html = response.content.decode()
    assert response.status_code == 200
    assert words in html
    for text in PERSONAL:
        assert text not in html, text
    assert whole_page_bytes(response) < 50_000
    assert "<script" not in html and 'style="' not in html  # works without JavaScript, CSP-clean
    assert html.count("<li") >= 3 and 'id="next-step"' in html


def test_the_form_takes_a_spaced_number_and_goes_to_its_page(tracked):
    spaced = f"{tracked.number[:2]} {tracked.number[2:5]} {tracked.number[5:8]} {tracked.number[8:11]} " \
             f"{tracked.number[11:].lower()}"
    response = Client().get(reverse("postal:track"), {"number": spaced})
    assert response.status_code == 302 and response["Location"] == reverse("postal:track_item",
                                                                              args=[tracked.number])


def test_a_wrong_number_gets_the_reason_and_an_unknown_one_a_clear_404(tracked):
    bad = tracked.number[:10] + str((int(tracked.number[10]) + 1) % 10) + tracked.number[11:]
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("postal:track_item", args=[bad]))
    assert response.status_code == 400 and "check digit" in response.content.decode()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("postal:track"), {"number": "RR12"})
    assert response.status_code == 400 and "13 characters" in response.content.decode()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("postal:track_item", args=["RR473124829CG"]))
    assert response.status_code == 404 and "No item RR473124829CG" in response.content.decode()


def test_the_public_lookup_takes_few_queries(tracked, django_assert_max_num_queries):
    from bawaba.postal.public import public_timeline

    with django_assert_max_num_queries(2):
        result = public_timeline(tracked.number)
    assert [e.code for e in result.events] == ["EMA", "EDD", "EMG"]


def test_lookups_are_rate_limited(tracked, settings, still_clock):
    settings.POSTAL_TRACK_RATE = "3/m"
    client = Client()
    codes = [client.get(reverse("postal:track_item", args=[tracked.number])).status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and codes[-1] == 429


def test_an_sms_with_an_item_number_gets_its_status_and_opens_no_request(tracked):
    from bawaba.servicedesk.models import Request

    spaced = f"{tracked.number[:2]} {tracked.number[2:11]} {tracked.number[11:]}"
    response = Client().post("/channels/sms", {"from": "0550123456", "text": f"SUIVI {spaced}"},
                             HTTP_X_GATEWAY_TOKEN=TOKEN)
    text = response.content.decode()
    assert response.status_code == 200 and tracked.number in text and "distribution" in text
    assert not any(word in text for word in PERSONAL)
    arabic = Client().post("/channels/sms", {"from": "0550123456", "text": f"تتبع {tracked.number}"},
                           HTTP_X_GATEWAY_TOKEN=TOKEN)
    assert "وصل" in arabic.content.decode() or "مكتب" in arabic.content.decode()
    assert arabic["X-Kannel-Coding"] == "2"
    bad = Client().post("/channels/sms", {"from": "0550123456", "text": "RR 473124820 DZ"},
                        HTTP_X_GATEWAY_TOKEN=TOKEN)
    assert "RR473124820DZ" in bad.content.decode()
    assert Request.objects.count() == 0


def test_other_sms_still_reach_the_desk(orgs, tracked):
    from bawaba.servicedesk.models import Request

    response = Client().post("/channels/sms", {"from": "0550123456", "text": "Mon colis est en retard depuis "
                                               "deux semaines, aidez-moi"}, HTTP_X_GATEWAY_TOKEN=TOKEN)
    assert response.status_code == 200 and Request.objects.count() == 1


def test_the_ussd_menu_tracks_an_item(tracked):
    def dial(text):
        return Client().post("/channels/ussd", {"phoneNumber": "0550123456", "text": text},
                             HTTP_X_GATEWAY_TOKEN=TOKEN).content.decode()

    menu = dial("")
    assert menu.startswith("CON") and "1." in menu and "2." in menu and "3." in menu
    assert dial("3").startswith("CON")
    answer = dial(f"3*{tracked.number}")
    assert answer.startswith("END") and tracked.number in answer
    assert dial("3*RR12").startswith("END")
    assert dial("2").startswith("CON")  # the desk's entries are unchanged
