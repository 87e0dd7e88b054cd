import datetime as dt

import pytest
from django.utils import timezone

from bawaba.lifeproof import exports
from bawaba.lifeproof.models import Attempt, BiometricAccess, Challenge, Obligation, Outcome, Via
from bawaba.lifeproof.privacy import purge_frames
from bawaba.lifeproof.proofs import (
    ProofRefused,
    do_decide_attempt,
    do_issue_challenge,
    do_request_home_visit,
    do_submit_attempt,
    send_campaign_messages,
)
from bawaba.notifications.models import OutboundMessage

from .conftest import OTHER_PORTRAIT, held_photo, performed

pytestmark = pytest.mark.django_db


def _challenge(obligation, **kwargs):
    return do_issue_challenge(obligation, consent=True, **kwargs)


def test_a_challenge_needs_consent_and_is_random_over_the_three_steps(obligation):
    with pytest.raises(ProofRefused) as refused:
        do_issue_challenge(obligation, consent=False)
    assert refused.value.status == 400
    orders = {tuple(_challenge(obligation).steps) for _ in range(12)}
    assert all(sorted(order) == ["blink", "turn_left", "turn_right"] for order in orders)
    assert len(orders) > 1


def test_a_performed_challenge_is_accepted_and_certified_and_the_challenge_is_single_use(obligation):
    challenge = _challenge(obligation)
    attempt = do_submit_attempt(challenge.token, performed(challenge.steps))
    assert attempt.status == Outcome.PENDING and attempt.frame_count == 13

    attempt = do_decide_attempt(attempt.pk)

    assert attempt.status == Outcome.ACCEPTED, attempt.reasons
    assert attempt.policy_version and "match_distance" in str(attempt.scores)
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.PROVED and obligation.certificate.code
    sms = OutboundMessage.objects.get(template="lifeproof.accepted")
    assert obligation.certificate.code in sms.body
    assert do_decide_attempt(attempt.pk).decided_at == attempt.decided_at  # idempotent (worker after the page)
    with pytest.raises(ProofRefused) as reused:
        do_submit_attempt(challenge.token, performed(challenge.steps, seed=5))
    assert reused.value.status == 409
    assert Attempt.objects.count() == 1


def test_a_late_answer_is_refused_and_nothing_is_stored(obligation):
    challenge = _challenge(obligation)
    late = challenge.expires_at + dt.timedelta(seconds=1)
    with pytest.raises(ProofRefused) as refused:
        do_submit_attempt(challenge.token, performed(challenge.steps), now=late)
    assert refused.value.status == 410
    assert not Attempt.objects.exists()
    assert Challenge.objects.get(pk=challenge.pk).used_at is None


def test_a_file_that_is_not_an_image_is_refused_before_the_challenge_is_used(obligation):
    challenge = _challenge(obligation)
    frames = performed(challenge.steps)
    frames[3] = (b"%PDF-1.4 not a picture", frames[3][1])
    with pytest.raises(ProofRefused) as refused:
        do_submit_attempt(challenge.token, frames)
    assert refused.value.status == 400 and "4" in refused.value.messages[0]
    attempt = do_submit_attempt(challenge.token, performed(challenge.steps))  # the same challenge still works
    assert attempt.pk


def test_attempts_are_limited_per_day(obligation, settings, still_clock):
    settings.LIFEPROOF_ATTEMPTS_PER_DAY = 2
    for seed in (1, 2):
        challenge = _challenge(obligation)
        Attempt.objects.filter(pk=do_submit_attempt(challenge.token, performed(challenge.steps, seed=seed)).pk
                               ).update(status=Outcome.REFUSED)
    with pytest.raises(ProofRefused) as refused:
        _challenge(obligation)
    assert refused.value.status == 429


def test_a_replayed_session_and_a_photo_held_to_the_camera_are_refused(obligation):
    first = _challenge(obligation)
    frames = performed(first.steps)
    earlier = do_submit_attempt(first.token, frames)
    Attempt.objects.filter(pk=earlier.pk).update(status=Outcome.REFUSED)  # say it was refused for another reason

    replay = _challenge(obligation)
    replayed = do_decide_attempt(do_submit_attempt(replay.token, frames).pk)
    # Never accepted: the policy sends a fingerprint match to review, and refuses when the new random order differs
    # from the recording's (challenge_wrong_order).
    assert replayed.status in (Outcome.REVIEW, Outcome.REFUSED) and "replayed_frames" in replayed.reasons

    Attempt.objects.filter(pk=replayed.pk).update(status=Outcome.REFUSED)  # so that a new attempt may start
    photo = _challenge(obligation)
    held = do_decide_attempt(do_submit_attempt(photo.token, held_photo()).pk)
    assert held.status == Outcome.REFUSED
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.DUE


def test_someone_else_is_refused(obligation):
    challenge = _challenge(obligation, via=Via.ASSISTED, helper_name="Yasmine (fille)")
    attempt = do_decide_attempt(do_submit_attempt(challenge.token, performed(challenge.steps,
                                                                            name=OTHER_PORTRAIT)).pk)
    assert attempt.status == Outcome.REFUSED and "no_match" in attempt.reasons
    assert attempt.challenge.helper_name == "Yasmine (fille)"
    assert BiometricAccess.objects.filter(attempt=attempt, data="frames", action="read", purpose="matching").exists()


def test_invitations_then_reminders_are_sent_once_each(obligation, campaign):
    start = timezone.now()
    assert send_campaign_messages(start) == {"invitations": 1, "reminders": 0}
    assert send_campaign_messages(start) == {"invitations": 0, "reminders": 0}
    invitation = OutboundMessage.objects.get(template="lifeproof.invitation")
    assert "/v/" in invitation.body and invitation.recipient == "+213550100001"
    week_before = timezone.make_aware(dt.datetime.combine(campaign.due_on - dt.timedelta(days=6), dt.time(10)))
    send_campaign_messages(week_before)
    send_campaign_messages(week_before + dt.timedelta(hours=1))
    assert OutboundMessage.objects.filter(template="lifeproof.reminder").count() == 1


def test_a_bedridden_pensioner_asks_for_a_home_visit_at_the_listening_centre(obligation):
    from bawaba.servicedesk.models import Request

    reference = do_request_home_visit(obligation, reason="alité depuis mars")
    request = Request.objects.get(reference=reference)
    assert request.service.code == "cnr/ecoute" and request.citizen_phone == "+213550100001"
    assert do_request_home_visit(Obligation.objects.get(pk=obligation.pk)) == reference  # once per campaign


def test_export_says_who_proved_who_is_late_and_who_to_suspend(campaign, cnr):
    from .conftest import enrol

    proved = campaign.obligations.get()
    proved.status, proved.proved_at = Obligation.Status.PROVED, timezone.now()
    proved.save()
    other = enrol(cnr, number="100009", national_id="109850000000000009")
    Obligation.objects.create(campaign=campaign, pensioner=other, code="abcdefghij")

    def statuses(day):
        return {row["pension_number"]: row["status"] for row in exports.campaign_rows(campaign, today=day)}

    assert statuses(campaign.due_on) == {"100001": "proved", "100009": "pending"}
    assert statuses(campaign.due_on + dt.timedelta(days=1))["100009"] == "late"
    assert statuses(campaign.due_on + dt.timedelta(days=16))["100009"] == "suspend"
    text = exports.campaign_csv(campaign, today=campaign.due_on + dt.timedelta(days=16))
    assert text.splitlines()[0].startswith("pension_number;national_id") and "100009;" in text


def test_frames_are_deleted_after_the_delay_but_not_while_in_review(obligation, settings):
    settings.LIFEPROOF_FRAME_RETENTION_DAYS = 30
    decided = timezone.now()
    challenge = _challenge(obligation)
    attempt = do_submit_attempt(challenge.token, performed(challenge.steps))
    second = _challenge(obligation)
    waiting = do_submit_attempt(second.token, performed(second.steps, seed=3))
    Attempt.objects.filter(pk=attempt.pk).update(status=Outcome.REFUSED, decided_at=decided)
    Attempt.objects.filter(pk=waiting.pk).update(status=Outcome.REVIEW, decided_at=decided)

    assert purge_frames(decided + dt.timedelta(days=29)) == 0
    assert purge_frames(decided + dt.timedelta(days=31)) == 1
    attempt.refresh_from_db()
    waiting.refresh_from_db()
    assert bytes(attempt.frames) == b"" and attempt.frames_deleted_at and attempt.fingerprints
    assert bytes(waiting.frames) != b""
    assert BiometricAccess.objects.filter(attempt=attempt, action="delete", purpose="retention").exists()


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("template", ["lifeproof.invitation", "lifeproof.reminder", "lifeproof.accepted"])
def test_every_sms_fits_in_one_segment(settings, language, template):
    from django.utils import translation

    from bawaba.lifeproof import links
    from bawaba.notifications import sms
    from bawaba.notifications.texts import TEMPLATES

    settings.PUBLIC_BASE_URL = "https://bawaba.dz"
    context = {"due": "31/12/2027", "certificate": "K7M2-9QXR", "link": links.public_link("aBcDeFgHiJ")}
    with translation.override(language):
        text = TEMPLATES[template].sms(context)
    assert context["link"] in text and "31/12/2027" in text or "K7M2-9QXR" in text
    assert sms.segments(text) == 1, (len(text), text)


def test_every_reason_of_the_engine_has_translated_words():
    from django.utils import translation

    from bawaba.lifeproof.biometrics import REASONS
    from bawaba.lifeproof.reasons import MESSAGES, describe

    assert set(REASONS) <= set(MESSAGES)
    for code in REASONS:
        with translation.override("en"):
            english = describe(code)
        with translation.override("ar"):
            assert describe(code) != english, code
