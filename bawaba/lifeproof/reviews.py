"""The fund's review of doubtful attempts. Accepting needs one reviewer; refusing needs two different reviewers
who both refuse (the first refusal is a proposal the queue shows until a second person confirms or accepts)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import Attempt, Outcome, Review
from .permissions import is_fund_staff
from .proofs import mark_proved


def do_review(attempt: Attempt, *, reviewer, decision: str, reason: str, now: dt.datetime | None = None) -> Attempt:
    now = now or timezone.now()
    fund = attempt.obligation.pensioner.organisation
    if not is_fund_staff(reviewer, fund):
        raise PermissionDenied(_("Only the fund's staff review its pensioners' proofs."))
    reason = " ".join((reason or "").split())[:1000]
    errors = {}
    if decision not in Review.Decision.values:
        errors["decision"] = [_("Choose accept or refuse.")]
    if not reason:
        errors["reason"] = [_("Give the reason of the decision.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("obligation__pensioner").get(pk=attempt.pk)
        if attempt.status != Outcome.REVIEW:
            raise ValidationError(_("This attempt is not waiting for a review any more."), code="decided")
        refusals = list(attempt.reviews.filter(decision=Review.Decision.REFUSE))
        if decision == Review.Decision.REFUSE and any(r.reviewer_id == reviewer.pk for r in refusals):
            raise ValidationError(_("You proposed this refusal already: a second, different reviewer must confirm "
                                    "it."), code="same_reviewer")
        Review.objects.create(attempt=attempt, reviewer=reviewer, decision=decision, reason=reason, at=now)
        pensioner = attempt.obligation.pensioner
        if decision == Review.Decision.ACCEPT:
            attempt.status = Outcome.ACCEPTED
        elif refusals:  # a second, different reviewer confirms
            attempt.status = Outcome.REFUSED
        attempt.save(update_fields=["status"])
        audit.event("attempt.reviewed", organisation=fund, pensioner=pensioner, actor=reviewer, at=now,
                    attempt=attempt.pk, decision=decision, reason=reason, outcome=attempt.status)
        if attempt.status == Outcome.ACCEPTED:
            mark_proved(attempt, actor=reviewer, now=now)
    return attempt


def refusal_proposed(attempt: Attempt):
    """The first refusal waiting for a second reviewer, or None."""
    if attempt.status != Outcome.REVIEW:
        return None
    return attempt.reviews.filter(decision=Review.Decision.REFUSE).select_related("reviewer").first()
