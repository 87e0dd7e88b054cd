"""A letter whose address was read by OCR, refused, on a sender's 360-px phone in Arabic: the badge is visible and
the letter page does not scroll sideways (what only a browser shows)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bawaba.hybridmail import window
from bawaba.hybridmail.models import Letter, LetterState
from bawaba.hybridmail.tests.conftest import alger_commune, mail_products, ministry, poste  # noqa: F401 - fixtures
from bawaba.hybridmail.tests.test_mailfix_counter_checks import scanned_pdf
from tests.e2e.browser_fixtures import *  # noqa: F403 - Chromium fixtures (new_chromium_context...)
from tests.e2e.browser_fixtures import BROWSER_DB, PHONE_VIEWPORT
from tests.e2e.test_hybridmail_send import sender  # noqa: F401 - fixture
from tests.e2e.test_postal_counter import signed_in

pytestmark = [pytest.mark.browser, BROWSER_DB,
              pytest.mark.skipif(not window.ocr_available(), reason="tesseract or pdftoppm not installed")]


def test_an_ocr_read_address_is_flagged_on_an_arabic_phone(new_chromium_context, live_server, sender):  # noqa: F811
    page = signed_in(new_chromium_context(phone=True, locale="ar-DZ"), sender, "ar", live_server.url)
    page.goto("/mail/send/letter/")
    page.select_option("#id_product", "lettre")
    page.set_input_files("#id_pdf", {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": scanned_pdf(
        ("Karim Haddad", "12 rue Didouche Mourad", "16000 Alger Centre"))})
    page.fill("#id_name", "Amina Benali")
    page.fill("#id_postcode", "16000")
    page.click("#send")
    expect(page.locator("#batch-state")).to_have_text("مرفوض")
    letter = Letter.objects.get()
    assert letter.state == LetterState.REFUSED and letter.ocr_confidence is not None
    page.goto(f"/mail/send/letters/{letter.reference}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    badge = page.locator("#ocr-notice .badge.ocr")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("عنوان مقروء بالتعرف الضوئي")
    expect(page.locator(".window-text")).to_contain_text("Karim Haddad")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], width
