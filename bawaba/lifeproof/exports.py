"""What the fund pays on: per campaign (payment period), who proved, who is late and who must be suspended."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from .models import Campaign, Obligation

COLUMNS = ["pension_number", "national_id", "last_name", "first_name", "status", "proved_on", "certificate",
           "valid_until", "via"]


def status_of(obligation: Obligation, today: dt.date) -> str:
    """proved | pending (before the due date) | late (within the grace days) | suspend | left."""
    campaign = obligation.campaign
    if obligation.status == Obligation.Status.PROVED:
        return "proved"
    if obligation.status == Obligation.Status.CANCELLED:
        return "left"
    if today <= campaign.due_on:
        return "pending"
    if today <= campaign.due_on + dt.timedelta(days=campaign.grace_days):
        return "late"
    return "suspend"


def campaign_rows(campaign: Campaign, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    obligations = (Obligation.objects.filter(campaign=campaign)
                   .select_related("pensioner", "campaign", "certificate", "certificate__attempt__challenge")
                   .order_by("pensioner__pension_number"))
    for obligation in obligations.iterator(chunk_size=1000):
        certificate = getattr(obligation, "certificate", None)
        attempt = certificate.attempt if certificate else None
        yield {
            "pension_number": obligation.pensioner.pension_number,
            "national_id": obligation.pensioner.national_id,
            "last_name": obligation.pensioner.last_name,
            "first_name": obligation.pensioner.first_name,
            "status": status_of(obligation, today),
            "proved_on": timezone.localdate(obligation.proved_at).isoformat() if obligation.proved_at else "",
            "certificate": certificate.code if certificate else "",
            "valid_until": certificate.valid_until.isoformat() if certificate else "",
            "via": attempt.challenge.via if attempt else "",
        }


def campaign_csv(campaign: Campaign, *, today: dt.date | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";")
    writer.writeheader()
    for row in campaign_rows(campaign, today=today):
        writer.writerow(row)
    return out.getvalue()


def campaign_counts(campaign: Campaign, *, today: dt.date | None = None) -> dict[str, int]:
    counts = {"proved": 0, "pending": 0, "late": 0, "suspend": 0, "left": 0}
    for row in campaign_rows(campaign, today=today):
        counts[row["status"]] += 1
    return counts
