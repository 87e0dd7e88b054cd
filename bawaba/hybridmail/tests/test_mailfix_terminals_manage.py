"""The post-office manager's cyber-poste page: terminals of the offices they manage (add, retire), bookings and
sessions with their duration, paginated, and the CSV export; nobody sees another office's or operator's."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from bawaba.hybridmail import terminals
from bawaba.hybridmail.models import Terminal, TerminalSession
from bawaba.postal.tests.conftest import _postal_staff

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def manager(poste, network):
    return _postal_staff(poste, "poste.manager", ["hybridmail.office_manager"], office=network["counter"])


@pytest.fixture
def oran_manager(poste, network):
    return _postal_staff(poste, "poste.manager.oran", ["hybridmail.office_manager"], office=network["oran_delivery"])


@pytest.fixture
def oran_terminal(network):
    return Terminal.objects.create(office=network["oran_delivery"], label="Oran 1")


@pytest.fixture
def held_session(clerk, network, terminal):
    """A session booked, started at 10:02 and ended at 10:47 (45 minutes) on the 10th of March 2026."""
    with time_machine.travel(NOW, tick=False):
        session = terminals.book(clerk, network["counter"], terminal_id=terminal.pk, citizen_name="Yacine Haddad",
                                 citizen_phone="+213661000111", starts_at=NOW + dt.timedelta(hours=1), minutes=60)
    terminals.start(clerk, network["counter"], session.pk, now=NOW + dt.timedelta(hours=1, minutes=2))
    terminals.end(clerk, network["counter"], session.pk, now=NOW + dt.timedelta(hours=1, minutes=47))
    return session


def login(client, user):
    client.force_login(user)
    return client


def test_only_managers_get_the_page(client, clerk, ministry, manager):
    from django.contrib.auth import get_user_model

    assert client.get("/mail/offices/terminals/").status_code == 302  # sign in first
    for user in (clerk, get_user_model().objects.get(username="mf.sender")):
        login(client, user)
        assert client.get("/mail/offices/terminals/").status_code == 403
        assert client.get("/mail/offices/terminals/sessions.csv").status_code == 403
        assert client.post("/mail/offices/terminals/add/", {"office": 1, "label": "X"}).status_code == 403
    page = login(client, manager).get("/mail/offices/terminals/")
    assert page.status_code == 200 and 'id="nav-mail-terminals"' in page.content.decode()  # the shell's menu


def test_a_manager_sees_only_their_offices_terminals_and_sessions(client, manager, terminal, oran_terminal,
                                                                  held_session, network):
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        page = login(client, manager).get("/mail/offices/terminals/").content.decode()
        assert "Poste 1" in page and "Yacine Haddad" in page and "45 minutes" in page
        assert "Oran 1" not in page and network["oran_delivery"].code not in page
        # Another office's terminal cannot be retired or given a new terminal through a forged form.
        assert client.post(f"/mail/offices/terminals/{oran_terminal.pk}/retire/").status_code == 404
        forged = client.post("/mail/offices/terminals/add/", {"office": network["oran_delivery"].pk, "label": "P9"})
        assert forged.status_code == 404 and not Terminal.objects.filter(label="P9").exists()
        assert "Yacine" not in client.get(f"/mail/offices/terminals/?office={network['oran_delivery'].pk}"
                                          ).content.decode()


def test_another_operators_manager_sees_nothing_of_ours(client, sopeco, terminal, held_session):
    from bawaba.geo.models import Region
    from bawaba.hybridmail.models import Terminal as T
    from bawaba.postal.models import Office, OfficeKind

    region = Region.objects.filter(country="DZ").first()
    office = Office.objects.create(organisation=sopeco, code="BZV-1", name_fr="Brazzaville RP",
                                   kind=OfficeKind.POST_OFFICE, region=region)
    T.objects.create(office=office, label="Cyber BZV")
    theirs = _postal_staff(sopeco, "sopeco.manager", ["hybridmail.office_manager"])  # every office of SOPECO
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        page = login(client, theirs).get("/mail/offices/terminals/").content.decode()
        assert "Cyber BZV" in page and "Poste 1" not in page and "Yacine" not in page
        assert client.post(f"/mail/offices/terminals/{terminal.pk}/retire/").status_code == 404
        assert "Yacine" not in client.get("/mail/offices/terminals/sessions.csv").getvalue().decode()


def test_the_operators_hybrid_mail_manager_sees_every_office(client, poste, terminal, oran_terminal):
    supervisor = _postal_staff(poste, "poste.mailsup", ["hybridmail.supervisor"])
    page = login(client, supervisor).get("/mail/offices/terminals/").content.decode()
    assert "Poste 1" in page and "Oran 1" in page


def test_a_manager_adds_and_retires_a_terminal(client, manager, network, terminal, clerk):
    login(client, manager)
    added = client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk, "label": "  Poste   2 "})
    assert added.status_code == 302
    new = Terminal.objects.get(label="Poste 2")
    assert new.office == network["counter"] and new.is_active
    twice = client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk, "label": "Poste 2"})
    assert twice.status_code == 409 and "already has a terminal" in twice.content.decode()
    assert client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk,
                                                        "label": ""}).status_code == 400
    # A booking to come blocks retiring; once cancelled, the terminal is retired and the clerk cannot book it.
    session = terminals.book(clerk, network["counter"], terminal_id=new.pk, citizen_name="Nadia",
                             starts_at=timezone.now() + dt.timedelta(hours=2), minutes=30)
    blocked = client.post(f"/mail/offices/terminals/{new.pk}/retire/")
    assert blocked.status_code == 409 and "cancel them first" in blocked.content.decode()
    terminals.cancel(clerk, network["counter"], session.pk)
    assert client.post(f"/mail/offices/terminals/{new.pk}/retire/").status_code == 302
    new.refresh_from_db()
    assert not new.is_active
    assert client.post(f"/mail/offices/terminals/{new.pk}/retire/").status_code == 409
    with pytest.raises(terminals.BookingRefused):
        terminals.book(clerk, network["counter"], terminal_id=new.pk, citizen_name="Omar",
                       starts_at=timezone.now() + dt.timedelta(hours=3), minutes=30)
    assert client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk,
                                                        "label": "Poste 2"}).status_code == 302  # back in service
    new.refresh_from_db()
    assert new.is_active and Terminal.objects.filter(label="Poste 2").count() == 1


def test_sessions_are_paginated_and_filtered_by_period(client, manager, network, terminal,
                                                       django_assert_max_num_queries):
    start = NOW.replace(hour=8)
    TerminalSession.objects.bulk_create([
        TerminalSession(terminal=terminal, citizen_name=f"Citoyen {i:03d}", starts_at=start - dt.timedelta(hours=i),
                        ends_at=start - dt.timedelta(hours=i) + dt.timedelta(minutes=30)) for i in range(120)])
    login(client, manager)
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(12):
            first = client.get("/mail/offices/terminals/?since=2026-03-01&until=2026-03-10")
        body = first.content.decode()
        assert first.status_code == 200 and body.count("Citoyen ") == 50 and "1 / 3" in body
        last = client.get("/mail/offices/terminals/?since=2026-03-01&until=2026-03-10&page=3").content.decode()
        assert last.count("Citoyen ") == 20
        one_day = client.get("/mail/offices/terminals/?since=2026-03-09&until=2026-03-09").content.decode()
        assert one_day.count("Citoyen ") == 24
        assert client.get("/mail/offices/terminals/?since=nonsense").status_code == 400
        assert client.get("/mail/offices/terminals/?since=2020-01-01&until=2026-03-10").status_code == 400


def test_sessions_export_as_csv_with_duration(client, manager, held_session, network):
    login(client, manager)
    response = client.get("/mail/offices/terminals/sessions.csv?since=2026-03-10&until=2026-03-10")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["office", "terminal", "citizen"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["office"], row["terminal"], row["citizen"]) == (network["counter"].code, "Poste 1", "Yacine Haddad")
    assert row["minutes_used"] == "45" and row["state"] == "ended" and row["booked_by"] == "poste.clerk"
    assert row["phone"] == "'+213661000111"  # no formula in a spreadsheet
    empty = client.get("/mail/offices/terminals/sessions.csv?since=2026-03-11&until=2026-03-12")
    assert len(b"".join(empty.streaming_content).decode("utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize("language,word", [("fr", "Bornes"), ("ar", "dir=\"rtl\"")])
def test_the_page_is_translated(client, manager, terminal, language, word):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = login(client, manager).get("/mail/offices/terminals/").content.decode()
    assert word in page and "Add a terminal" not in page
