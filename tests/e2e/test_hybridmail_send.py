"""A ministry's mail office sends a letter from the web page (French, desktop) and follows it; the sender's
overview on a 360-px phone in Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bawaba.hybridmail.models import Letter, LetterState
from bawaba.hybridmail.tests.conftest import alger_commune, citizen, mail_products, mailbox, ministry, poste  # noqa: F401 - fixtures
from bawaba.hybridmail.tests.fixtures_send import sent_pdf
from tests.e2e.browser_fixtures import *  # noqa: F403 - Chromium fixtures (new_chromium_context...)
from tests.e2e.browser_fixtures import BROWSER_DB, PHONE_VIEWPORT
from tests.e2e.test_postal_counter import signed_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def sender(ministry, mail_products):  # noqa: F811
    from bawaba.accounts.models import User

    return User.objects.get(username="mf.sender")


def test_a_sender_sends_a_letter_and_downloads_its_proof_in_french(new_chromium_context, live_server, sender,
                                                                   mailbox):  # noqa: F811
    page = signed_in(new_chromium_context(locale="fr-FR"), sender, "fr", live_server.url)
    page.goto("/mail/send/letter/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.select_option("#id_product", "recommande")
    page.set_input_files("#id_pdf", {"name": "convocation.pdf", "mimeType": "application/pdf",
                                     "buffer": sent_pdf()})
    page.fill("#id_name", "Amina Benali")
    page.fill("#id_address", "12 rue Didouche Mourad")
    page.fill("#id_postcode", "16000")
    page.fill("#id_commune", "Alger Centre")
    page.fill("#id_nin", "109870123456789012")
    expect(page.locator("#id_name")).to_have_attribute("dir", "auto")
    page.click("#send")
    expect(page.locator("#batch-state")).to_have_text("Accepté")
    letter = Letter.objects.get()
    assert letter.state == LetterState.DEPOSITED and letter.mailbox == mailbox
    expect(page.locator("#letters")).to_contain_text("Dans la boîte")
    page.click(f"text={letter.reference}")
    expect(page.locator("#letter-state")).to_contain_text("Dans la boîte")
    with page.expect_download() as download:
        page.click("#proof-pdf")
    assert download.value.suggested_filename == f"proof-{letter.reference}.pdf"


def test_a_refused_letter_and_the_overview_on_an_arabic_phone(new_chromium_context, live_server, sender):
    page = signed_in(new_chromium_context(phone=True, locale="ar-DZ"), sender, "ar", live_server.url)
    page.goto("/mail/send/letter/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.select_option("#id_product", "lettre")
    page.set_input_files("#id_pdf", {"name": "a.pdf", "mimeType": "application/pdf",
                                     "buffer": sent_pdf(font="helvetica")})
    page.fill("#id_name", "Amina Benali")
    page.fill("#id_postcode", "16000")
    page.click("#send")
    expect(page.locator("#batch-state")).to_have_text("مرفوض")
    page.goto("/mail/send/")
    expect(page.locator("#costs")).to_be_visible()
    expect(page.locator(".refused")).to_contain_text("غير مضمّنة")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], width
