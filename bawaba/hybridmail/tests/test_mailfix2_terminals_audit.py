"""Cyber-postes added, put back in service or retired on the managers' page are in the audit trail
(TerminalEvent): who, what, when, written in the same transaction as the change; a refused change leaves none."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from bawaba.hybridmail import terminals
from bawaba.hybridmail.models import Terminal, TerminalEvent

from .test_mailfix_terminals_manage import NOW, login, manager, oran_manager  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def trail():
    return list(TerminalEvent.objects.order_by("at", "pk").values_list("label", "kind", "actor__username"))


def test_adding_retiring_and_reinstating_a_terminal_are_audited_with_who_and_when(client, manager, network):  # noqa: F811
    login(client, manager)
    with time_machine.travel(NOW, tick=False):
        assert client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk,
                                                            "label": "Poste 2"}).status_code == 302
    terminal = Terminal.objects.get(label="Poste 2")
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert client.post(f"/mail/offices/terminals/{terminal.pk}/retire/").status_code == 302
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk,
                                                            "label": "Poste 2"}).status_code == 302
    assert trail() == [("Poste 2", "added", "poste.manager"), ("Poste 2", "retired", "poste.manager"),
                       ("Poste 2", "reinstated", "poste.manager")]
    events = list(TerminalEvent.objects.order_by("at"))
    assert [e.at for e in events] == [NOW, NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=2)]
    assert {(e.terminal_id, e.office_id, e.organisation_id) for e in events} == {
        (terminal.pk, network["counter"].pk, network["counter"].organisation_id)}
    # The page shows the trail, newest first, with who made each change.
    page = client.get("/mail/offices/terminals/").content.decode()
    table = page[page.index('id="terminal-events"'):]
    table = table[:table.index("</table>")]
    assert table.index("Terminal put back in service") < table.index("Terminal retired") < table.index(
        "Terminal added") and table.count("poste.manager") == 3


def test_refused_changes_leave_no_audit_record(client, manager, oran_manager, network, terminal, clerk):  # noqa: F811
    login(client, manager)
    assert client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk,
                                                        "label": "Poste 1"}).status_code == 409  # taken
    assert client.post("/mail/offices/terminals/add/", {"office": network["counter"].pk,
                                                        "label": ""}).status_code == 400
    assert client.post("/mail/offices/terminals/add/", {"office": network["oran_delivery"].pk,
                                                        "label": "P9"}).status_code == 404  # not theirs
    terminals.book(clerk, network["counter"], terminal_id=terminal.pk, citizen_name="Nadia",
                   starts_at=timezone.now() + dt.timedelta(hours=2), minutes=30)
    assert client.post(f"/mail/offices/terminals/{terminal.pk}/retire/").status_code == 409  # booked
    login(client, oran_manager)
    assert client.post(f"/mail/offices/terminals/{terminal.pk}/retire/").status_code == 404
    assert TerminalEvent.objects.filter(session=None).count() == 0  # the booking's own record aside (mailgaps)
    terminal.refresh_from_db()
    assert terminal.is_active


def test_a_manager_sees_only_their_offices_changes(client, manager, oran_manager, network):  # noqa: F811
    terminals.add_terminal(oran_manager, network["oran_delivery"].pk, "Oran Cyber")
    terminals.add_terminal(manager, network["counter"].pk, "Alger Cyber")
    page = login(client, manager).get("/mail/offices/terminals/").content.decode()
    table = page[page.index('id="terminal-events"'):]
    assert "Alger Cyber" in table and "Oran Cyber" not in table and "poste.manager.oran" not in table


@pytest.mark.parametrize("language,words", [("fr", ("Borne retirée", "Modifications des bornes")),
                                            ("ar", ("سحب المحطة من الخدمة", 'dir="rtl"'))])
def test_the_audit_trail_is_translated(client, manager, network, language, words):  # noqa: F811
    terminal = terminals.add_terminal(manager, network["counter"].pk, "Poste 7")
    terminals.retire_terminal(manager, terminal.pk)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = login(client, manager).get("/mail/offices/terminals/").content.decode()
    assert all(word in page for word in words) and "Terminal retired" not in page
