"""A print centre's operator on the run pages: a desktop in French (download the run's PDF, scan a sheet's code)
and a quick check on a 360-px phone in Arabic (right to left, nothing wider than the screen)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bawaba.hybridmail.tests.conftest import (  # noqa: F401
    alger_centre,
    alger_commune,
    mail_products,
    make_letter,
    ministry,
    network,
    poste,
    products,
)
from bawaba.hybridmail.tests.fixtures_print import paper_letters, print_setup, printer  # noqa: F401
from tests.e2e.browser_fixtures import (  # noqa: F401
    BROWSER_DB,
    _e2e_clean_cache,
    _e2e_reference_geography,
    chromium_browser,
    new_chromium_context,
)

pytestmark = [pytest.mark.browser, BROWSER_DB]


@pytest.fixture
def run(paper_letters):  # noqa: F811
    from bawaba.hybridmail import runs

    return runs.build_runs().runs[0]


def _signed_in(context, live_server, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


def test_print_operator_downloads_a_run_and_scans_a_sheet(live_server, new_chromium_context, run, printer):  # noqa: F811
    page = _signed_in(new_chromium_context(locale="fr-FR"), live_server, printer)
    page.goto("/mail/print/")
    page.click(f"text={run.number}")
    expect(page.locator("#pieces tbody tr")).to_have_count(3)
    with page.expect_download() as download:
        page.click("#download-pdf")
    assert download.value.suggested_filename == f"{run.number}.pdf"
    page.goto("/mail/print/")
    page.fill("#r-code", f"{run.number}|1|1/2")
    page.check("input[name=state][value=handed]")
    page.click("#scan-form button[type=submit]")
    expect(page.locator("#runs")).to_contain_text(run.number)
    piece = run.piece_set.get(sequence=1)
    assert piece.state == "handed" and piece.letter.state == "posted"


def test_run_page_on_a_phone_in_arabic(live_server, new_chromium_context, run, printer):  # noqa: F811
    page = _signed_in(new_chromium_context(phone=True, locale="ar-DZ"), live_server, printer)
    page.goto(f"/mail/print/runs/{run.number}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#pieces tbody tr")).to_have_count(3)
    expect(page.locator("#download-pdf")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # tables scroll inside their box
    page.goto("/mail/print/")
    expect(page.locator("#r-code")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
