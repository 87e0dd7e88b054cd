"""The post in the service centre: the item's timeline on the agent's request page, complaints attached to
items, failed deliveries told to the citizen through the real notification outbox."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bawaba.desk import panels
from bawaba.notifications import sms
from bawaba.notifications.models import OutboundMessage
from bawaba.postal import desk_links
from bawaba.postal.models import RequestItemLink
from bawaba.postal.tracking import EventInput, record_events
from bawaba.servicedesk import services as sd
from bawaba.servicedesk.models import EventKind, RequestEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse 42"


@pytest.fixture
def login(client):
    def sign_in(user, language="en"):
        client.logout()
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
        return client

    return sign_in


@pytest.fixture
def item(poste, make_item):
    """An item posted in Alger two days ago, at its delivery office since yesterday."""
    item = make_item()
    now = timezone.now()
    record_events(poste, [EventInput(item.number, "EMA", now - dt.timedelta(days=2), "16001"),
                          EventInput(item.number, "EMG", now - dt.timedelta(days=1), "16001-DIST")])
    return item


def spaced(number: str) -> str:
    return f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:11]} {number[11:]}"


@pytest.fixture
def complaint(make_request, item):
    """A citizen's complaint to Algérie Poste naming the item as people write it (spaced, lower case)."""
    return make_request("algerie-poste/mail", subject="Colis introuvable",
                        text=f"Mon colis {spaced(item.number).lower()} n'arrive pas.")


def page(client, req) -> str:
    response = client.get(reverse("desk:request", args=[req.reference]))
    assert response.status_code == 200
    return response.content.decode()


def panel(html: str) -> str:
    start = html.index('id="postal-items"')
    return html[start:html.index("</section>", start)]


def test_the_posts_agent_sees_the_items_staff_timeline(login, poste_agent, complaint, item):
    html = panel(page(login(poste_agent), complaint))
    assert f'data-number="{item.number}" data-view="staff"' in html
    assert "EMA" in html and "EMG" in html and "16001-DIST" in html  # codes and offices
    assert f'id="link-{item.number}"' in html


def test_the_panel_costs_a_bounded_number_of_queries(login, poste_agent, complaint,
                                                    django_assert_max_num_queries):
    client = login(poste_agent)
    page(client, complaint)  # the request's record is now cached, as for every colleague after the first
    with django_assert_max_num_queries(10):
        assert 'id="postal-items"' in page(client, complaint)


def test_another_operators_agent_sees_only_the_public_timeline(login, at_agent, make_request, item):
    req = make_request(text=f"Mon colis {item.number} et ma box ADSL…")  # a request of Algérie Télécom
    html = panel(page(login(at_agent), req))
    assert 'data-view="public"' in html and 'data-view="staff"' not in html
    assert "Your item arrived at the delivery office." in html
    for secret in ("16001", "EMA", "EMG", item.recipient_name, item.recipient_street, "link-"):
        assert secret not in html


def test_after_a_transfer_the_post_sees_its_item_and_the_sender_only_the_public_view(
        login, at_agent, poste_agent, make_request, item):
    from bawaba.orgs.models import Service

    req = make_request(text=f"Colis {item.number} perdu")
    sd.do_transfer(req, Service.objects.get(code="algerie-poste/mail"), actor=at_agent, reason="C'est la poste")
    assert 'data-view="staff"' in panel(page(login(poste_agent), req))
    kept = panel(page(login(at_agent), req))  # Algérie Télécom kept read access to the request
    assert 'data-view="public"' in kept and "16001" not in kept and "link-" not in kept


def test_a_request_naming_no_item_has_no_postal_panel(login, poste_agent, make_request, item):
    req = make_request("algerie-poste/mail", text="Quels sont vos horaires ? RR 123 456 789 DZ")  # bad digit
    assert 'id="postal-items"' not in page(login(poste_agent), req)


def test_another_posts_item_with_the_same_number_stays_public(login, sopeco, poste_agent, make_request, item):
    from bawaba.postal.models import Item

    foreign = Item.objects.create(number=item.number, organisation=sopeco, origin_country="DZ",
                                  destination_country="CG", recipient_name="Jean Mabiala",
                                  created_at=timezone.now())
    req = make_request("algerie-poste/mail", text=f"Colis {item.number}")
    html = panel(page(login(poste_agent), req))
    assert html.count('data-view="staff"') == 1 and html.count('data-view="public"') == 1
    assert foreign.recipient_name not in html


def test_an_agent_attaches_the_complaint_to_the_item(login, poste_agent, complaint, item):
    client = login(poste_agent)
    url = reverse("postal:link_item", args=[complaint.reference])
    response = client.post(url, {"item": item.pk})
    assert response.status_code == 302
    link = RequestItemLink.objects.get()
    assert (link.request, link.item, link.linked_by) == (complaint, item, poste_agent)
    event = RequestEvent.objects.get(request=complaint, kind=EventKind.LINKED)
    assert event.actor == poste_agent and event.data["number"] == item.number and event.data["module"] == "postal"
    html = page(client, complaint)
    assert "Attached to postal item" in html and f'id="linked-{item.number}"' in html
    assert f'id="link-{item.number}"' not in html
    client.post(url, {"item": item.pk})  # twice: one link, one history line
    assert RequestItemLink.objects.count() == 1
    assert RequestEvent.objects.filter(request=complaint, kind=EventKind.LINKED).count() == 1


def test_no_one_else_attaches_a_request_to_the_posts_item(login, at_agent, poste_agent, make_request, item,
                                                          complaint, make_item):
    req = make_request(text=f"Colis {item.number}")  # Algérie Télécom's own request
    assert login(at_agent).post(reverse("postal:link_item", args=[req.reference]),
                                {"item": item.pk}).status_code == 404
    assert login(at_agent).post(reverse("postal:link_item", args=[complaint.reference]),
                                {"item": item.pk}).status_code == 404  # not even visible
    other = make_item()  # an item the complaint does not name
    assert login(poste_agent).post(reverse("postal:link_item", args=[complaint.reference]),
                                   {"item": other.pk}).status_code == 404
    assert login(poste_agent).post(reverse("postal:link_item", args=[complaint.reference]),
                                   {"item": "x"}).status_code == 404
    assert not RequestItemLink.objects.exists()


def _fail_delivery(poste, item, when=None):
    when = when or timezone.now() - dt.timedelta(minutes=5)
    return record_events(poste, [EventInput(item.number, "EMH", when, "16001-DIST", reason_code="ABS")])


def test_a_failed_delivery_is_told_to_the_citizen_of_an_open_complaint(poste, poste_agent, complaint, item,
                                                                       django_capture_on_commit_callbacks):
    desk_links.do_link_item(complaint, item, actor=poste_agent)
    with django_capture_on_commit_callbacks(execute=True):
        result = _fail_delivery(poste, item)
    messages = list(OutboundMessage.objects.filter(template="postal.request_delivery_failed"))
    assert [m.channel for m in messages] == ["sms"]
    assert messages[0].recipient == complaint.citizen_phone and item.number in messages[0].body
    assert messages[0].reference == complaint.reference
    assert messages[0].idempotency_key.startswith(
        f"servicedesk.request:{complaint.reference}:postal-event:{result.created[0].pk}:")
    update = RequestEvent.objects.get(request=complaint, kind=EventKind.MODULE_UPDATE)
    assert update.actor is None and update.data["what"] == "delivery_failed" and update.data["reason"] == "ABS"
    complaint.refresh_from_db()
    assert complaint.updated_at == update.at  # the desk's cached page and queue follow


def test_the_same_scan_again_or_an_unlinked_item_tells_nobody(poste, poste_agent, complaint, item, make_item,
                                                              django_capture_on_commit_callbacks):
    desk_links.do_link_item(complaint, item, actor=poste_agent)
    other = make_item()
    record_events(poste, [EventInput(other.number, "EMG", timezone.now() - dt.timedelta(hours=2), "16001-DIST")])
    attempt = timezone.now() - dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        _fail_delivery(poste, item, attempt)
    with django_capture_on_commit_callbacks(execute=True):
        _fail_delivery(poste, item, attempt)  # the scanner retries: a duplicate, no new event
        _fail_delivery(poste, other, attempt)  # no request attached
    assert OutboundMessage.objects.filter(template="postal.request_delivery_failed").count() == 1


def test_a_closed_complaint_is_not_disturbed(poste, poste_agent, complaint, item,
                                             django_capture_on_commit_callbacks):
    desk_links.do_link_item(complaint, item, actor=poste_agent)
    sd.do_transition(complaint, "resolved", actor=poste_agent, reason="Colis retrouvé")
    sd.do_transition(complaint, "closed", actor=poste_agent, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        _fail_delivery(poste, item)
    assert not OutboundMessage.objects.filter(template="postal.request_delivery_failed").exists()
    assert not RequestEvent.objects.filter(kind=EventKind.MODULE_UPDATE).exists()


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_failed_delivery_sms_fits_in_one_segment(settings, language):
    from django.utils import translation

    from bawaba.notifications import links
    from bawaba.notifications.texts import TEMPLATES

    settings.PUBLIC_BASE_URL = "https://bawaba.dz"
    context = {"reference": "K7M2-9QXR", "link": links.short_link("K7M2-9QXR"), "number": "RR473124829DZ"}
    with translation.override(language):
        text = TEMPLATES["postal.request_delivery_failed"].sms(context)
    assert "RR473124829DZ" in text and context["link"] in text
    assert sms.segments(text) == 1, (len(text), text)


def test_a_failing_panel_never_takes_the_request_page_down(login, poste_agent, complaint):
    def broken(http_request, req):
        raise RuntimeError("bug in a module")

    panels.register_panel(panels.RequestPanel("test.broken", broken))
    try:
        html = page(login(poste_agent), complaint)
    finally:
        panels.unregister_panel("test.broken")
    assert 'id="postal-items"' in html


def test_the_panel_looks_for_links_only_once_the_history_has_a_postal_line(login, poste_agent, complaint, item):
    """No link query while the request's history has no "postal" line (do_link_item writes one with every link);
    an item attached after the page was opened (its record cached) shows as attached on the next opening."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(poste_agent)
    with CaptureQueriesContext(connection) as queries:
        html = panel(page(client, complaint))
    assert f'id="link-{item.number}"' in html
    assert not [q["sql"] for q in queries.captured_queries if RequestItemLink._meta.db_table in q["sql"]]
    desk_links.do_link_item(complaint, item, actor=poste_agent)
    html = panel(page(client, complaint))
    assert f'id="linked-{item.number}"' in html and f'id="link-{item.number}"' not in html
