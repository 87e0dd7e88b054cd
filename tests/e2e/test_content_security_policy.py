"""The Content-Security-Policy blocks nothing the pages need: no violation in Chromium on the main pages of
each module (portal, desk, fibre), whose scripts (htmx, Leaflet, the offline outbox) must all keep working."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bawaba.deployments.field import services as field_services
from bawaba.deployments.tests.factories import fibre_world, good_report

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile);
});
"""


@pytest.fixture
def csp_watch(context):
    """Returns a checker: no securitypolicyviolation event on the page and no CSP message in its console."""
    context.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    context.on("console", lambda message: console.append(message.text))

    def assert_no_violation(page):
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        blocked = [text for text in console if "Content Security Policy" in text or "Content-Security-Policy" in text]
        assert violations == [] and blocked == [], (violations, blocked)

    return assert_no_violation


@pytest.fixture
def fibre(orgs, at_supervisor, at_admin, at_agent):
    from bawaba.accounts.services import do_set_roles

    do_set_roles(at_agent, ["desk.agent", "fibre.viewer"])  # the operator's agent also follows the programme
    return fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)


def test_the_portal_and_the_desk_run_under_the_policy(live_server, page, at_agent, sign_in, csp_watch):
    page.goto(f"{live_server.url}/")
    csp_watch(page)
    page.goto(f"{live_server.url}/submit/")
    csp_watch(page)
    sign_in(at_agent)
    page.goto(f"{live_server.url}/desk/queue/")
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(2500)  # one htmx poll of the queue
    csp_watch(page)


def test_the_fibre_pages_run_under_the_policy(live_server, page, fibre, sign_in, csp_watch):
    field_services.do_submit_field_report(fibre.worker, fibre.work_order, **good_report(fibre, "SRV-01"))
    sign_in(fibre.operator_agent)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/fibre/dashboard/")
    expect(page.locator("#site-map path.leaflet-interactive, #site-map canvas")).not_to_have_count(0)
    csp_watch(page)
    sign_in(fibre.worker)
    page.goto(f"{live_server.url}/fibre/orders/{fibre.work_order.pk}/report/")
    expect(page.locator("#field-report")).to_be_visible()
    csp_watch(page)
    page.goto(f"{live_server.url}/fibre/statements/")
    csp_watch(page)


COUNT_EVAL_REFUSED = """
window.__evalRefused = 0;
document.addEventListener("htmx:evalDisallowedError", () => { window.__evalRefused += 1; });
"""
HIDE_PAGE = """
Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
document.dispatchEvent(new Event("visibilitychange"));
"""
SHOW_PAGE = """
Object.defineProperty(document, "visibilityState", {value: "visible", configurable: true});
document.dispatchEvent(new Event("visibilitychange"));
"""


def is_queue_poll(request) -> bool:
    return bool(request.headers.get("hx-request")) and "/desk/queue/" in request.url


def test_a_hidden_desk_polls_nothing_and_htmx_never_needs_eval(live_server, page, at_agent, sign_in):
    # The policy refuses eval, so no htmx feature that needs it may be used (htmx would silently ignore it, as it
    # ignored the queue's "while visible" filter until the desk's own handler replaced it).
    page.add_init_script(COUNT_EVAL_REFUSED)
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if is_queue_poll(request) else None)
    sign_in(at_agent)
    page.goto(f"{live_server.url}/desk/")
    expect(page.locator("#queue[data-poll-visible]")).to_be_visible()
    with page.expect_request(is_queue_poll, timeout=5000):
        pass  # a visible queue polls (every DESK_POLL_SECONDS, 2 s in the tests)

    page.evaluate(HIDE_PAGE)
    page.wait_for_timeout(300)  # a request already under way may still go
    polls.clear()
    page.wait_for_timeout(4500)  # two poll intervals and a margin
    assert polls == []  # (the phone bar still polls when hidden: it is the screen pop's fallback without push)

    page.evaluate(SHOW_PAGE)
    with page.expect_request(is_queue_poll, timeout=5000):
        pass
    assert page.evaluate("window.__evalRefused") == 0
