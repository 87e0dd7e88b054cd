"""A clerk accepts items at the counter with the keyboard only: in French on a desktop, in Arabic on a phone.

Tab from field to field, Enter shows the price, Enter again accepts; the page then offers the label and the
receipt and the focus is back on the first field for the next customer. Checked in the database too.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bawaba.postal.models import Item, TrackingEvent
from bawaba.postal.tests.conftest import clerk, network, poste, products, ranges  # noqa: F401 - fixtures
from tests.e2e.browser_fixtures import *  # noqa: F403 - Chromium fixtures (new_chromium_context...)
from tests.e2e.browser_fixtures import BROWSER_DB, PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, BROWSER_DB]


def signed_in(context, user, language: str, base_url: str):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": base_url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url},
    ])
    return context.new_page()


def accept_with_keyboard(page, *, product_keys: list[str], sender: str, recipient: str, street: str, postcode: str):
    keyboard = page.keyboard
    expect(page.locator("#id_product")).to_be_focused()  # the first field, ready for the customer
    for key in product_keys:
        keyboard.press(key)
    expect(page.locator("#id_product")).to_have_value("registered")
    keyboard.press("Tab")
    expect(page.locator("#id_weight_g")).to_be_focused()
    keyboard.type("80")
    keyboard.press("Tab")  # declared value: none
    keyboard.press("Tab")  # payment: cash (default)
    keyboard.press("Tab")
    expect(page.locator("#id_sender_name")).to_be_focused()
    keyboard.type(sender)
    keyboard.press("Tab")
    keyboard.type("0550 12 34 56")
    keyboard.press("Tab")  # sender's address: none
    keyboard.press("Tab")
    expect(page.locator("#id_recipient_name")).to_be_focused()
    keyboard.type(recipient)
    keyboard.press("Tab")
    keyboard.type("0661 23 45 67")
    keyboard.press("Tab")
    keyboard.type(street)
    keyboard.press("Tab")
    expect(page.locator("#id_recipient_postcode")).to_be_focused()
    keyboard.type(postcode)
    keyboard.press("Enter")  # shows the price
    expect(page.locator("#quote-price")).to_be_visible()
    expect(page.locator("#confirm")).to_be_focused()
    assert not Item.objects.exists()  # nothing stored before the clerk confirms
    keyboard.press("Enter")  # accepts
    expect(page.locator("#accepted-number")).to_be_visible()
    expect(page.locator("#id_product")).to_be_focused()  # next customer
    return page.locator("#accepted-number").inner_text()


def test_a_clerk_accepts_an_item_with_the_keyboard_only_in_french(new_chromium_context, live_server, clerk,  # noqa: F811
                                                                  network, ranges):  # noqa: F811
    page = signed_in(new_chromium_context(locale="fr-FR"), clerk, "fr", live_server.url)
    page.goto("/post/counter/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # Products are listed by code (ems, parcel, registered): "L" jumps to "Lettre recommandée".
    number = accept_with_keyboard(page, product_keys=["L"], sender="Samir Ouali", recipient="Nadia Belkacem",
                                  street="12 rue Didouche Mourad", postcode=network["delivery"].commune.postal_code)
    item = Item.objects.get(number=number)
    assert item.accepted_office == network["counter"] and item.accepted_by == clerk
    assert str(item.price) == "180.00" and item.recipient_commune == network["delivery"].commune
    assert TrackingEvent.objects.filter(item=item, code="EMA", source="counter").exists()
    expect(page.locator("#accepted-price")).to_have_text(re.compile(r"180,00\s+DA"))
    expect(page.locator("#label-link")).to_have_attribute("accesskey", "l")
    expect(page.locator("#receipt-link")).to_have_attribute("href", f"/post/counter/{item.pk}/receipt.pdf")


def test_a_clerk_accepts_an_item_with_the_keyboard_only_in_arabic_on_a_phone(new_chromium_context, live_server,
                                                                             clerk, network, ranges):  # noqa: F811
    page = signed_in(new_chromium_context(phone=True, locale="ar-DZ"), clerk, "ar", live_server.url)
    page.goto("/post/counter/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    number = accept_with_keyboard(page, product_keys=["ArrowDown", "ArrowDown"], sender="سمير والي",
                                  recipient="نادية بلقاسم", street="12 شارع ديدوش مراد",
                                  postcode=network["delivery"].commune.postal_code)
    item = Item.objects.get(number=number)
    assert item.recipient_name == "نادية بلقاسم" and item.sender_name == "سمير والي"
    expect(page.locator("#accepted-price")).to_have_text(re.compile(r"180,00\s+دج"))
    # usable on a 360 px phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], width
