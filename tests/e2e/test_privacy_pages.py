"""The personal-data pages in a real browser: an organisation admin answers a citizen's access request in
French on a desktop; the register and the access log in Arabic on a 360-px phone, right to left, within the
screen, with no serious axe-core (WCAG 2.1 A/AA) violation (CSP bypassed to inject axe)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser_fixtures import *  # noqa: F403 - Chromium fixtures (new_chromium_context...)
from tests.e2e.browser_fixtures import BROWSER_DB, PHONE_VIEWPORT
from tests.e2e.test_accessibility import AxeReport

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


def test_an_admin_answers_an_access_request_in_french(new_chromium_context, live_server, at_admin, make_request):
    request = make_request(citizen_name="Samir Ould")
    page = signed_in(new_chromium_context(locale="fr-FR", bypass_csp=True), at_admin, "fr", live_server.url)
    page.goto(live_server.url + "/privacy/requests/")
    expect(page.locator("h1")).to_have_text("Demandes des citoyens sur leurs données")
    report = AxeReport("privacy pages, French desktop")
    report.check(page, "data requests")
    page.select_option("#id_identifier_kind", "phone")
    page.fill("#id_identifier", "0550 12 34 56")
    page.select_option("#id_document_type", "id_card")
    page.fill("#id_document_last_digits", "4821")
    page.check("#id_identity_checked")
    page.click("#subject-form button[type=submit]")
    expect(page.locator("main")).to_contain_text(request.reference)
    expect(page.locator("#export-json")).to_be_visible()
    report.check(page, "citizen's data")
    report.assert_clean()
    with page.expect_download() as download:
        page.click("#export-html")
    assert download.value.suggested_filename.endswith(".html")


def test_register_and_access_log_in_arabic_on_a_phone(new_chromium_context, live_server, at_admin):
    page = signed_in(new_chromium_context(phone=True, locale="ar-DZ", bypass_csp=True), at_admin, "ar", live_server.url)
    report = AxeReport("privacy pages, Arabic phone")
    for path, title in (("/privacy/register/", "سجل المعالجات"), ("/privacy/access-log/", "سجل الوصول إلى البيانات")):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_text(title)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
        report.check(page, path)
    report.assert_clean()
