"""The proof itself: campaigns and their messages, challenges, attempts and their decision, the other paths
(a relative helping, the counter, a home visit)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
import string
import time

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from bawaba.core.uploads import IMAGE_TYPES, check_upload

from . import audit, conf, crypto, engine, links
from .models import Attempt, Campaign, Challenge, Obligation, Outcome, Pensioner, Via

log = logging.getLogger(__name__)
LISTENING_SERVICE_SLUG = "ecoute"  # the fund's listening centre in the shared service centre
CODE_ALPHABET = string.ascii_letters + string.digits


class ProofRefused(ValidationError):
    """A request the pensioner's page answers with a 4xx: `code` is used, expired, too_many, not_due…"""

    STATUS = {"used": 409, "expired": 410, "too_many": 429, "not_due": 409, "not_enrolled": 409,
              "consent": 400, "frames": 400}

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)


def local_day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


# --------------------------------------------------------------------------- campaigns


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(links.CODE_LENGTH))


def do_create_campaign(*, organisation, period: str, opens_on: dt.date, due_on: dt.date, grace_days: int = 30,
                       remind_days: str = "30,7", validity_days: int = 365, actor=None,
                       now: dt.datetime | None = None) -> Campaign:
    """A payment period: every enrolled pensioner of the fund owes a proof by `due_on`."""
    from .permissions import is_fund_manager

    now = now or timezone.now()
    if actor is not None and not is_fund_manager(actor, organisation):
        raise ValidationError(_("Only a manager of the fund can open a campaign."))
    errors = {}
    period = (period or "").strip()[:20]
    if not period:
        errors["period"] = [_("Name the payment period (e.g. 2027).")]
    elif Campaign.objects.filter(organisation=organisation, period=period).exists():
        errors["period"] = [_("The period %(period)s exists already.") % {"period": period}]
    if due_on <= opens_on:
        errors["due_on"] = [_("The due date must come after the opening date.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(organisation=organisation, period=period, opens_on=opens_on,
                                           due_on=due_on, grace_days=grace_days, remind_days=remind_days,
                                           validity_days=validity_days, created_at=now)
        pensioners = Pensioner.objects.filter(organisation=organisation, status=Pensioner.Status.ENROLLED)
        Obligation.objects.bulk_create([Obligation(campaign=campaign, pensioner=p, code=_new_code())
                                        for p in pensioners], batch_size=1000)
        audit.event("campaign.created", organisation=organisation, actor=actor, at=now, period=period,
                    pensioners=pensioners.count())
    return campaign


def add_to_open_campaigns(pensioner: Pensioner, *, now=None) -> None:
    """A pensioner enrolled during a campaign owes its proof too."""
    today = timezone.localdate(now or timezone.now())
    for campaign in Campaign.objects.filter(organisation=pensioner.organisation, due_on__gte=today):
        Obligation.objects.get_or_create(campaign=campaign, pensioner=pensioner, defaults={"code": _new_code()})


def _message(obligation: Obligation, template: str, event: str, now, context=None) -> None:
    from bawaba.notifications.services import notify

    pensioner = obligation.pensioner
    language = pensioner.language or "fr"
    with override(language):
        due = date_format(obligation.campaign.due_on, "d/m/Y")
    notify(topic="lifeproof.obligation", reference=obligation.code, event=event, template=template,
           language=language, organisation_id=pensioner.organisation_id, phone=pensioner.phone, now=now,
           context={"due": due, "link": links.public_link(obligation.code), **(context or {})})


def send_campaign_messages(now: dt.datetime | None = None) -> dict[str, int]:
    """The daily job: invitations once a campaign opens, reminders `remind_days` before the due date. Each
    message is one notification event, so running the job twice sends nothing more."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"invitations": 0, "reminders": 0}
    campaigns = Campaign.objects.filter(opens_on__lte=today, due_on__gte=today)
    for campaign in campaigns:
        due = (Obligation.objects.filter(campaign=campaign, status=Obligation.Status.DUE,
                                         pensioner__status=Pensioner.Status.ENROLLED)
               .exclude(pensioner__phone="").select_related("pensioner", "campaign"))
        for obligation in due.iterator(chunk_size=500):
            with transaction.atomic():
                if obligation.invited_at is None:
                    _message(obligation, "lifeproof.invitation", "invitation", now)
                    Obligation.objects.filter(pk=obligation.pk).update(invited_at=now)
                    counts["invitations"] += 1
                    continue
                for days in campaign.reminder_days():
                    moment = campaign.due_on - dt.timedelta(days=days)
                    if today >= moment and timezone.localdate(obligation.invited_at) < moment:
                        _message(obligation, "lifeproof.reminder", f"reminder:{days}", now)
                        counts["reminders"] += 1
                        break
    return counts


# --------------------------------------------------------------------------- challenges


def _attempts_today(pensioner_id: int, now) -> int:
    start, end = local_day_bounds(now)
    return Attempt.objects.filter(obligation__pensioner_id=pensioner_id, created_at__gte=start,
                                  created_at__lt=end).count()


def _check_can_prove(obligation: Obligation, now) -> None:
    if obligation.status != Obligation.Status.DUE:
        raise ProofRefused(_("This proof of life is already done or no longer due."), code="not_due")
    if obligation.pensioner.status != Pensioner.Status.ENROLLED or not hasattr(obligation.pensioner, "reference"):
        raise ProofRefused(_("No reference photo is enrolled: go to a post-office counter to enrol."),
                           code="not_enrolled")
    if obligation.attempts.filter(status=Outcome.REVIEW).exists():
        raise ProofRefused(_("Your last attempt is being checked by the fund: you will get an SMS."), code="not_due")
    if _attempts_today(obligation.pensioner_id, now) >= conf.attempts_per_day():
        raise ProofRefused(_("Too many attempts today: try again tomorrow, or go to a post-office counter."),
                           code="too_many")


def do_issue_challenge(obligation: Obligation, *, consent: bool, via: str = Via.PHONE, helper_name: str = "",
                       clerk=None, now: dt.datetime | None = None) -> Challenge:
    """A new random challenge for this obligation, once the pensioner consented."""
    now = now or timezone.now()
    if not consent:
        raise ProofRefused(_("Your consent is needed before the camera starts."), code="consent")
    if via not in Via.values:
        raise ProofRefused(_("Unknown way of proving."), code="consent")
    helper_name = " ".join((helper_name or "").split())[:120]
    if via == Via.ASSISTED and not helper_name:
        raise ProofRefused(_("Give the name of the relative who helps."), code="consent")
    _check_can_prove(obligation, now)
    start, end = local_day_bounds(now)
    if obligation.challenges.filter(issued_at__gte=start, issued_at__lt=end).count() >= 5 * conf.attempts_per_day():
        raise ProofRefused(_("Too many attempts today: try again tomorrow, or go to a post-office counter."),
                           code="too_many")
    with transaction.atomic():
        challenge = Challenge.objects.create(
            obligation=obligation, token=secrets.token_urlsafe(32), steps=list(engine.new_challenge()),
            window_ms=conf.window_ms(), issued_at=now, expires_at=now + dt.timedelta(seconds=conf.challenge_seconds()),
            via=via, consent_at=now, helper_name=helper_name if via == Via.ASSISTED else "", clerk=clerk)
        audit.event("challenge.issued", organisation=obligation.pensioner.organisation,
                    pensioner=obligation.pensioner, actor=clerk, at=now, via=via, consent=True,
                    helper=challenge.helper_name)
    return challenge


# --------------------------------------------------------------------------- attempts


def _check_frames(frames: list[tuple[bytes, int]]) -> list[tuple[bytes, int]]:
    if not frames:
        raise ProofRefused(_("No picture was received: try again."), code="frames")
    if len(frames) > conf.max_frames():
        raise ProofRefused(_("Too many pictures (at most %(n)s).") % {"n": conf.max_frames()}, code="frames")
    checked = []
    for index, (data, at_ms) in enumerate(frames, start=1):
        upload = SimpleUploadedFile(f"frame-{index}", data)
        try:
            check_upload(upload, IMAGE_TYPES, max_bytes=conf.frame_max_bytes())
        except ValidationError as exc:
            raise ProofRefused(_("Picture %(n)s: %(error)s") % {"n": index, "error": " ".join(exc.messages)},
                               code="frames") from exc
        try:
            at_ms = int(at_ms)
        except (TypeError, ValueError) as exc:
            raise ProofRefused(_("Picture %(n)s has no valid time.") % {"n": index}, code="frames") from exc
        if not 0 <= at_ms <= 10 * 60 * 1000:
            raise ProofRefused(_("Picture %(n)s has no valid time.") % {"n": index}, code="frames")
        checked.append((data, at_ms))
    return checked


def do_submit_attempt(token: str, frames: list[tuple[bytes, int]], *, obligation: Obligation | None = None,
                      now: dt.datetime | None = None) -> Attempt:
    """Store the frames of a challenge (encrypted) as a pending attempt; the worker (and the page's request, if
    LIFEPROOF_DECIDE_INLINE) decides it. Bad frames are refused before the challenge is used up."""
    now = now or timezone.now()
    frames = _check_frames(frames)
    with transaction.atomic():
        try:
            challenge = Challenge.objects.select_for_update().select_related(
                "obligation__pensioner__organisation").get(token=token or "")
        except Challenge.DoesNotExist as exc:
            raise ProofRefused(_("This challenge is unknown: start again."), code="expired") from exc
        if obligation is not None and challenge.obligation_id != obligation.pk:
            raise ProofRefused(_("This challenge is unknown: start again."), code="expired")
        if challenge.used_at is not None:
            raise ProofRefused(_("This challenge was already used: start again for a new one."), code="used")
        if now > challenge.expires_at:
            raise ProofRefused(_("Too late: this challenge has expired. Start again for a new one."), code="expired")
        _check_can_prove(challenge.obligation, now)
        fingerprints = engine.fingerprints([data for data, _at in frames])
        blob = json.dumps([{"at_ms": at, "image": base64.b64encode(data).decode()} for data, at in frames]).encode()
        challenge.used_at = now
        challenge.save(update_fields=["used_at"])
        attempt = Attempt.objects.create(obligation=challenge.obligation, challenge=challenge, created_at=now,
                                         frames=crypto.encrypt(blob), frame_count=len(frames),
                                         fingerprints=fingerprints)
        pensioner = challenge.obligation.pensioner
        audit.access(pensioner, action="write", data="frames", purpose="proof", attempt=attempt,
                     user=challenge.clerk, at=now)
        audit.event("attempt.submitted", organisation=pensioner.organisation, pensioner=pensioner,
                     actor=challenge.clerk, at=now, attempt=attempt.pk, frames=len(frames), via=challenge.via)
        transaction.on_commit(lambda: _queue_decision(attempt.pk))
    return attempt


def _queue_decision(attempt_id: int) -> None:
    from .tasks import decide_attempt_task

    try:
        decide_attempt_task(attempt_id)
    except Exception:  # the queue is down: the sweep decides it within a minute  # noqa: BLE001
        log.warning("could not queue the decision of attempt %s", attempt_id, exc_info=True)


def load_frames(attempt: Attempt, *, purpose: str, user=None, now=None) -> list[tuple[bytes, int]]:
    """The decrypted frames (audited); [] once retention deleted them."""
    if not attempt.frames:
        return []
    audit.access(attempt.obligation.pensioner, action="read", data="frames", purpose=purpose, attempt=attempt,
                 user=user, at=now)
    raw = json.loads(crypto.decrypt(attempt.frames))
    return [(base64.b64decode(item["image"]), int(item["at_ms"])) for item in raw]


def load_template(pensioner: Pensioner, *, purpose: str, user=None, now=None):
    audit.access(pensioner, action="read", data="template", purpose=purpose, user=user, at=now)
    return engine.template_from_bytes(crypto.decrypt(pensioner.reference.template))


def load_photo(pensioner: Pensioner, *, purpose: str, user=None, now=None) -> bytes:
    audit.access(pensioner, action="read", data="photo", purpose=purpose, user=user, at=now)
    return crypto.decrypt(pensioner.reference.photo)


def do_decide_attempt(attempt_id: int, *, now: dt.datetime | None = None) -> Attempt:
    """Run the engine on a pending attempt and store its outcome, scores and policy version. Idempotent: an
    attempt already decided (by the page's request or by the worker) is returned as it is."""
    attempt = Attempt.objects.select_related("obligation__pensioner__organisation", "obligation__campaign",
                                             "challenge").get(pk=attempt_id)
    if attempt.status != Outcome.PENDING:
        return attempt
    pensioner = attempt.obligation.pensioner
    started = time.perf_counter()
    extra = []
    try:
        with transaction.atomic():  # the access records of the reads
            template = load_template(pensioner, purpose="matching", now=now)
            frames = load_frames(attempt, purpose="matching", now=now)
        previous = [fp for fps in Attempt.objects.filter(obligation__pensioner=pensioner).exclude(pk=attempt.pk)
                    .values_list("fingerprints", flat=True) for fp in fps]
        if engine.replayed(attempt.fingerprints, previous):
            extra.append("replayed_frames")
        assessment = engine.assess(template, [engine.frame(data, at) for data, at in frames],
                                   tuple(attempt.challenge.steps), attempt.challenge.window_ms)
        decision = engine.decide(assessment, extra_reasons=extra)
        outcome, reasons, version = decision.outcome, list(decision.reasons), decision.policy_version
        scores = assessment.scores
    except Exception:  # a bug or a model that does not load must not lose the attempt: a person decides
        log.exception("the engine failed on attempt %s", attempt_id)
        from .biometrics.policy import POLICY_VERSION

        outcome, reasons, version, scores = "review", ["engine_error"], POLICY_VERSION, {}
    elapsed = int((time.perf_counter() - started) * 1000)
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.status != Outcome.PENDING:
            return attempt
        attempt.status = {"accepted": Outcome.ACCEPTED, "review": Outcome.REVIEW}.get(outcome, Outcome.REFUSED)
        attempt.engine_outcome = outcome
        attempt.reasons, attempt.scores, attempt.policy_version = reasons, _jsonable(scores), version
        attempt.decided_at, attempt.decision_ms = now, elapsed
        attempt.save()
        audit.event("attempt.decided", organisation=pensioner.organisation, pensioner=pensioner, at=now,
                    attempt=attempt.pk, outcome=attempt.status, reasons=reasons, policy=version)
        if attempt.status == Outcome.ACCEPTED:
            mark_proved(attempt, now=now)
    return attempt


def _jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def mark_proved(attempt: Attempt, *, actor=None, now) -> None:
    """The obligation is proved: certificate issued and the pensioner told (inside the caller's transaction)."""
    from .certificates import issue_certificate

    obligation = Obligation.objects.select_for_update().select_related("pensioner", "campaign").get(
        pk=attempt.obligation_id)
    if obligation.status != Obligation.Status.DUE:
        return
    obligation.status, obligation.proved_at = Obligation.Status.PROVED, now
    obligation.save(update_fields=["status", "proved_at"])
    certificate = issue_certificate(obligation, attempt, actor=actor, now=now)
    _message(obligation, "lifeproof.accepted", f"accepted:{attempt.pk}", now,
             context={"certificate": certificate.code,
                      "link": links.public_link(obligation.code)})


def decide_pending(now: dt.datetime | None = None, older_than_seconds: int = 60) -> int:
    """The sweep: decide attempts whose task was lost."""
    now = now or timezone.now()
    ids = list(Attempt.objects.filter(status=Outcome.PENDING,
                                      created_at__lte=now - dt.timedelta(seconds=older_than_seconds))
               .values_list("pk", flat=True)[:100])
    for pk in ids:
        do_decide_attempt(pk)
    return len(ids)


# --------------------------------------------------------------------------- other paths


def find_for_counter(*, pension_number: str, national_id: str, now=None) -> Obligation:
    """The open obligation of the pensioner whose pension number AND national ID match (both on the ID check)."""
    today = timezone.localdate(now or timezone.now())
    obligation = (Obligation.objects.select_related("pensioner__organisation", "campaign")
                  .filter(pensioner__pension_number=(pension_number or "").strip(),
                          pensioner__national_id=(national_id or "").strip(),
                          pensioner__status=Pensioner.Status.ENROLLED, status=Obligation.Status.DUE,
                          campaign__opens_on__lte=today)
                  .order_by("campaign__due_on").first())
    if obligation is None:
        raise ValidationError(_("No proof of life is due for this pension number and national ID number."))
    return obligation


def do_request_home_visit(obligation: Obligation, *, reason: str = "", now: dt.datetime | None = None) -> str:
    """A bedridden pensioner asks for a home visit: a request to the fund's listening centre in the shared
    service centre. Returns its reference (kept on the obligation: one request per campaign)."""
    from bawaba.orgs.models import Service, service_code
    from bawaba.servicedesk.services import do_create_request

    now = now or timezone.now()
    if obligation.home_visit_reference:
        return obligation.home_visit_reference
    pensioner = obligation.pensioner
    if not pensioner.phone:
        raise ProofRefused(_("No phone number is known: call the fund's listening centre."), code="not_due")
    try:
        service = Service.objects.get(code=service_code(pensioner.organisation, LISTENING_SERVICE_SLUG))
    except Service.DoesNotExist as exc:
        raise ProofRefused(_("The fund has no listening centre yet: call the fund."), code="not_due") from exc
    with override(pensioner.language or "fr"):
        subject = _("Home visit for a proof of life")
        text = _("Pensioner %(number)s (%(name)s) cannot come or use the phone and asks for a home visit to prove "
                 "they are alive before %(due)s.") % {
            "number": pensioner.pension_number, "name": pensioner.name,
            "due": date_format(obligation.campaign.due_on, "d/m/Y")}
    if reason:
        text += "\n" + " ".join(reason.split())[:500]
    with transaction.atomic():
        obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if obligation.home_visit_reference:
            return obligation.home_visit_reference
        request = do_create_request(channel="web", citizen_phone=pensioner.phone, citizen_name=pensioner.name,
                                    subject=subject, text=text, service=service, language=pensioner.language,
                                    now=now)
        obligation.home_visit_reference = request.reference
        obligation.save(update_fields=["home_visit_reference"])
        audit.event("home_visit.requested", organisation=pensioner.organisation, pensioner=pensioner, at=now,
                    request=request.reference)
    return request.reference


