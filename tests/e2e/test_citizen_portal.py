"""The citizen portal in a real browser: submit a request on a phone in French, in Arabic (right to
left) and without JavaScript, then follow it with the reference and the phone number.

Selectors are ids, names and values (not labels), so the tests keep passing when the French and
Arabic translations arrive; what the citizen reads that does not depend on translations (reference,
phone number, article title, typed text, status badge) is asserted as text.
"""

import re

import pytest
from playwright.sync_api import expect

from bawaba.core.phones import display as display_phone
from bawaba.servicedesk.models import Channel, Request, Status
from tests.e2e.browser_fixtures import *  # noqa: F403
from tests.e2e.browser_fixtures import BROWSER_DB

pytestmark = [pytest.mark.browser, BROWSER_DB]

RECEIPT_URL = re.compile(r"/receipt/[0-9A-Z]{4}-[0-9A-Z]{4}/$")


@pytest.fixture
def article_internet_fr(orgs):
    """A published French help article that the description below matches."""
    from bawaba.knowledge.models import Article
    from bawaba.knowledge.services import do_save_article

    return do_save_article(Article(
        organisation=orgs["algerie-telecom"],
        language="fr",
        title="Internet ADSL coupé : les vérifications à faire",
        summary="Redémarrez le modem et vérifiez le voyant ADSL avant de signaler une coupure.",
        body="Éteignez le modem trente secondes. Si le voyant ADSL reste rouge, la ligne est en dérangement.",
        tags="internet, adsl, connexion, modem, coupure",
        is_published=True,
    ))


def fits_screen_width(page) -> bool:
    """No horizontal scrolling on the phone's screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_step_one(page, *, phone, subject, description, region=None):
    page.fill("#id_phone", phone)
    if region is not None:
        page.select_option("#id_region", value=str(region.pk))
    page.fill("#id_subject", subject)
    page.fill("#id_description", description)
    page.click('button[name="action"][value="continue"]')


def track(page, reference, phone):
    page.goto("/track/")
    page.fill("#id_reference", reference)
    page.fill("#id_phone", phone)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/track/{reference}/$"))


def test_citizen_submits_in_french_on_a_phone_and_follows_the_request(
    live_server, transactional_db, orgs, internet_rule, article_internet_fr, region_algiers,
    citizen_phone_page, new_chromium_context,
):
    page = citizen_phone_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert fits_screen_width(page)

    page.locator("main a.bigbutton.primary").click()  # "Submit a request"
    expect(page).to_have_url(re.compile(r"/submit/$"))
    expect(page.locator("#id_phone")).to_have_attribute("inputmode", "tel")
    assert fits_screen_width(page)
    fill_step_one(
        page, phone="0550 12 34 56", region=region_algiers,
        subject="Internet coupé depuis hier",
        description="Ma connexion ADSL est coupée depuis hier soir, le voyant du modem est rouge.",
    )

    # Step 2: the matching help article comes first, then the summary with the phone in E.164.
    suggestions = page.locator("section.suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("link", name=article_internet_fr.title)).to_be_visible()
    expect(page.locator("dl.summary")).to_contain_text("+213550123456")
    expect(page.locator("dl.summary")).to_contain_text("Internet coupé depuis hier")
    expect(page.locator("#id_commune")).to_be_visible()  # the communes of the chosen wilaya
    assert Request.objects.count() == 0  # nothing is sent before the citizen confirms
    page.click('button[name="action"][value="submit"]')  # "Submit my request anyway"

    expect(page).to_have_url(RECEIPT_URL)
    reference = page.locator("p.reference").inner_text().strip()
    expect(page.locator("section.receipt .ltr")).to_have_text(display_phone("+213550123456"))
    assert fits_screen_width(page)

    req = Request.objects.get()
    assert req.reference == reference
    assert req.citizen_phone == "+213550123456"
    assert req.channel == Channel.WEB
    assert req.language == "fr"
    assert req.region == region_algiers
    assert req.service.code == "algerie-telecom/faults"  # by the routing rule
    assert req.routing_method == "rule"

    # Later, on another phone (no session): reference + phone number, typed the way people type them.
    other = new_chromium_context(phone=True, locale="fr-DZ").new_page()
    track(other, reference, "0550123456")
    expect(other.locator("h1 .reference")).to_have_text(reference)
    expect(other.locator("dl.summary .badge")).to_have_class(re.compile(r"\bstatus-new\b"))
    expect(other.locator("dl.summary")).to_contain_text("Internet coupé depuis hier")
    expect(other.locator("ol.conversation")).to_contain_text("le voyant du modem est rouge")
    assert fits_screen_width(other)
    assert Request.objects.count() == 1


def test_citizen_submits_in_arabic_right_to_left(
    live_server, transactional_db, orgs, internet_rule, citizen_phone_page,
):
    page = citizen_phone_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    switcher = page.locator("form.lang")
    arabic = switcher.get_by_role("button", name=re.compile("^العربي"))  # Django's own name: العربيّة
    expect(arabic).to_have_attribute("value", "ar")
    arabic.click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator('form.lang button[value="ar"]')).to_have_attribute("aria-current", "true")

    page.locator("main a.bigbutton.primary").click()
    expect(page).to_have_url(re.compile(r"/submit/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # Wilaya names are shown in Arabic (they come from the database, not from translation files).
    expect(page.locator("#id_region option", has_text="الجزائر").first).to_be_attached()
    fill_step_one(
        page, phone="0661 22 33 44",
        subject="انقطاع الإنترنت منذ أمس",
        description="الإنترنت مقطوع في منزلي منذ أمس والهاتف الثابت لا يعمل أيضا.",
    )
    expect(page.locator("dl.summary")).to_contain_text("انقطاع الإنترنت منذ أمس")
    page.click('button[name="action"][value="submit"]')

    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    reference_box = page.locator("p.reference")
    expect(reference_box).to_have_attribute("dir", "ltr")  # the reference stays left to right
    reference = reference_box.inner_text().strip()

    req = Request.objects.get()
    assert req.reference == reference
    assert req.language == "ar"
    assert req.citizen_phone == "+213661223344"
    assert req.channel == Channel.WEB
    assert req.subject == "انقطاع الإنترنت منذ أمس"
    assert req.service.code == "algerie-telecom/faults"

    page.locator(f'a[href="/track/{reference}/"]').click()  # "Follow this request"
    expect(page.locator("ol.conversation .pre").first).to_have_attribute("dir", "auto")
    expect(page.locator("ol.conversation")).to_contain_text("الإنترنت مقطوع في منزلي")


def test_submit_flow_works_without_javascript(
    live_server, transactional_db, orgs, internet_rule, region_algiers, new_chromium_context,
):
    page = new_chromium_context(phone=True, java_script_enabled=False).new_page()
    page.goto("/")
    assert page.evaluate("1 + 1") == 2  # Playwright can still evaluate; the page's own scripts cannot run
    expect(page.locator("script")).to_have_count(0)
    page.locator("main a.bigbutton.primary").click()
    expect(page).to_have_url(re.compile(r"/submit/$"))

    # A mistake first: the server answers (no browser validation, no script) and keeps the text.
    fill_step_one(page, phone="12", subject="Internet lent", description="La connexion est très lente le soir.")
    expect(page.locator("#id_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_phone_error")).to_be_visible()
    expect(page.locator("#id_subject")).to_have_value("Internet lent")
    page.fill("#id_phone", "+213 550 45 67 89")
    page.select_option("#id_region", value=str(region_algiers.pk))
    page.click('button[name="action"][value="continue"]')

    # Step 2: the commune list comes from the server, limited to the chosen wilaya.
    communes = page.locator("#id_commune option")
    expect(communes.nth(1)).to_be_attached()
    region_communes = set(region_algiers.communes.values_list("pk", flat=True))
    offered = {int(value) for value in communes.evaluate_all("options => options.map(o => o.value)") if value}
    assert offered == region_communes
    commune = region_algiers.communes.order_by("name_fr").first()
    page.select_option("#id_commune", value=str(commune.pk))
    page.click('button[name="action"][value="submit"]')

    expect(page).to_have_url(RECEIPT_URL)
    reference = page.locator("p.reference").inner_text().strip()
    page.locator(f'a[href="/track/{reference}/"]').click()
    expect(page).to_have_url(re.compile(rf"/track/{reference}/$"))
    expect(page.locator("dl.summary .badge")).to_have_class(re.compile(r"\bstatus-new\b"))

    req = Request.objects.get()
    assert req.reference == reference
    assert req.citizen_phone == "+213550456789"
    assert req.commune == commune
    assert req.region == region_algiers
    assert req.status == Status.NEW
    assert req.channel == Channel.WEB

