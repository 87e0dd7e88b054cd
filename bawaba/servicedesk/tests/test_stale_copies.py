"""Services check permissions and state on the locked row, not on the caller's (possibly stale) copy."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from bawaba.orgs.models import Service
from bawaba.servicedesk import services
from bawaba.servicedesk.models import MessageKind, Request, Status


def stale(request) -> Request:
    """The copy a view read before someone else's change."""
    return Request.objects.get(pk=request.pk)


# --- 4: merging two requests into each other ----------------------------------------------------------

def test_second_of_two_crossed_merges_is_refused_and_one_request_stays_open(make_request, at_agent,
                                                                            at_supervisor):
    first, second = make_request(), make_request()
    first_seen, second_seen = stale(first), stale(second)  # both agents opened both pages
    services.do_merge(first_seen, second_seen, actor=at_agent)
    with pytest.raises(services.TransitionNotAllowed):
        services.do_merge(stale(second_seen), first_seen, actor=at_supervisor)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.merged_into_id) == (Status.CLOSED, second.pk)
    assert (second.status, second.merged_into_id) == (Status.NEW, None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_crossed_merges_leave_one_request_open(make_request, at_agent, at_supervisor):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) for real concurrent transactions")
    first, second = make_request(), make_request()
    barrier = threading.Barrier(2)
    done, refused, errors = [], [], []

    def merge(duplicate, into, actor):
        try:
            barrier.wait()
            services.do_merge(duplicate, into, actor=actor)
            done.append(duplicate.pk)
        except services.TransitionNotAllowed:
            refused.append(duplicate.pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=merge, args=(stale(first), stale(second), at_agent)),
               threading.Thread(target=merge, args=(stale(second), stale(first), at_supervisor))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(done) == 1 and len(refused) == 1
    statuses = sorted(Request.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == [Status.CLOSED, Status.NEW]


# --- 5: a copy read before a transfer or a close -----------------------------------------------------

def test_sender_cannot_change_a_stale_copy_of_a_request_transferred_away(make_request, at_agent, at_supervisor):
    request = make_request()
    seen = stale(request)
    poste = Service.objects.get(code="algerie-poste/financial")
    services.do_transfer(request, poste, actor=at_supervisor, reason="Pension CCP")

    attempts = [
        lambda: services.do_reply(seen, "Bonjour", actor=at_agent),
        lambda: services.do_add_note(seen, "note", actor=at_agent),
        lambda: services.do_transition(seen, Status.CLOSED, actor=at_agent),
        lambda: services.do_assign(seen, at_agent, actor=at_agent),
        lambda: services.do_change_priority(seen, "urgent", actor=at_agent),
        lambda: services.do_transfer(seen, Service.objects.get(code="algerie-telecom/billing"), actor=at_agent,
                                     reason="retour"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    request.refresh_from_db()
    assert request.organisation.slug == "algerie-poste"
    assert (request.status, request.assignee, request.priority) == (Status.NEW, None, "normal")
    assert not request.messages.exists()


def test_stale_copy_of_a_closed_request_cannot_be_answered_assigned_or_transferred(make_request, at_agent):
    request = make_request()
    seen = stale(request)
    services.do_transition(request, Status.CLOSED, actor=at_agent)
    poste = Service.objects.get(code="algerie-poste/financial")
    attempts = [
        lambda: services.do_reply(seen, "Bonjour", actor=at_agent),
        lambda: services.do_assign(seen, at_agent, actor=at_agent),
        lambda: services.do_transfer(seen, poste, actor=at_agent, reason="Pension CCP"),
        lambda: services.do_citizen_message(seen, "Encore moi"),
    ]
    for attempt in attempts:
        with pytest.raises(services.TransitionNotAllowed):
            attempt()
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.organisation.slug == "algerie-telecom"
    assert not request.messages.filter(kind__in=[MessageKind.PUBLIC_REPLY, MessageKind.CITIZEN]).exists()
