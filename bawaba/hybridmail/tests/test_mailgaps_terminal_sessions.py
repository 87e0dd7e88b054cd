"""Cyber-poste sessions are attributable: the clerk who booked, started, ended or cancelled a session, and when, is
in the terminals' audit trail (TerminalEvent), written with the change, and shown on the managers' page; a clerk of
another office can do none of it (a translated 404) and leaves no trace."""

import datetime as dt

import pytest
import time_machine

from bawaba.hybridmail import terminals
from bawaba.hybridmail.models import TerminalEvent, TerminalSession
from bawaba.postal.tests.conftest import _postal_staff

from .test_mailfix_terminals_manage import NOW, login, manager  # noqa: F401 (fixtures)

SLOT = NOW + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def second_clerk(poste, network):
    return _postal_staff(poste, "poste.clerk2", ["postal.clerk"], office=network["counter"])


@pytest.fixture
def oran_clerk(poste, network):
    return _postal_staff(poste, "poste.clerk.oran", ["postal.clerk"], office=network["oran_delivery"])


def book_through_page(client, terminal, *, hour="10:00"):
    day = SLOT.date().isoformat()
    response = client.post(
        "/mail/assist/terminals/",
        {"day": day, "time": hour, "minutes": "45", "terminal": terminal.pk, "citizen_name": "Yacine Haddad"},
    )
    assert response.status_code == 302, response.content.decode()
    return TerminalSession.objects.order_by("-pk").first()


def session_trail(session):
    return list(
        TerminalEvent.objects.filter(session=session)
        .order_by("at", "pk")
        .values_list("kind", "actor__username", "at", "terminal_id", "office_id")
    )


def a_day_at_the_terminal(booking_clerk, serving_clerk, counter, terminal):
    """Two bookings; the first served (started, ended) by `serving_clerk`, the second cancelled."""
    kept = terminals.book(
        booking_clerk, counter, terminal_id=terminal.pk, citizen_name="Yacine", starts_at=SLOT, minutes=30, now=NOW
    )
    dropped = terminals.book(
        booking_clerk,
        counter,
        terminal_id=terminal.pk,
        citizen_name="Nadia",
        starts_at=SLOT + dt.timedelta(hours=1),
        minutes=30,
        now=NOW,
    )
    terminals.start(serving_clerk, counter, kept.pk, now=SLOT)
    terminals.end(serving_clerk, counter, kept.pk, now=SLOT + dt.timedelta(minutes=25))
    terminals.cancel(booking_clerk, counter, dropped.pk, now=SLOT + dt.timedelta(minutes=30))


def test_booking_starting_and_ending_are_recorded_with_the_clerk_and_the_time(
    client, clerk, second_clerk, network, terminal
):
    counter = network["counter"]
    with time_machine.travel(NOW, tick=False):
        session = book_through_page(login(client, clerk), terminal)
    with time_machine.travel(SLOT + dt.timedelta(minutes=2), tick=False):
        assert login(client, second_clerk).post(f"/mail/assist/terminals/{session.pk}/start/").status_code == 302
    with time_machine.travel(SLOT + dt.timedelta(minutes=40), tick=False):
        assert client.post(f"/mail/assist/terminals/{session.pk}/end/").status_code == 302
    assert session_trail(session) == [
        ("booked", "poste.clerk", NOW, terminal.pk, counter.pk),
        ("started", "poste.clerk2", SLOT + dt.timedelta(minutes=2), terminal.pk, counter.pk),
        ("ended", "poste.clerk2", SLOT + dt.timedelta(minutes=40), terminal.pk, counter.pk),
    ]
    assert set(TerminalEvent.objects.values_list("organisation_id", "label")) == {(counter.organisation_id, "Poste 1")}


def test_cancelling_is_recorded_with_the_clerk_and_the_time(client, clerk, second_clerk, network, terminal):
    with time_machine.travel(NOW, tick=False):
        session = book_through_page(login(client, clerk), terminal)
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        assert login(client, second_clerk).post(f"/mail/assist/terminals/{session.pk}/cancel/").status_code == 302
    assert [row[:3] for row in session_trail(session)] == [
        ("booked", "poste.clerk", NOW),
        ("cancelled", "poste.clerk2", NOW + dt.timedelta(minutes=10)),
    ]
    session.refresh_from_db()
    assert session.cancelled_at == NOW + dt.timedelta(minutes=10)


def test_a_refused_move_leaves_no_audit_record(client, clerk, network, terminal):
    with time_machine.travel(NOW, tick=False):
        session = book_through_page(login(client, clerk), terminal)
        assert client.post(f"/mail/assist/terminals/{session.pk}/end/").status_code == 409  # not started
        assert client.post(f"/mail/assist/terminals/{session.pk}/start/").status_code == 302
        assert client.post(f"/mail/assist/terminals/{session.pk}/cancel/").status_code == 409  # started
        assert client.post(f"/mail/assist/terminals/{session.pk}/start/").status_code == 409  # twice
    assert [row[0] for row in session_trail(session)] == ["booked", "started"]


@pytest.mark.parametrize("action", ["start", "end", "cancel"])
@pytest.mark.parametrize(
    "language,words",
    [
        ("en", "No such session at your office."),
        ("fr", "Aucune séance de ce type dans votre bureau."),
        ("ar", "لا توجد هذه الحصة في مكتبك."),
    ],
)
def test_a_clerk_of_another_office_cannot_touch_the_session(
    client, clerk, oran_clerk, network, terminal, action, language, words
):
    with time_machine.travel(NOW, tick=False):
        session = terminals.book(
            clerk, network["counter"], terminal_id=terminal.pk, citizen_name="Nadia", starts_at=SLOT, minutes=30
        )
    if action == "end":
        terminals.start(clerk, network["counter"], session.pk, now=SLOT)
    before = TerminalEvent.objects.count()
    state = TerminalSession.objects.values_list("started_at", "ended_at", "cancelled_at").get(pk=session.pk)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = login(client, oran_clerk).post(f"/mail/assist/terminals/{session.pk}/{action}/")
    assert response.status_code == 404 and words in response.content.decode()
    with pytest.raises(terminals.BookingRefused) as refused:  # the service refuses it too, whatever the caller
        getattr(terminals, action)(oran_clerk, network["oran_delivery"], session.pk)
    assert refused.value.status == 404
    assert TerminalEvent.objects.count() == before
    assert TerminalSession.objects.values_list("started_at", "ended_at", "cancelled_at").get(pk=session.pk) == state


def test_the_manager_sees_who_started_ended_and_cancelled_sessions(
    client,
    clerk,
    second_clerk,
    manager,  # noqa: F811
    network,
    terminal,
):
    a_day_at_the_terminal(clerk, second_clerk, network["counter"], terminal)
    page = login(client, manager).get("/mail/offices/terminals/").content.decode()
    table = page[page.index('id="terminal-events"') :]
    table = table[: table.index("</table>")]
    rows = table.split("<tr>")[2:]  # newest first, after the header
    assert ["Booking cancelled" in rows[0], "Session ended" in rows[1], "Session started" in rows[2]] == [True] * 3
    assert "poste.clerk<" in rows[0] and "poste.clerk2" in rows[1] and "poste.clerk2" in rows[2]
    assert table.count("Session booked") == 2


def test_the_managers_audit_list_costs_the_same_queries_with_many_session_events(
    client,
    clerk,
    manager,  # noqa: F811
    network,
    terminal,
    django_assert_max_num_queries,
):
    for hour in range(12):
        session = terminals.book(
            clerk,
            network["counter"],
            terminal_id=terminal.pk,
            citizen_name=f"C{hour}",
            starts_at=SLOT + dt.timedelta(hours=hour),
            minutes=30,
            now=NOW,
        )
        terminals.start(clerk, network["counter"], session.pk, now=SLOT + dt.timedelta(hours=hour))
    login(client, manager)
    client.get("/mail/offices/terminals/")
    with django_assert_max_num_queries(12):  # no query per event row (select_related session, actor, office)
        assert client.get("/mail/offices/terminals/").status_code == 200


@pytest.mark.parametrize(
    "language,words",
    [
        ("fr", ("Séance commencée", "Séance terminée", "Réservation annulée", "créneau")),
        ("ar", ("بدأت الحصة", "انتهت الحصة", "أُلغي الحجز", 'dir="rtl"')),
    ],
)
def test_session_events_are_translated(client, clerk, manager, network, terminal, language, words):  # noqa: F811
    a_day_at_the_terminal(clerk, clerk, network["counter"], terminal)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = login(client, manager).get("/mail/offices/terminals/").content.decode()
    assert all(word in page for word in words), [w for w in words if w not in page]
    assert "Session started" not in page and "Booking cancelled" not in page
