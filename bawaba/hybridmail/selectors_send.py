"""Reads of the sender's view (web pages, API, CSV export): always within one sending organisation."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Batch, Letter, LetterState, Path

PAPER_STATES = ("to_print", "in_run", "printed", "enveloped", "posted", "delivered", "undelivered")


def batches(organisation):
    return Batch.objects.filter(sender=organisation).order_by("-created_at", "-id")


def letters(organisation, *, batch: str = "", state: str = "", q: str = ""):
    found = (Letter.objects.filter(sender=organisation).select_related("product", "batch")
             .order_by("-created_at", "-id"))
    if batch:
        found = found.filter(batch__reference=batch.strip().upper())
    if state:
        found = found.filter(state=state)
    if q:
        q = q.strip()
        found = found.filter(Q(reference=q.upper()) | Q(sender_reference=q) | Q(recipient_name__icontains=q))
    return found


def letter(organisation, reference: str) -> Letter | None:
    return (Letter.objects.filter(sender=organisation, reference=(reference or "").strip().upper())
            .select_related("product", "batch", "mailbox", "print_centre").first())


def costs(organisation, *, batch: Batch | None = None) -> dict:
    """Letters and amounts by path: digital (still digital), paper (went or goes to paper), refused. Amounts
    follow pricing.charged: the paper price once on paper, else the digital price."""
    found = Letter.objects.filter(sender=organisation)
    if batch is not None:
        found = found.filter(batch=batch)
    on_paper = Q(state__in=PAPER_STATES) | Q(to_print_at__isnull=False) | Q(product__path=Path.PAPER)
    refused = Q(state=LetterState.REFUSED)
    paper = found.filter(on_paper).exclude(refused).aggregate(n=Count("id"), amount=Sum("paper_price"))
    digital = found.exclude(on_paper).exclude(refused).aggregate(n=Count("id"), amount=Sum("price"))
    refused_count = found.filter(refused).count()
    currency = found.values_list("currency", flat=True).first() or "DZD"
    return {"digital": {"count": digital["n"], "amount": digital["amount"] or Decimal("0")},
            "paper": {"count": paper["n"], "amount": paper["amount"] or Decimal("0")},
            "refused": refused_count, "currency": currency,
            "total": (digital["amount"] or Decimal("0")) + (paper["amount"] or Decimal("0"))}


def states(organisation, *, batch: Batch | None = None) -> dict[str, int]:
    found = Letter.objects.filter(sender=organisation)
    if batch is not None:
        found = found.filter(batch=batch)
    return dict(found.values_list("state").annotate(n=Count("id")).order_by())


def proof(letter: Letter, fmt: str = "pdf") -> tuple[bytes, str, str]:
    from bawaba.evidence.services import proof_for

    data = proof_for(letter.evidence_subject, format="json" if fmt == "json" else "pdf")
    if fmt == "json":
        return data, "application/json", f"proof-{letter.reference}.json"
    return data, "application/pdf", f"proof-{letter.reference}.pdf"
