"""Hybrid mail, cyber-postes: a post-office manager on a 360-px phone, in French and in Arabic, sees the office's
terminals and sessions, adds a terminal, and the page fits the screen (screenshots under BAWABA_SCREENSHOTS)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bawaba.hybridmail import terminals
from bawaba.hybridmail.models import Terminal
from bawaba.hybridmail.tests.conftest import network, poste  # noqa: F401 - fixtures
from bawaba.postal.tests.conftest import _postal_staff, clerk  # noqa: F401 - fixtures
from tests.e2e.browser_fixtures import *  # noqa: F403 - Chromium fixtures (new_chromium_context...)
from tests.e2e.browser_fixtures import BROWSER_DB

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.mark.parametrize("language,direction", [("fr", "ltr"), ("ar", "rtl")])
def test_a_manager_follows_the_cyber_postes_on_a_phone(new_chromium_context, live_server, poste, network,  # noqa: F811
                                                       clerk, language, direction):  # noqa: F811
    from django.conf import settings
    from django.test import Client
    from django.utils import translation

    with translation.override(language):
        title = translation.gettext("Cyber-postes")
    assert title != "Cyber-postes" or language == "fr"

    manager = _postal_staff(poste, "poste.manager", ["hybridmail.office_manager"], office=network["counter"])
    terminal = Terminal.objects.create(office=network["counter"], label="Poste 1")
    start = timezone.now() - dt.timedelta(hours=2)
    session = terminals.book(clerk, network["counter"], terminal_id=terminal.pk, citizen_name="Yacine Haddad",
                             starts_at=timezone.now() + dt.timedelta(minutes=5), minutes=60)
    terminals.start(clerk, network["counter"], session.pk, now=start)
    terminals.end(clerk, network["counter"], session.pk, now=start + dt.timedelta(minutes=40))
    client = Client()
    client.force_login(manager)
    context = new_chromium_context(locale=language, phone=True)
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    day = timezone.localdate(session.starts_at).isoformat()  # the session's own day, whatever the hour now
    page.goto(f"{live_server.url}/mail/offices/terminals/?since={day}&until={day}")
    expect(page.locator("h1")).to_have_text(title)
    assert page.locator("html").get_attribute("dir") == direction
    expect(page.locator("#sessions")).to_contain_text("Yacine Haddad")
    expect(page.locator("#sessions")).to_contain_text("40")
    # The clerk's start and end of the session are in the audit trail, with who did it (mailgaps).
    with translation.override(language):
        started, ended = translation.gettext("Session started"), translation.gettext("Session ended")
    assert started != "Session started" or language == "en"
    expect(page.locator("#terminal-events")).to_contain_text(started)
    expect(page.locator("#terminal-events")).to_contain_text(ended)
    expect(page.locator("#terminal-events")).to_contain_text(clerk.username)
    page.fill("#label", "Poste 2")
    page.locator("form[action$='/add/'] button[type=submit]").click()
    expect(page.locator("#terminals")).to_contain_text("Poste 2")
    # Phone-friendly: nothing wider than the screen but the tables' own scrolling boxes.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, overflow
    folder = os.environ.get("BAWABA_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"terminals-{language}.png"), full_page=True)
