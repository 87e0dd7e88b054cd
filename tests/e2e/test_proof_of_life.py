"""Proof of life in Debian's Chromium: a pensioner on a phone (French, then Arabic) proves with the front camera fed
by Chromium's fake video capture, and a reviewer of the fund decides a doubtful attempt.

The camera clip is made by the engine's own generator (bawaba/lifeproof/biometrics/make_clips.py) from a shipped
public-domain portrait: neutral, then the three movements in one order, looping. The clip cannot follow a random
order, so the server's random source is fixed to that order for these tests (the only thing replaced; the capture,
the upload, the engine and the policy run for real).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.browser_fixtures import *  # noqa: F403
from tests.e2e.browser_fixtures import BROWSER_DB, CHROMIUM_ARGS, CHROMIUM_PATH, PASSWORD, login

pytestmark = [pytest.mark.browser, BROWSER_DB]
ORDER = ("turn_left", "blink", "turn_right")


@pytest.fixture(scope="module")
def chromium_browser(playwright, tmp_path_factory):
    """Chromium whose camera plays the engine's clip (overrides browser_fixtures' browser in this module)."""
    import os

    from bawaba.lifeproof.biometrics.make_clips import DEFAULT_PORTRAIT, portrait, write_y4m

    if not os.path.exists(CHROMIUM_PATH):
        pytest.skip(f"Chromium not found at {CHROMIUM_PATH}")
    clip = write_y4m(tmp_path_factory.mktemp("camera") / "proof.y4m", ORDER, fps=10, seconds=6.0,
                     image_bytes=portrait(DEFAULT_PORTRAIT))  # the face the pensioners are enrolled with
    browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}"])
    yield browser
    browser.close()


@pytest.fixture
def fixed_order(monkeypatch):
    from bawaba.lifeproof import engine

    monkeypatch.setattr(engine, "new_challenge", lambda: ORDER)


@pytest.fixture
def campaign_world(orgs):
    from bawaba.lifeproof.biometrics.make_clips import DEFAULT_PORTRAIT
    from bawaba.lifeproof.demo import onboard_funds
    from bawaba.lifeproof.proofs import do_create_campaign
    from bawaba.lifeproof.tests.conftest import enrol

    funds = onboard_funds(password=PASSWORD)
    enrol(funds["cnr"], number="100001", national_id="109850000000000001", language="fr", name=DEFAULT_PORTRAIT)
    enrol(funds["cnr"], number="100002", national_id="109850000000000002", language="ar", phone="+213550100002",
          name=DEFAULT_PORTRAIT)
    today = timezone.localdate()
    campaign = do_create_campaign(organisation=funds["cnr"], period="2027", opens_on=today - dt.timedelta(days=1),
                                  due_on=today + dt.timedelta(days=30))
    return {o.pensioner.pension_number: o for o in campaign.obligations.select_related("pensioner")}


def _prove(page, obligation, *, start_label, done_label):
    from bawaba.lifeproof.links import token_for

    page.goto(f"/v/{token_for(obligation.code)}")
    expect(page.locator("#lp-start")).to_have_text(start_label)
    page.check("#lp-agree")
    page.click("#lp-start")
    expect(page.locator("#lp-video")).to_be_visible()
    expect(page.locator("#lp-done")).to_contain_text(done_label, timeout=40_000)
    return page


def test_a_pensioner_proves_on_a_phone_in_french_then_another_in_arabic(new_chromium_context, campaign_world,
                                                                        fixed_order, live_server):
    from bawaba.lifeproof.models import Attempt, Certificate

    context = new_chromium_context(phone=True, locale="fr-DZ", permissions=["camera"])
    page = context.new_page()
    _prove(page, campaign_world["100001"], start_label="Commencer", done_label="Votre preuve de vie est faite.")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on the phone
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 1
    with page.expect_download() as download:
        page.click("#lp-certificate")
    assert download.value.suggested_filename.startswith("certificat-de-vie-")
    attempt = Attempt.objects.get(obligation=campaign_world["100001"])
    assert attempt.status == "accepted" and attempt.frame_count >= 12 and attempt.challenge.steps == list(ORDER)

    arabic = new_chromium_context(phone=True, locale="ar-DZ", permissions=["camera"]).new_page()
    arabic.goto("/")
    arabic.click("form.lang button[value=ar]")
    _prove(arabic, campaign_world["100002"], start_label="ابدأ", done_label="تم إثبات حياتك.")
    assert arabic.evaluate("document.documentElement.dir") == "rtl"
    assert Certificate.objects.count() == 2


def test_a_reviewer_accepts_a_doubtful_attempt_with_the_photos_side_by_side(new_chromium_context, campaign_world):
    from bawaba.lifeproof.models import Attempt, Obligation, Outcome
    from bawaba.lifeproof.proofs import do_issue_challenge, do_submit_attempt
    from bawaba.lifeproof.tests.conftest import performed

    obligation = campaign_world["100001"]
    challenge = do_issue_challenge(obligation, consent=True)
    attempt = do_submit_attempt(challenge.token, performed(challenge.steps))
    Attempt.objects.filter(pk=attempt.pk).update(status=Outcome.REVIEW, reasons=["weak_match"],
                                                 decided_at=timezone.now())
    page = new_chromium_context(locale="fr-FR").new_page()
    login(page, "cnr.reviewer")
    page.click("#nav-proofs")
    page.click("a.lp-open")
    expect(page.locator("#lp-reasons")).to_contain_text("La ressemblance avec la photo de référence est incertaine")
    expect(page.locator("#lp-reference")).to_be_visible()
    page.wait_for_function("document.getElementById('lp-reference').naturalWidth > 0")  # served by the audited view
    page.locator("img.lp-frame").first.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.lp-frame').naturalWidth > 0")
    page.check("input[name=decision][value=accept]")
    page.fill("textarea[name=reason]", "Même visage, lumière faible")
    page.click("#lp-decide")
    expect(page.locator("#lp-queue-empty")).to_be_visible()
    assert re.search(r"/lifeproof/$", page.url)
    assert Obligation.objects.get(pk=obligation.pk).status == "proved"
