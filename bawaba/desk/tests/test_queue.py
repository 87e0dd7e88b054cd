import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from bawaba.orgs.services import do_add_staff
from bawaba.servicedesk import services

HTMX = {"HTTP_HX_REQUEST": "true"}


def references_in_order(html: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', html)


def test_queue_is_sorted_by_sla_urgency_with_paused_requests_last(login, at_agent, make_request):
    low = make_request(priority="low", subject="Basse")
    urgent = make_request(priority="urgent", subject="Urgente")
    normal = make_request(priority="normal", subject="Normale")
    waiting = make_request(priority="urgent", subject="En attente")
    services.do_reply(waiting, "Quel est votre numéro de ligne ?", actor=at_agent, wait_for_citizen=True)

    html = login(at_agent).get(reverse("desk:home")).content.decode()

    assert references_in_order(html) == [urgent.reference, normal.reference, low.reference, waiting.reference]
    assert "paused" in html  # the waiting request's SLA badge


def test_agent_sees_only_own_organisation_and_own_queues(login, orgs, at_agent, make_request):
    faults = make_request("algerie-telecom/faults", subject="Ligne coupée")
    billing = make_request("algerie-telecom/billing", subject="Facture fausse")
    poste = make_request("algerie-poste/mail", subject="Colis perdu")
    faults_only = do_add_staff(orgs["algerie-telecom"], {
        "username": "at.faults", "role": "agent", "password": "correct horse 42", "queues": ["faults"]})

    html = login(at_agent).get(reverse("desk:home")).content.decode()
    assert set(references_in_order(html)) == {faults.reference, billing.reference}

    html = login(faults_only).get(reverse("desk:home")).content.decode()
    assert references_in_order(html) == [faults.reference]
    assert poste.reference not in html


def test_request_assigned_to_an_agent_outside_their_queues_still_shows(login, orgs, make_request, at_supervisor):
    billing = make_request("algerie-telecom/billing")
    agent = do_add_staff(orgs["algerie-telecom"], {
        "username": "at.faults", "role": "agent", "password": "correct horse 42", "queues": ["faults"]})
    services.do_assign(billing, agent, actor=at_supervisor)
    html = login(agent).get(reverse("desk:home")).content.decode()
    assert references_in_order(html) == [billing.reference]


def test_filters_queue_and_mine_only(login, orgs, at_agent, make_request):
    faults = make_request("algerie-telecom/faults")
    billing = make_request("algerie-telecom/billing")
    services.do_assign(billing, at_agent, actor=at_agent)
    client = login(at_agent)
    faults_queue = orgs["algerie-telecom"].queues.get(slug="faults")

    html = client.get(reverse("desk:home"), {"queue": faults_queue.pk}).content.decode()
    assert references_in_order(html) == [faults.reference]
    html = client.get(reverse("desk:home"), {"mine": "on"}).content.decode()
    assert references_in_order(html) == [billing.reference]


def test_queue_of_another_organisation_is_a_bad_filter(login, orgs, at_agent):
    poste_queue = orgs["algerie-poste"].queues.first()
    response = login(at_agent).get(reverse("desk:home"), {"queue": poste_queue.pk})
    assert response.status_code == 400
    response = login(at_agent).get(reverse("desk:home"), {"queue": "abc"})
    assert response.status_code == 400
    assert 'id="filter-errors"' in response.content.decode()


def test_queue_shows_the_columns_an_agent_needs(login, at_agent, make_request):
    from bawaba.geo.models import Region

    req = make_request(channel="phone", priority="high", region=Region.objects.get(country="DZ", code="16"))
    html = login(at_agent).get(reverse("desk:home")).content.decode()
    row = html[html.index(f'data-reference="{req.reference}"'):]
    row = row[: row.index("</tr>")]
    for text in (req.subject, "Faults", "Phone", req.region.name_en, "High", "New", "unassigned"):
        assert text in row, text
    assert re.search(r'class="badge sla (ok|soon)"[^>]*>(\d+ d \d+ h|\d+ h \d\d min|\d+ min) left<', row)


@pytest.mark.parametrize(("created", "viewed", "css", "left"), [
    # High priority: first answer within 60 business minutes (08:00-16:30, Sunday to Thursday, in Algiers).
    ("2026-11-18T10:00", "2026-11-18T10:15", "soon", "45 min left"),  # Wednesday morning: due at 11:00
    ("2026-11-18T07:00", "2026-11-18T07:30", "ok", "1 h 30 min left"),  # before opening: due at 09:00
    ("2026-11-19T16:00", "2026-11-19T16:10", "ok", "2 d 16 h left"),  # Thursday 16:00: due Sunday 08:30
    ("2026-11-20T23:30", "2026-11-20T23:40", "ok", "1 d 9 h left"),  # Friday night: due Sunday 09:00
    ("2026-11-18T10:00", "2026-11-18T11:20", "breached", "overdue 20 min"),
])
def test_sla_badge_counts_business_time_from_a_known_moment(login, at_agent, make_request, created, viewed, css,
                                                            left):
    algiers = ZoneInfo("Africa/Algiers")
    with time_machine.travel(dt.datetime.fromisoformat(created).replace(tzinfo=algiers), tick=False):
        req = make_request(priority="high")
        client = login(at_agent)
    with time_machine.travel(dt.datetime.fromisoformat(viewed).replace(tzinfo=algiers), tick=False):
        html = client.get(reverse("desk:home")).content.decode()
    row = html[html.index(f'data-reference="{req.reference}"'):]
    row = row[: row.index("</tr>")]
    assert re.search(rf'class="badge sla {css}"[^>]*>{left}<', row), row


def test_queue_is_paginated(login, at_agent, make_request):
    for i in range(27):
        make_request(subject=f"Panne {i}")
    client = login(at_agent)
    first = client.get(reverse("desk:home")).content.decode()
    second = client.get(reverse("desk:home"), {"page": 2}).content.decode()
    assert len(references_in_order(first)) == 25 and len(references_in_order(second)) == 2
    assert "27" in first
    assert client.get(reverse("desk:home"), {"page": "zzz"}).status_code == 200
    beyond = client.get(reverse("desk:home"), {"page": 99}).content.decode()  # the last page
    assert references_in_order(beyond) == references_in_order(second)
    assert "Page 2 of 2" in beyond


def test_poll_answers_304_until_something_changes(login, at_agent, make_request, frozen_minute):
    make_request(subject="Première")
    client = login(at_agent)
    url = reverse("desk:queue")

    first = client.get(url, **HTMX)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag and etag in first.content.decode().replace("&quot;", '"').replace('\\"', '"')

    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert again.status_code == 304
    assert again.content == b""

    new = make_request(subject="Nouvelle demande")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert new.reference in changed.content.decode()


def test_poll_etag_depends_on_filters_and_page(login, orgs, at_agent, make_request, frozen_minute):
    make_request()
    client = login(at_agent)
    url = reverse("desk:queue")
    plain = client.get(url)["ETag"]
    mine = client.get(url, {"mine": "on"})["ETag"]
    page2 = client.get(url, {"page": "2"})["ETag"]
    assert len({plain, mine, page2}) == 3


# Not named "page": that is pytest-playwright's browser page fixture, which would make this a browser test.
@pytest.mark.parametrize("page_number", ["²", "9" * 30, "-1", "x"])
def test_odd_page_numbers_give_a_page_not_an_error(login, at_agent, make_request, page_number):
    make_request()
    client = login(at_agent)
    assert client.get(reverse("desk:queue"), {"page": page_number}).status_code == 200
    assert client.get(reverse("desk:home"), {"page": page_number}).status_code == 200


def test_unicode_digits_in_ids_are_refused_with_a_4xx(login, at_agent, at_supervisor, make_request):
    req = make_request()
    client = login(at_agent)
    assert client.post(reverse("desk:notifications_read"), {"notification": "²"}).status_code == 400
    client = login(at_supervisor)
    response = client.post(reverse("desk:assign", args=[req.reference]), {"assignee": "²"})
    assert response.status_code == 400


def test_poll_304_costs_few_queries(login, at_agent, make_request, frozen_minute, django_assert_max_num_queries):
    for _ in range(5):
        make_request()
    client = login(at_agent)
    etag = client.get(reverse("desk:queue"))["ETag"]
    # session, user, queue version
    with django_assert_max_num_queries(3):
        assert client.get(reverse("desk:queue"), HTTP_IF_NONE_MATCH=etag, **HTMX).status_code == 304


def test_page_embeds_the_polling_attributes(login, at_agent, settings):
    html = login(at_agent).get(reverse("desk:home")).content.decode()
    assert 'id="queue"' in html
    assert f"every {settings.DESK_POLL_SECONDS}s" in html
    assert 'hx-get="/desk/queue/' in html and "If-None-Match" in html
    assert '"code":"304","swap":false' in html  # htmx must not swap the empty 304 body
    assert "vendor/htmx.min.js" in html


@pytest.mark.parametrize("count", [3, 30])
def test_queue_page_has_no_n_plus_one(login, at_agent, make_request, count, django_assert_max_num_queries):
    from bawaba.geo.models import Region

    region = Region.objects.get(country="DZ", code="31")
    for i in range(count):
        req = make_request(subject=f"Panne {i}", region=region)
        if i % 2:
            services.do_assign(req, at_agent, actor=at_agent)
    client = login(at_agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("desk:home"))
    assert len(references_in_order(response.content.decode())) == min(count, 25)


def test_signed_out_agent_is_sent_to_sign_in(client):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_signed_out_poll_redirects_the_whole_page(client):
    response = client.get(reverse("desk:queue"), HTTP_HX_CURRENT_URL="http://testserver/desk/", **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_platform_admin_sees_every_organisation(login, platform_admin, make_request):
    at = make_request("algerie-telecom/faults")
    poste = make_request("algerie-poste/mail")
    html = login(platform_admin).get(reverse("desk:home")).content.decode()
    assert {at.reference, poste.reference} <= set(references_in_order(html))


def test_a_request_assigned_to_a_queue_member_is_listed_once(login, orgs, at_agent, make_request):
    do_add_staff(orgs["algerie-telecom"], {"username": "at.colleague", "role": "agent"})
    req = make_request()
    services.do_assign(req, at_agent, actor=at_agent)
    html = login(at_agent).get(reverse("desk:home")).content.decode()
    assert references_in_order(html) == [req.reference]


def test_agents_with_the_same_queues_share_one_rendering(orgs, login, at_agent, make_request, frozen_minute,
                                                         django_assert_max_num_queries):
    colleague = do_add_staff(orgs["algerie-telecom"], {
        "username": "at.colleague", "role": "agent", "password": "correct horse 42",
        "queues": ["faults", "billing", "subscriptions"]})
    req = make_request()
    services.do_assign(req, at_agent, actor=at_agent)
    url = reverse("desk:queue")
    first = login(at_agent).get(url, **HTMX)
    colleague_client = login(colleague)
    # The colleague's poll is served from the rendering made for the first agent: session, user, scope.
    with django_assert_max_num_queries(3):
        second = colleague_client.get(url, **HTMX)
    assert second.status_code == 200
    assert second["ETag"] == first["ETag"]
    assert second.content == first.content
    assert req.reference in second.content.decode()


def test_a_new_request_reaches_the_shared_rendering_at_the_next_poll(login, at_agent, make_request, frozen_minute):
    make_request(subject="Première")
    client = login(at_agent)
    url = reverse("desk:queue")
    etag = client.get(url, **HTMX)["ETag"]
    new = make_request(subject="Deuxième")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert changed.status_code == 200 and new.reference in changed.content.decode()


def test_shared_rendering_never_crosses_organisations_or_personal_filters(orgs, login, at_agent, poste_agent,
                                                                          make_request, frozen_minute):
    at_request = make_request("algerie-telecom/faults")
    poste_request = make_request("algerie-poste/mail")
    other_at_agent = do_add_staff(orgs["algerie-telecom"], {
        "username": "at.colleague", "role": "agent", "password": "correct horse 42",
        "queues": ["faults", "billing", "subscriptions"]})
    services.do_assign(at_request, at_agent, actor=at_agent)
    url = reverse("desk:queue")

    at_html = login(at_agent).get(url, **HTMX).content.decode()
    poste_html = login(poste_agent).get(url, **HTMX).content.decode()
    assert at_request.reference in at_html and poste_request.reference not in at_html
    assert poste_request.reference in poste_html and at_request.reference not in poste_html

    mine = login(at_agent).get(url, {"mine": "on"}, **HTMX).content.decode()
    colleague_mine = login(other_at_agent).get(url, {"mine": "on"}, **HTMX).content.decode()
    assert at_request.reference in mine
    assert at_request.reference not in colleague_mine


def test_poll_with_a_queue_of_another_organisation_is_refused(login, orgs, at_agent):
    poste_queue = orgs["algerie-poste"].queues.first()
    response = login(at_agent).get(reverse("desk:queue"), {"queue": poste_queue.pk}, **HTMX)
    assert response.status_code == 400


def test_a_change_to_a_listed_request_shows_at_the_next_poll(login, at_agent, make_request, frozen_minute):
    req = make_request(subject="Ligne coupée")
    client = login(at_agent)
    url = reverse("desk:queue")
    assert f'data-reference="{req.reference}" data-status="new"' in client.get(url, **HTMX).content.decode()
    services.do_assign(req, at_agent, actor=at_agent)
    assert f'data-reference="{req.reference}" data-status="assigned"' in client.get(url, **HTMX).content.decode()
