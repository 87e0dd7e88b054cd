"""The agent desk in a real browser: the live queue, handling a request with the citizen answering
from the portal, a phone call taken with the keyboard only, access between operators, the dashboard.

Selectors are the stable hooks of docs/desk.md (ids and data attributes), so the tests do not
depend on translations.
"""

import re

import pytest
from playwright.sync_api import expect

from bawaba.core.phones import display as display_phone
from bawaba.servicedesk.models import Channel, MessageKind, Request, RequestEvent, Status
from tests.e2e.browser_fixtures import *  # noqa: F403
from tests.e2e.browser_fixtures import BROWSER_DB, login, path_of

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_agent_sees_new_request_live_and_handles_it_with_the_citizen(
    live_server, transactional_db, at_agent, make_request, new_chromium_context,
):
    agent = new_chromium_context().new_page()
    login(agent, "at.agent")
    assert path_of(agent) == "/desk/"
    expect(agent.locator("#queue")).to_be_visible()
    expect(agent.locator("#queue tr[data-reference]")).to_have_count(0)

    # A request arrives while the agent looks at the queue: it appears without a reload.
    navigations = []
    agent.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == agent.main_frame else None)
    agent.evaluate("window.__sameDocument = true")
    req = make_request(
        citizen_phone="0661 23 45 67", subject="Ligne fixe muette",
        text="Plus de tonalité sur ma ligne fixe depuis ce matin.",
    )
    row = agent.locator(f'#queue tr[data-reference="{req.reference}"]')
    # At the next poll: at most DESK_POLL_SECONDS (2 s) plus a round trip; 1 s of margin for a loaded test machine.
    expect(row).to_be_visible(timeout=3000)
    expect(row).to_contain_text("Ligne fixe muette")
    assert navigations == []
    assert agent.evaluate("window.__sameDocument") is True  # a reload would have cleared it
    expect(agent.locator("#queue tr[data-reference]")).to_have_count(1)

    # Open it, take it, answer and wait for the citizen.
    agent.click(f"#open-{req.reference}")
    expect(agent.locator("#request")).to_have_attribute("data-reference", req.reference)
    expect(agent.locator("#citizen-phone")).to_have_text(display_phone("+213661234567"))
    agent.click("#assign-me")
    expect(agent.locator("#request-assignee")).to_have_text("Amina Bensalah")
    expect(agent.locator("#assign-me")).to_have_count(0)
    reply = "Bonjour, pouvez-vous nous donner le numéro de votre ligne fixe ?"
    agent.fill("#reply-body", reply)
    agent.check("#reply-wait_for_citizen")
    agent.click("#send-reply")
    expect(agent.locator("#request")).to_have_attribute("data-status", Status.WAITING)
    expect(agent.locator("#request-status")).to_have_class(re.compile(r"\bstatus-waiting\b"))
    expect(agent.locator('#messages article[data-kind="reply"]')).to_contain_text(reply)
    req.refresh_from_db()
    assert req.status == Status.WAITING
    assert req.assignee == at_agent
    assert req.sla_paused_at is not None

    # The citizen, on their phone, finds the answer and replies.
    citizen = new_chromium_context(phone=True, locale="fr-DZ").new_page()
    citizen.goto("/track/")
    citizen.fill("#id_reference", req.reference.lower().replace("-", " "))  # typed loosely
    citizen.fill("#id_phone", "0661234567")
    citizen.click("main form button[type=submit]")
    expect(citizen).to_have_url(re.compile(rf"/track/{req.reference}/$"))
    expect(citizen.locator("div.waiting")).to_be_visible()
    expect(citizen.locator("dl.summary .badge")).to_have_class(re.compile(r"\bstatus-waiting\b"))
    expect(citizen.locator("ol.conversation li.from-staff")).to_contain_text(reply)
    expect(citizen.locator("ol.conversation li.from-staff .meta")).to_contain_text(req.organisation.name)
    answer = "Mon numéro de ligne est le 021 23 45 67."
    citizen.fill("#id_body", answer)
    citizen.click("#reply button[type=submit]")
    expect(citizen.locator("ol.conversation li.from-citizen").last).to_contain_text(answer)
    expect(citizen.locator("dl.summary .badge")).to_have_class(re.compile(r"\bstatus-in_progress\b"))
    expect(citizen.locator("div.waiting")).to_have_count(0)

    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS
    assert req.sla_paused_at is None
    assert list(req.messages.values_list("kind", "body")) == [
        (MessageKind.PUBLIC_REPLY, reply), (MessageKind.CITIZEN, answer),
    ]

    # Back on the desk: after a reload the request is in progress and the history tells every step.
    agent.reload()
    expect(agent.locator("#request")).to_have_attribute("data-status", Status.IN_PROGRESS)
    expect(agent.locator('#messages article[data-kind="citizen"]')).to_contain_text(answer)
    expected_kinds = list(RequestEvent.objects.filter(request=req).order_by("at", "id").values_list("kind", flat=True))
    shown = agent.locator("#history li[data-kind]")
    expect(shown).to_have_count(len(expected_kinds))
    assert [li.get_attribute("data-kind") for li in shown.all()] == expected_kinds
    for kind in ("created", "assigned", "replied", "citizen_message"):
        assert kind in expected_kinds, f"no {kind!r} step in the history: {expected_kinds}"
    assert expected_kinds.index("created") < expected_kinds.index("assigned") < expected_kinds.index(
        "replied") < expected_kinds.index("citizen_message")


def test_phone_call_taken_with_the_keyboard_only(
    live_server, transactional_db, at_agent, make_request, internet_rule, new_chromium_context,
):
    earlier = make_request(citizen_phone="0550 98 76 54", subject="Facture du mois trop élevée",
                           text="Ma facture de mars est le double d'habitude.", service_code="algerie-telecom/billing")
    # The same caller's request at another operator is not shown to an Algérie Télécom agent.
    make_request(citizen_phone="0550 98 76 54", subject="Colis perdu", text="Mon colis n'est pas arrivé.",
                 service_code="algerie-poste/mail")

    page = new_chromium_context().new_page()
    login(page, "at.agent")
    page.goto("/desk/call/")
    phone = page.locator("#caller-phone")
    expect(phone).to_be_focused()

    page.keyboard.type("0550 98 76 54")
    history = page.locator("#caller-history li[data-reference]")
    expect(history).to_have_count(1)
    expect(history.first).to_have_attribute("data-reference", earlier.reference)
    expect(history.first).to_contain_text("Facture du mois trop élevée")
    expect(phone).to_be_focused()  # the lookup does not steal the cursor

    # Tab through the form in order: name, e-mail, service, channel, priority, wilaya, subject, text.
    page.keyboard.press("Tab")
    expect(page.locator("#id_citizen_name")).to_be_focused()
    page.keyboard.type("Samir Belkacem")
    for field in ("#id_citizen_email", "#id_service", "#id_channel", "#id_priority", "#id_region", "#id_subject"):
        page.keyboard.press("Tab")
        expect(page.locator(field)).to_be_focused()
    page.keyboard.type("Plus de tonalité")
    page.keyboard.press("Tab")
    expect(page.locator("#id_text")).to_be_focused()
    page.keyboard.type("Le client n'a plus de tonalité sur sa ligne fixe depuis hier.")
    page.keyboard.press("Control+Enter")  # the documented shortcut in the text area

    expect(page).to_have_url(re.compile(r"/desk/r/[0-9A-Z]{4}-[0-9A-Z]{4}/$"))
    new = Request.objects.exclude(pk=earlier.pk).get(subject="Plus de tonalité")
    expect(page.locator("#request-reference")).to_have_text(new.reference)
    expect(page.locator("#request")).to_have_attribute("data-status", Status.NEW)
    expect(page.locator("ul.messages")).to_contain_text(new.reference)
    assert new.channel == Channel.PHONE
    assert new.citizen_phone == "+213550987654"
    assert new.citizen_name == "Samir Belkacem"
    assert new.created_by == at_agent
    assert new.service.code == "algerie-telecom/faults"  # automatic routing, by the rule
    assert Request.objects.filter(citizen_phone="+213550987654").count() == 3


def test_other_operators_agent_gets_not_found(
    live_server, transactional_db, at_agent, poste_agent, make_request, new_chromium_context,
):
    req = make_request(subject="Internet coupé à Bab Ezzouar")
    url = f"/desk/r/{req.reference}/"

    owner = new_chromium_context().new_page()
    login(owner, "at.agent")
    assert owner.goto(url).status == 200  # the page exists for its organisation
    expect(owner.locator("#request-reference")).to_have_text(req.reference)

    other = new_chromium_context().new_page()
    login(other, "poste.agent")
    response = other.goto(url)
    assert response.status == 404
    expect(other.locator("body")).not_to_contain_text(req.subject)
    expect(other.locator("#request")).to_have_count(0)
    other.goto("/desk/")
    expect(other.locator("#queue")).to_be_visible()
    expect(other.locator(f'tr[data-reference="{req.reference}"]')).to_have_count(0)
    # Posting an action by hand (with a valid CSRF token) is refused the same way; nothing changes.
    csrf = next(c["value"] for c in other.context.cookies() if c["name"] == "csrftoken")
    refused = other.request.post(f"{url}assign/", form={"assignee": "me"}, headers={"X-CSRFToken": csrf})
    assert refused.status == 404
    req.refresh_from_db()
    assert req.assignee is None


def test_dashboard_shows_charts_to_supervisor(
    live_server, transactional_db, at_supervisor, at_agent, make_request, new_chromium_context,
):
    make_request(channel="web")
    make_request(channel="web", citizen_phone="0661 00 11 22")
    make_request(channel="phone", citizen_phone="0770 11 22 33", service_code="algerie-telecom/billing")
    make_request(service_code="algerie-poste/mail")  # another organisation: not counted

    page = new_chromium_context().new_page()
    login(page, "at.supervisor")
    expect(page.locator("#nav-dashboard")).to_be_visible()
    page.click("#nav-dashboard")
    expect(page).to_have_url(re.compile(r"/desk/dashboard/"))
    expect(page.locator("#kpi-open .number")).to_have_text("3")
    expect(page.locator("#kpi-created .number")).to_have_text("3")
    chart = page.locator("#chart-per-channel svg")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count(2)  # web and phone
    expect(page.locator("#chart-per-channel table tbody tr")).to_have_count(2)
    assert sorted(page.locator("#chart-per-channel table tbody td").all_inner_texts()) == ["1", "2"]
    for chart_id in ("#chart-backlog-status", "#chart-backlog-service", "#chart-per-day", "#chart-per-service"):
        expect(page.locator(f"{chart_id} svg")).to_be_visible()

    # An agent has no dashboard.
    agent = new_chromium_context().new_page()
    login(agent, "at.agent")
    expect(agent.locator("#nav-queue")).to_be_visible()
    expect(agent.locator("#nav-dashboard")).to_have_count(0)
    assert agent.goto("/desk/dashboard/").status == 403
