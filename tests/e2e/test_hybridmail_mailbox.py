"""Hybrid mail, the recipient's side: a citizen opens a letter from the SMS link on a 360-px phone in Arabic
(sign-in by SMS code first), and a post-office clerk assists a citizen in French on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bawaba.hybridmail.models import AssistedAct, LetterState
from bawaba.hybridmail.tests.conftest import (  # noqa: F401 - fixtures
    alger_commune,
    citizen,
    clerk,
    deposited,
    mail_products,
    mailbox,
    make_letter,
    ministry,
    network,
    poste,
)
from bawaba.hybridmail.tests.fixtures_mailbox import last_code
from tests.e2e.browser_fixtures import *  # noqa: F403 - Chromium fixtures (new_chromium_context...)
from tests.e2e.browser_fixtures import BROWSER_DB, PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, BROWSER_DB]


def _with_language(context, language, base_url):
    from django.conf import settings

    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}])
    return context.new_page()


def test_a_recipient_opens_a_letter_from_the_sms_link_on_an_arabic_phone(new_chromium_context, live_server,
                                                                          deposited, mailbox):  # noqa: F811
    page = _with_language(new_chromium_context(phone=True, locale="ar-DZ"), "ar", live_server.url)
    received = []
    page.on("response", lambda response: received.append(response))
    page.goto(f"{live_server.url}/mail/box/l/{deposited.reference}/")  # the link of the SMS
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.fill("#id_phone", "0661 23 45 67")
    page.locator("main form button[type=submit]").click()
    page.fill("#id_code", last_code(mailbox.phone))
    received.clear()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(deposited.subject)
    deposited.refresh_from_db()
    assert deposited.state == LetterState.OPENED
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert page.locator("script").count() == 0
    # Light: the letter page and everything it loads (HTML, CSS) in a few kilobytes.
    weight = page.evaluate("performance.getEntriesByType('navigation')[0].encodedBodySize + performance"
                           ".getEntriesByType('resource').reduce((sum, r) => sum + r.encodedBodySize, 0)")
    assert weight < 30_000, weight
    print(f"\nletter page weight on the phone: {weight} bytes")  # noqa: T201 - the figure docs/ cite


def test_a_clerk_checks_an_id_and_shows_the_citizens_letters(new_chromium_context, live_server, clerk,  # noqa: F811
                                                              deposited):  # noqa: F811
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(clerk)
    context = new_chromium_context(locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME]
                          .value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/mail/assist/")
    page.select_option("#document", "cni")
    page.fill("#document_number", "AB123456")
    page.fill("#nin", "109870123456789012")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Amina Benali")
    expect(page.locator("main table")).to_contain_text(deposited.subject)
    with context.expect_page() as shown:
        page.locator(f"a[href='/mail/assist/citizen/l/{deposited.reference}/']").click()
    shown.value.wait_for_load_state()
    act = AssistedAct.objects.get(kind="show", letter=deposited)
    assert act.clerk == clerk and act.id_document == "cni …3456"
    deposited.refresh_from_db()
    assert deposited.state == LetterState.OPENED
