"""A postman delivers without network then comes back online; a citizen tracks an item on a phone in French
(no JavaScript) and in Arabic. Driven in Debian's Chromium against the live server; the database is checked
after each step."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bawaba.postal.tests.conftest import make_item, network, poste, postman, products, ranges  # noqa: F401
from bawaba.postal.tracking import EventInput, record_events
from tests.e2e.browser_fixtures import (  # noqa: F401
    _e2e_clean_cache,
    _e2e_reference_geography,
    chromium_browser,
    new_chromium_context,
)

pytestmark = pytest.mark.browser
LAT, LON = 36.7753, 3.0602


def arrived(poste, item):  # noqa: F811
    now = timezone.now()
    record_events(poste, [EventInput(item.number, "EMA", now - dt.timedelta(days=2), office_code="16001"),
                          EventInput(item.number, "EDD", now - dt.timedelta(days=1), office_code="16000-CTN"),
                          EventInput(item.number, "EMG", now - dt.timedelta(hours=3), office_code="16001-DIST")])
    item.refresh_from_db()
    return item


def sign(page):
    box = page.locator("#rec-signature").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 15)
    page.mouse.up()


def test_a_postman_delivers_offline_and_each_record_is_stored_once_back_online(
        live_server, context, page, sign_in, poste, postman, make_item, no_outside_requests):  # noqa: F811
    from bawaba.postal import rounds
    from bawaba.postal.models import DeliveryProof, TrackingEvent

    first, second = arrived(poste, make_item()), arrived(poste, make_item())
    rounds.do_take_out_round(postman)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": LAT, "longitude": LON, "accuracy": 7})
    sign_in(postman)
    only_local = no_outside_requests(page)
    page.goto(f"{live_server.url}/post/round/")
    expect(page.locator(f"#item-{first.number}")).to_be_visible()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which keeps a copy of the page

    context.set_offline(True)
    expect(page.locator("#netstate")).to_be_visible()
    page.locator(f"#item-{first.number} [data-open=delivered]").click()
    page.fill("#rec-signatory", "Nadia Belkacem")
    sign(page)
    expect(page.locator("#rec-gps")).to_contain_text("7")
    page.click("#rec-save")
    page.locator(f"#item-{second.number} [data-open=failed]").click()
    page.select_option("#rec-reason", "ABS")
    expect(page.locator("#rec-action")).to_have_value("HLD")
    page.click("#rec-save")

    expect(page.locator("#outbox-list li")).to_have_count(2)
    expect(page.locator("#outbox-status")).to_have_text(re.compile(r"\b2\b"))
    assert not TrackingEvent.objects.filter(code__in=["EMI", "EMH"]).exists()

    page.reload()  # opened again without network: the service worker's copy, the records still queued
    expect(page.locator("#outbox-list li")).to_have_count(2)
    page.wait_for_timeout(500)
    assert not TrackingEvent.objects.filter(code__in=["EMI", "EMH"]).exists()

    context.set_offline(False)  # the `online` event sends them
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    expect(page.locator("#outbox")).to_be_hidden()
    delivered = TrackingEvent.objects.get(item=first, code="EMI")
    assert delivered.signatory == "Nadia Belkacem" and delivered.source == "postman"
    assert abs(float(delivered.latitude) - LAT) < 1e-4 and delivered.details["gps_accuracy_m"] == "7.0"
    assert delivered.occurred_at < delivered.recorded_at  # the phone's time, kept
    assert DeliveryProof.objects.get(item=first).content_type == "image/png"
    failed = TrackingEvent.objects.get(item=second, code="EMH")
    assert (failed.reason_code, failed.action_code) == ("ABS", "HLD")

    page.evaluate("window.PostalRound.flush()")  # nothing is sent again
    page.reload()
    page.wait_for_timeout(1000)
    assert TrackingEvent.objects.filter(code="EMI").count() == 1
    assert TrackingEvent.objects.filter(code="EMH").count() == 1
    expect(page.locator(f"#item-{first.number}")).to_have_class(re.compile("outcome-delivered"))
    only_local()


def test_a_citizen_tracks_an_item_on_a_phone_in_french_without_javascript_then_in_arabic(
        live_server, new_chromium_context, poste, make_item):  # noqa: F811
    item = arrived(poste, make_item())
    spaced = f"{item.number[:2]} {item.number[2:5]} {item.number[5:8]} {item.number[8:11]} {item.number[11:]}"

    french = new_chromium_context(phone=True, locale="fr-DZ", java_script_enabled=False).new_page()
    french.goto(f"{live_server.url}/post/track/")
    french.fill("#number", spaced.lower())
    french.click("button[type=submit].primary")
    expect(french).to_have_url(re.compile(rf"/post/track/{item.number}/$"))
    expect(french.locator("#status-title")).to_have_text("Au bureau de distribution")
    expect(french.locator("#timeline li").first).to_contain_text("Votre envoi est arrivé au bureau de distribution.")
    expect(french.locator("#timeline li")).to_have_count(3)
    expect(french.locator("#next-step")).to_contain_text("Un facteur")
    assert "Nadia" not in french.content() and "Didouche" not in french.content()

    arabic = new_chromium_context(phone=True, locale="ar-DZ").new_page()
    arabic.goto(f"{live_server.url}/post/track/{item.number}/")
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    expect(arabic.locator("#timeline li").first).to_contain_text("وصلت إرساليتك إلى مكتب التوزيع")
    assert arabic.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    arabic.goto(f"{live_server.url}/post/track/RR473124820DZ/")
    expect(arabic.locator("[role=alert]")).to_contain_text("رقم التحقق خاطئ")
