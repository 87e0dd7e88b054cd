import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bawaba.orgs.models import Service
from bawaba.servicedesk import services
from bawaba.servicedesk.models import EventKind, Request, RequestEvent, Status
from bawaba.servicedesk.permissions import can_act, can_view, visible_requests
from bawaba.servicedesk.selectors import find_for_citizen, public_messages, queue_for_agent

ALGIERS = ZoneInfo("Africa/Algiers")
MONDAY_9AM = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ALGIERS)


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_new_request_gets_reference_e164_phone_and_business_hours_deadlines(make_request):
    request = make_request(citizen_phone="0550 12 34 56", priority="normal", now=MONDAY_9AM)
    assert request.status == Status.NEW
    assert request.citizen_phone == "+213550123456"
    assert request.organisation.slug == "algerie-telecom"
    # Normal priority: first response within 4 business hours, resolution within 40 business hours.
    assert request.first_response_due_at == MONDAY_9AM + dt.timedelta(hours=4)
    # Mon 7.5 h + Tue, Wed, Thu 8.5 h each = 33 h; Friday and Saturday closed; 7 h more on Sunday.
    assert request.resolution_due_at == dt.datetime(2026, 11, 29, 15, 0, tzinfo=ALGIERS)
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.ROUTED]


def test_invalid_input_is_refused_whole_with_field_messages(make_request):
    with pytest.raises(ValidationError) as error:
        make_request(citizen_phone="12", subject=" ", text="x" * 6000, channel="pigeon")
    assert set(error.value.message_dict) == {"citizen_phone", "subject", "text", "channel"}
    assert Request.objects.count() == 0


def test_a_bad_attachment_refuses_the_whole_request(make_request):
    """The service refuses the whole request, so that a form can show the error and the citizen can fix it.
    The e-mail channel, which cannot ask again, checks the files first: it keeps the good ones and lists the
    others instead of bouncing the mail (bawaba/channels/tests/test_channels.py)."""
    fake = SimpleUploadedFile("invoice.pdf", b"MZ" + b"\0" * 50)
    with pytest.raises(ValidationError) as error:
        make_request(attachments=[png(), fake])
    assert "attachments" in error.value.message_dict
    assert Request.objects.count() == 0


def test_attachments_are_stored_with_hash(make_request):
    request = make_request(attachments=[png()])
    attachment = request.attachments.get()
    assert attachment.content_type == "image/png" and len(attachment.sha256) == 64
    assert request.events.filter(kind=EventKind.ATTACHMENT).exists()


def test_commune_must_be_in_the_chosen_wilaya(make_request):
    from bawaba.geo.models import Commune, Region

    oran = Region.objects.get(country="DZ", code="31")
    algiers_commune = Commune.objects.filter(region__code="16").first()
    with pytest.raises(ValidationError) as error:
        make_request(region=oran, commune=algiers_commune)
    assert "commune" in error.value.message_dict


def test_first_public_reply_meets_first_response_and_moves_to_in_progress(make_request, at_agent):
    request = make_request()
    services.do_reply(request, "Nous vérifions votre ligne.", actor=at_agent)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.first_responded_at is not None
    assert [m.kind for m in public_messages(request)] == ["reply"]


def test_internal_notes_are_never_public(make_request, at_agent):
    request = make_request()
    services.do_add_note(request, "Client déjà appelé deux fois.", actor=at_agent)
    assert list(public_messages(request)) == []
    assert request.events.filter(kind=EventKind.NOTE).count() == 1


def test_forbidden_transition_is_refused_and_history_unchanged(make_request, at_agent):
    request = make_request()
    services.do_transition(request, Status.RESOLVED, actor=at_agent)
    before = RequestEvent.objects.count()
    with pytest.raises(services.TransitionNotAllowed):
        services.do_transition(request, Status.WAITING, actor=at_agent)
    assert RequestEvent.objects.count() == before


def test_resolve_then_reopen(make_request, at_agent):
    request = make_request()
    request = services.do_transition(request, Status.RESOLVED, actor=at_agent)
    assert request.resolved_at is not None
    request = services.do_transition(request, Status.REOPENED, actor=at_agent, reason="toujours en panne")
    assert request.status == Status.REOPENED and request.resolved_at is None


def test_waiting_for_citizen_pauses_the_sla(make_request, at_agent):
    request = make_request(now=MONDAY_9AM)
    due = request.resolution_due_at
    services.do_reply(request, "Quel est votre numéro de ligne ?", actor=at_agent, wait_for_citizen=True,
                      now=MONDAY_9AM + dt.timedelta(hours=1))
    # The citizen answers the next day at 10:00: 6.5 h (rest of Monday) + 2 h of Tuesday were waited.
    services.do_citizen_message(request, "Voici mon numéro de ligne : 021 23 45 67",
                                now=dt.datetime(2026, 11, 24, 10, 0, tzinfo=ALGIERS))
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS and request.sla_paused_at is None
    from bawaba.core.business_time import business_minutes_between
    from bawaba.orgs.services import calendar_for

    assert business_minutes_between(calendar_for(request.organisation), due, request.resolution_due_at) == 510


def test_paused_requests_are_not_escalated(make_request, at_agent, at_supervisor):
    request = make_request(now=MONDAY_9AM)
    services.do_reply(request, "Quel est votre numéro de ligne ?", actor=at_agent, wait_for_citizen=True,
                      now=MONDAY_9AM)
    assert services.escalate_breaches(now=MONDAY_9AM + dt.timedelta(days=30)) == 0


def test_citizen_message_on_resolved_request_reopens_it(make_request, at_agent):
    request = make_request()
    services.do_transition(request, Status.RESOLVED, actor=at_agent)
    services.do_citizen_message(request, "Le problème est revenu ce matin.")
    request.refresh_from_db()
    assert request.status == Status.REOPENED


def test_agent_of_another_operator_can_neither_see_nor_act(make_request, poste_agent):
    request = make_request()
    assert not can_view(poste_agent, request)
    assert request not in visible_requests(poste_agent)
    with pytest.raises(PermissionDenied):
        services.do_reply(request, "bonjour", actor=poste_agent)


def test_agents_assign_only_to_themselves(make_request, at_agent, at_supervisor):
    request = make_request()
    with pytest.raises(PermissionDenied):
        services.do_assign(request, at_supervisor, actor=at_agent)
    request = services.do_assign(request, at_agent, actor=at_agent)
    assert request.status == Status.ASSIGNED and request.assignee == at_agent
    request = services.do_assign(request, None, actor=at_supervisor)
    assert request.assignee is None


def test_transfer_to_another_organisation_keeps_history_and_sender_read_access(
    make_request, at_agent, poste_agent
):
    request = make_request(subject="Mandat non reçu", text="Ma pension CCP n'est pas arrivée.")
    services.do_reply(request, "Nous transmettons à Algérie Poste.", actor=at_agent)
    poste = Service.objects.get(code="algerie-poste/financial")
    request = services.do_transfer(request, poste, actor=at_agent, reason="Paiement de pension CCP")

    assert request.organisation.slug == "algerie-poste" and request.status == Status.NEW
    assert can_act(poste_agent, request)
    assert can_view(at_agent, request) and not can_act(at_agent, request)
    with pytest.raises(PermissionDenied):
        services.do_add_note(request, "encore moi", actor=at_agent)
    # The receiving side sees the whole history, including what happened before the transfer.
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds[:3] == [EventKind.CREATED, EventKind.ROUTED, EventKind.REPLIED]
    transfer = request.events.get(kind=EventKind.TRANSFERRED)
    assert transfer.data["across_organisations"] and transfer.data["reason"] == "Paiement de pension CCP"
    assert request in queue_for_agent(poste_agent)


def test_transfer_needs_a_reason(make_request, at_agent):
    request = make_request()
    with pytest.raises(ValidationError):
        services.do_transfer(request, Service.objects.get(code="mobilis/network"), actor=at_agent, reason=" ")


def test_merge_closes_the_duplicate(make_request, at_agent):
    first = make_request()
    duplicate = make_request()
    services.do_merge(duplicate, first, actor=at_agent)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.merged_into == first
    assert first.events.filter(kind=EventKind.MERGED, data__absorbed=duplicate.reference).exists()
    with pytest.raises(ValidationError):
        services.do_merge(first, first, actor=at_agent)


def test_citizen_finds_request_only_with_reference_and_phone(make_request):
    request = make_request(citizen_phone="0661 11 22 33")
    assert find_for_citizen(request.reference.lower(), "+213661112233") == request
    assert find_for_citizen(request.reference, "+213550000000") is None
    assert find_for_citizen("nonsense", "+213661112233") is None


def test_queue_is_sorted_by_sla_urgency(make_request, at_agent):
    low = make_request(priority="low", now=MONDAY_9AM)
    urgent = make_request(priority="urgent", now=MONDAY_9AM)
    normal = make_request(priority="normal", now=MONDAY_9AM)
    assert list(queue_for_agent(at_agent)) == [urgent, normal, low]


def test_a_new_request_is_stored_with_every_field_it_was_given(make_request, at_agent):
    """do_create_request writes the row with one plain INSERT (services._insert_request), not Model.save():
    what is read back is what the service returned, column for column."""
    request = make_request(citizen_name="Nour\x00 Benali", citizen_email="nour@example.dz", priority="high",
                           language="ar", created_by=at_agent, now=MONDAY_9AM)
    stored = Request.objects.get(reference=request.reference)
    assert stored.pk == request.pk and not request._state.adding
    for field in Request._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(request, field.attname), field.name
    assert stored.citizen_name == "Nour Benali" and stored.created_by_id == at_agent.pk
    assert list(stored.events.values_list("kind", flat=True)) == [EventKind.CREATED, EventKind.ROUTED]


def test_a_reference_already_taken_is_drawn_again(make_request, monkeypatch):
    taken = make_request().reference
    draws = iter([taken, "K7P4-M9XZ"])
    monkeypatch.setattr(services, "new_reference", lambda: next(draws))
    request = make_request()
    assert request.reference == "K7P4-M9XZ"
    assert Request.objects.filter(reference=taken).count() == 1
    assert Request.objects.get(reference="K7P4-M9XZ").events.count() == 2
