"""Accessibility: every citizen page and the main staff pages pass axe-core (WCAG 2.1 A and AA rules)
with no "serious" or "critical" violation, in French and in Arabic (right to left), and the citizen
pages on a phone's screen too.

axe-core is the engine browsers' accessibility tools use; its `axe.min.js` is vendored in
tests/e2e/vendor/axe-core/ (package, version, licence and how to update it in the README there) and
injected into each page once the page has loaded. Each test walks one set of pages in one browser
session (one language, one screen size) and reports every page's violations at once, with the rule,
what it asks for and where (the first elements' selectors).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.browser_fixtures import *  # noqa: F403
from tests.e2e.browser_fixtures import BROWSER_DB

pytestmark = [pytest.mark.browser, BROWSER_DB]

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The WCAG 2.0 and 2.1 success criteria of levels A and AA (axe-core's tags for them).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
NODES_SHOWN = 3

LANGUAGES = {"fr": "fr-DZ", "ar": "ar-DZ"}


# --- axe-core -----------------------------------------------------------------------------------------

def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of WCAG 2.1 A/AA rules."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            // axe-core takes a text for an icon font's ligature when the word drawn differs from its first
            // letter drawn alone, which joined Arabic letters always do: it would then skip the colour
            // contrast of every text of the page. The pages use no icon font: no font draws icons.
            axe._cache.set("fonts", new Proxy({}, {
                get: (fonts, family) => (fonts[family] ??= {occurrences: 3, numLigatures: 0}),
            }));
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.map(String).join(" "), summary: n.failureSummary})),
            }));
        }""",
        WCAG_21_AA,
    )


class AxeReport:
    """The serious and critical violations of every page checked in one test, reported together: one entry
    per rule and place, with the pages where it occurs (a fault of a shared template shows once)."""

    def __init__(self, label: str):
        self.label = label
        self.pages: list[str] = []
        self.found: dict[tuple[str, str], dict] = {}

    def check(self, page, name: str) -> None:
        self.pages.append(f"{name} ({page.url})")
        for violation in axe_violations(page):
            if violation["impact"] not in FAILING_IMPACTS:
                continue
            nodes = violation["nodes"]
            where = "; ".join(node["target"] for node in nodes[:NODES_SHOWN])
            if len(nodes) > NODES_SHOWN:
                where += f" (+{len(nodes) - NODES_SHOWN} more)"
            entry = self.found.setdefault((violation["id"], where), {
                "violation": violation, "where": where, "pages": [],
                "why": " ".join((nodes[0]["summary"] or "").split()) if nodes else "",
            })
            entry["pages"].append(name)

    def assert_clean(self) -> None:
        assert self.pages, "no page was checked"
        lines = [
            f"- {e['violation']['id']} ({e['violation']['impact']}): {e['violation']['help']}\n"
            f"    at: {e['where']}\n    on: {', '.join(e['pages'])}\n    {e['why']}"
            for e in self.found.values()
        ]
        assert not lines, (
            f"axe-core {self.label}: serious or critical WCAG 2.1 A/AA violations "
            f"(pages checked: {', '.join(self.pages)}):\n" + "\n".join(lines)
        )


def browser_session(new_chromium_context, language: str, *, phone: bool = False):
    """A browser session in `language` (the browser's Accept-Language), CSP bypassed so that the test can
    inject axe-core whatever policy the pages send."""
    context = new_chromium_context(phone=phone, locale=LANGUAGES[language], bypass_csp=True)
    return context.new_page()


def expect_language(page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


def sign_in(page, live_server, user) -> None:
    """Put a session of `user` in the page's browser session (the sign-in form is checked on its own)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


# --- data ---------------------------------------------------------------------------------------------

@pytest.fixture
def help_articles(orgs):
    """A published help article in each language, so that search results and an article page exist."""
    from bawaba.knowledge.models import Article
    from bawaba.knowledge.services import do_save_article

    return {
        "fr": do_save_article(Article(
            organisation=orgs["algerie-telecom"], language="fr", is_published=True,
            title="Internet ADSL coupé : les vérifications à faire",
            summary="Redémarrez le modem et vérifiez le voyant ADSL avant de signaler une coupure.",
            body="Éteignez le modem trente secondes. Si le voyant ADSL reste rouge, la ligne est en dérangement.",
            tags="internet, adsl, modem")),
        "ar": do_save_article(Article(
            organisation=orgs["algerie-telecom"], language="ar", is_published=True,
            title="انقطاع الانترنت: ما يجب التحقق منه",
            summary="أعد تشغيل المودم وتحقق من ضوء ADSL قبل الإبلاغ عن انقطاع.",
            body="أطفئ المودم ثلاثين ثانية. إذا بقي ضوء ADSL أحمر فالخط معطل.",
            tags="انترنت, مودم")),
    }


@pytest.fixture
def fibre(orgs, at_supervisor, at_admin, at_agent):
    """The fibre programme with a report waiting for the inspector and an issued statement."""
    from bawaba.accounts.services import do_set_roles
    from bawaba.deployments.billing import statements as billing_statements
    from bawaba.deployments.field import services as field_services
    from bawaba.deployments.tests.factories import accepted_line, fibre_world, good_report, make_photo

    do_set_roles(at_agent, ["desk.agent", "fibre.viewer"])  # the operator's agent also follows the programme
    world = fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)
    # 70 m from the planned site (tolerance 50 m): the item waits for an inspector.
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(
        world, "ONT-01", latitude=str(world.site.latitude + Decimal("0.00063")),
        photos=[make_photo(taken_at=timezone.now() - dt.timedelta(minutes=30)) for _ in range(2)]))
    accepted_line(world, "GC-01", 40, dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC))
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), None,
                                now=dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC))
    return world


# --- citizen pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_citizen_pages_have_no_serious_accessibility_violation(
    language, phone, live_server, orgs, internet_rule, region_algiers, help_articles, at_agent,
    new_chromium_context,
):
    from bawaba.servicedesk.models import Request
    from bawaba.servicedesk.services import do_reply

    page = browser_session(new_chromium_context, language, phone=phone)
    report = AxeReport(f"citizen pages, {language}, {'phone' if phone else 'desktop'}")

    page.goto("/")
    expect_language(page, language)
    report.check(page, "portal home")

    page.goto("/submit/")
    report.check(page, "submit: step 1")
    page.click('button[name="action"][value="continue"]')  # nothing filled in: the server's messages
    expect(page.locator("#id_phone")).to_have_attribute("aria-invalid", "true")
    report.check(page, "submit: step 1 with errors")

    page.fill("#id_phone", "0550 12 34 56")
    page.select_option("#id_region", value=str(region_algiers.pk))
    page.fill("#id_subject", "Internet coupé depuis hier")
    page.fill("#id_description", "Ma connexion ADSL est coupée depuis hier soir, le voyant du modem est rouge.")
    page.click('button[name="action"][value="continue"]')
    expect(page.locator('button[name="action"][value="submit"]')).to_be_visible()
    report.check(page, "submit: step 2 (confirmation)")
    page.click('button[name="action"][value="submit"]')
    expect(page.locator("p.reference")).to_be_visible()
    report.check(page, "receipt")

    # The same question again: this time the suggested help article answers it.
    page.goto("/submit/")
    page.fill("#id_phone", "0550 12 34 56")
    page.select_option("#id_region", value=str(region_algiers.pk))
    page.fill("#id_subject", "Internet coupé depuis hier")
    page.fill("#id_description", "Ma connexion ADSL est coupée depuis hier soir, le voyant du modem est rouge.")
    page.click('button[name="action"][value="continue"]')
    page.click('button[name="action"][value="answered"]')
    expect(page.locator('button[name="action"]')).to_have_count(0)
    report.check(page, "submit: answered by the help article")

    req = Request.objects.get()
    do_reply(req, "Bonjour, un technicien passera demain matin. / سيمر تقني صباح الغد.", actor=at_agent)
    page.goto(f"/track/{req.reference}/")
    expect(page.locator("ol.conversation")).to_contain_text("technicien")
    report.check(page, "request status (tracked)")

    page.goto("/track/")
    report.check(page, "track: form")
    page.fill("#id_reference", "ZZZZ-ZZZZ")
    page.fill("#id_phone", "0550 99 99 99")
    page.click("main form button[type=submit]")
    expect(page.locator("#id_reference")).to_be_visible()
    report.check(page, "track: not found")

    page.goto("/kb/")
    report.check(page, "help: index")
    page.goto("/kb/?q=modem")
    report.check(page, "help: search results")
    page.goto(help_articles[language].get_absolute_url())
    report.check(page, "help: article")

    page.goto("/accounts/login/")
    report.check(page, "sign-in")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong password")
    page.click("main form button[type=submit]")
    expect(page.locator("#id_username")).to_be_visible()
    report.check(page, "sign-in: wrong password")

    response = page.goto("/no-such-page/")
    assert response.status == 404
    report.check(page, "404")

    report.assert_clean()


# --- staff pages --------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["fr", "ar"])
def test_desk_pages_have_no_serious_accessibility_violation(
    language, live_server, orgs, at_agent, at_supervisor, make_request, new_chromium_context,
):
    from bawaba.servicedesk.services import do_assign, do_reply

    req = make_request()
    make_request(subject="Pas de tonalité", text="La ligne fixe n'a plus de tonalité depuis ce matin.")
    do_assign(req, at_agent, actor=at_agent)
    do_reply(req, "Bonjour, pouvez-vous redémarrer le modem ?", actor=at_agent, wait_for_citizen=True)
    report = AxeReport(f"desk pages, {language}")

    page = browser_session(new_chromium_context, language)
    sign_in(page, live_server, at_agent)
    page.goto("/desk/")
    expect_language(page, language)
    expect(page.locator("#queue")).to_contain_text(req.reference)
    report.check(page, "agent queue")
    page.goto(f"/desk/r/{req.reference}/")
    report.check(page, "request page")
    page.goto("/desk/call/")
    report.check(page, "phone call (new request)")
    page.goto("/desk/notifications/")
    report.check(page, "notifications")

    supervisor = browser_session(new_chromium_context, language)
    sign_in(supervisor, live_server, at_supervisor)
    supervisor.goto("/desk/dashboard/")
    expect(supervisor.locator("#chart-per-channel svg")).to_be_visible()
    report.check(supervisor, "supervisor dashboard")

    report.assert_clean()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_fibre_pages_have_no_serious_accessibility_violation(
    language, live_server, fibre, new_chromium_context,
):
    from bawaba.deployments.models import PaymentStatement

    report = AxeReport(f"fibre pages, {language}")

    contractor = browser_session(new_chromium_context, language)
    sign_in(contractor, live_server, fibre.worker)
    contractor.goto("/fibre/orders/")
    expect_language(contractor, language)
    expect(contractor.locator("main")).to_contain_text(fibre.work_order.reference)
    report.check(contractor, "contractor: work orders")
    contractor.goto(f"/fibre/orders/{fibre.work_order.pk}/")
    report.check(contractor, "contractor: work order")
    contractor.goto(f"/fibre/orders/{fibre.work_order.pk}/report/")
    expect(contractor.locator("#field-report")).to_be_visible()
    report.check(contractor, "contractor: field report form")

    inspector = browser_session(new_chromium_context, language)
    sign_in(inspector, live_server, fibre.inspector)
    inspector.goto("/fibre/inspections/")
    expect(inspector.locator("[id^=inspection-]")).to_have_count(1)
    report.check(inspector, "inspector queue")

    billing = browser_session(new_chromium_context, language)
    sign_in(billing, live_server, fibre.billing_admin)
    billing.goto("/fibre/statements/")
    expect(billing.locator("main")).to_contain_text(PaymentStatement.objects.get().number)
    report.check(billing, "billing: statements")
    billing.goto(f"/fibre/statements/{PaymentStatement.objects.get().pk}/")
    report.check(billing, "billing: a statement")

    operator = browser_session(new_chromium_context, language)
    sign_in(operator, live_server, fibre.operator_agent)
    operator.goto("/fibre/dashboard/")
    expect(operator.locator("main")).to_contain_text("FTTH 2027" if language == "fr" else "الألياف 2027")
    report.check(operator, "operator: programme dashboard")

    report.assert_clean()
