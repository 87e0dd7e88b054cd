import datetime as dt

import time_machine

from bawaba.lifeproof.models import Attempt, Campaign, Challenge, Obligation, Outcome
from bawaba.notifications.models import OutboundMessage, State
from bawaba.privacy.models import RetentionRun
from bawaba.privacy.retention import ANONYMISED, apply_all
from bawaba.servicedesk.models import Message, MessageKind, Request

from .conftest import LONG_AGO, NOW, PHONE, make_pensioner


def _attempt(obligation, *, status, decided_at, token):
    challenge = Challenge.objects.create(obligation=obligation, token=token, steps=["blink"], window_ms=4000,
                                         issued_at=decided_at, expires_at=decided_at, consent_at=decided_at)
    return Attempt.objects.create(obligation=obligation, challenge=challenge, created_at=decided_at,
                                  frames=b"encrypted frames", frame_count=3, status=status, decided_at=decided_at)


def test_retention_removes_only_what_is_past_due_counts_it_and_is_idempotent(
        settings, at_org, at_agent, closed_request, make_request, django_capture_on_commit_callbacks):
    settings.PRIVACY_REQUEST_YEARS = 5
    settings.PRIVACY_MESSAGE_BODY_DAYS = 180
    settings.LIFEPROOF_FRAME_RETENTION_DAYS = 30
    from bawaba.servicedesk.services import do_transition

    with time_machine.travel(LONG_AGO, tick=False):
        still_open = make_request(citizen_name="Samir Ould")
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):  # closed within the five years
        recent = make_request(citizen_name="Nadia Kaci", citizen_phone="0661 98 76 54")
        do_transition(recent, "closed", actor=at_agent, reason="fixed")
    OutboundMessage.objects.update(state=State.SENT)
    with time_machine.travel(NOW - dt.timedelta(days=10), tick=False):
        fresh_sms = OutboundMessage.objects.create(
            idempotency_key="fresh", organisation=at_org, topic="t", template="x", channel="sms", recipient=PHONE,
            language="fr", body="Votre demande avance", state=State.SENT, created_at=NOW - dt.timedelta(days=10),
            updated_at=NOW)
    old_sms = OutboundMessage.objects.filter(created_at__lt=NOW - dt.timedelta(days=180)).count()
    assert old_sms >= 1  # the notices of the two closures

    pensioner = make_pensioner(at_org)
    campaign = Campaign.objects.create(organisation=at_org, period="2024", opens_on=dt.date(2024, 1, 1),
                                       due_on=dt.date(2024, 6, 30), created_at=LONG_AGO)
    obligation = Obligation.objects.create(campaign=campaign, pensioner=pensioner, code="OB1")
    old_attempt = _attempt(obligation, status=Outcome.REFUSED, decided_at=NOW - dt.timedelta(days=31), token="a")
    young_attempt = _attempt(obligation, status=Outcome.ACCEPTED, decided_at=NOW - dt.timedelta(days=29),
                             token="b")

    attachment = closed_request.attachments.get()
    storage, attachment_name = attachment.file.storage, attachment.file.name
    assert storage.exists(attachment_name)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        runs = {run.rule: run for run in apply_all()}

    assert runs["servicedesk.closed_requests"].counts == {"requests": 1, "messages": 1, "attachments": 1}
    assert runs["lifeproof.frames"].counts == {"attempts": 1}
    assert runs["notifications.bodies"].counts == {"messages": old_sms}
    assert runs["servicedesk.closed_requests"].at == NOW
    assert runs["servicedesk.closed_requests"].cutoff == NOW.replace(year=2019)

    closed_request.refresh_from_db()
    assert (closed_request.citizen_name, closed_request.citizen_phone, closed_request.citizen_email) == ("", "", "")
    assert closed_request.text == ANONYMISED and closed_request.subject == ANONYMISED
    # The reference and what the statistics count stay.
    assert Request.objects.filter(reference=closed_request.reference, status="closed", channel="web",
                                  service__code="algerie-telecom/faults").exists()
    assert Message.objects.get(request=closed_request, kind=MessageKind.CITIZEN).body == ANONYMISED
    assert not closed_request.attachments.exists() and not storage.exists(attachment_name)
    assert "facture-samir" not in str(list(closed_request.events.values_list("data", flat=True)))
    for untouched in (still_open, recent):
        untouched.refresh_from_db()
        assert untouched.citizen_phone and untouched.text != ANONYMISED
    fresh_sms.refresh_from_db()
    assert fresh_sms.body == "Votre demande avance"
    old_attempt.refresh_from_db()
    young_attempt.refresh_from_db()
    assert bytes(old_attempt.frames) == b"" and bytes(young_attempt.frames) == b"encrypted frames"
    # The audit holds counts only, never the data.
    for run in RetentionRun.objects.all():
        assert PHONE not in str(run.counts) and "Samir" not in str(run.counts)

    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        again = {run.rule: run.counts for run in apply_all()}
    assert again == {"servicedesk.closed_requests": {"requests": 0, "messages": 0, "attachments": 0},
                     "lifeproof.frames": {"attempts": 0}, "notifications.bodies": {"messages": 0}}


def test_the_nightly_task_applies_every_rule_and_leaves_evidence_alone(db, orgs):
    from bawaba.evidence.models import EvidenceRecord
    from bawaba.privacy.tasks import apply_retention

    before = EvidenceRecord.objects.count()
    with time_machine.travel(NOW, tick=False):
        summary = apply_retention.call_local()
    assert set(summary) == {"servicedesk.closed_requests", "lifeproof.frames", "notifications.bodies"}
    assert RetentionRun.objects.filter(at=NOW).count() == 3
    assert EvidenceRecord.objects.count() == before


def test_the_command_applies_the_rules_and_prints_the_register(db, orgs):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("privacy", "retention", stdout=out)
    assert "servicedesk.closed_requests: " in out.getvalue() and RetentionRun.objects.count() == 3
    out = io.StringIO()
    call_command("privacy", "register", stdout=out)
    assert "postal.items" in {row["code"] for row in json.loads(out.getvalue())}
