"""Models of billing: work statements (situations) and payment statements (décomptes), numbered without gaps
and immutable once issued, their stored files, payments, and the contracts' incentive rules and bonuses."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..common.models import MONEY, RATE, ImmutableDocumentError
from ..work.models import Contract


class DocumentKind(models.TextChoices):
    WORK_STATEMENT = "SIT", _("Work statement")
    PAYMENT_STATEMENT = "DEC", _("Payment statement")


class DocumentCounter(models.Model):
    """The last number issued per contractor, kind and year; locked with select_for_update when used."""

    contractor = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=3, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contractor", "kind", "year"], name="dep_counter_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.year} #{self.last_number}"


class IssuedDocumentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableDocumentError("issued statements cannot be updated")

    def delete(self):
        raise ImmutableDocumentError("issued statements cannot be deleted")


class IssuedDocument(models.Model):
    """An issued, numbered document. Its PDF and UBL are rendered from this row (and its billing lines) alone:
    what they print about the contract and the parties is copied here at issue, because the contract,
    the programme and the organisations can still be edited afterwards."""

    contractor = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=40)
    issued_at = models.DateTimeField()
    issued_on = models.DateField(_("issue date"), help_text="The issue day in the operator's time zone, as printed")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    # As printed at issue (documents.document_parties): {"contract": reference, "programme": French name,
    # "operator": {...}, "contractor": {...}}, each organisation as {"slug", "name_fr", "name_ar",
    # "tax_identifier", "country"} and, since the identifiers were added, "address", "legal_form",
    # "statistical_identifier", "trade_register_number", "tax_article_number"; "approval" (the contract's);
    # "currency" (ISO 4217, the contract's price schedule's; absent before it was stored: DZD).
    parties = models.JSONField(default=dict)

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError(f"{self.number} is issued and cannot change; issue a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError(f"{self.number} is issued and cannot be deleted")

    @property
    def currency(self) -> str:
        """ISO 4217 code of every amount of the document: the contract's when it was issued (DZD, XAF), frozen in
        `parties`; statements issued before it was stored there were all in dinars."""
        return (self.parties or {}).get("currency") or "DZD"


class WorkStatement(IssuedDocument):
    """Situation de travaux: cumulative accepted value at the period end minus the previous statement's."""

    period_start = models.DateField()
    period_end = models.DateField()
    cumulative_amount = models.DecimalField(**MONEY)
    previous_cumulative_amount = models.DecimalField(**MONEY)
    period_amount = models.DecimalField(**MONEY)
    line_count = models.PositiveIntegerField(default=0)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next")

    class Meta:
        ordering = ["contract", "-period_end", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contractor", "year", "sequence"], name="dep_workstatement_number"),
            models.UniqueConstraint(fields=["contract", "period_end"], name="dep_workstatement_one_per_period"),
        ]


class PaymentStatementKind(models.TextChoices):
    REGULAR = "regular", _("Payment statement")
    CORRECTION = "correction", _("Correction")


class PaymentStatement(IssuedDocument):
    """Décompte: gross + bonus − retention − advance recovery − penalties + VAT = net payable."""

    kind = models.CharField(max_length=12, choices=PaymentStatementKind.choices, default=PaymentStatementKind.REGULAR)
    work_statement = models.OneToOneField(WorkStatement, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="payment_statement")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    correction_reason = models.TextField(blank=True)
    gross_amount = models.DecimalField(**MONEY)
    retention_amount = models.DecimalField(**MONEY)
    advance_recovery_amount = models.DecimalField(**MONEY)
    penalty_amount = models.DecimalField(**MONEY)
    taxable_amount = models.DecimalField(**MONEY)
    vat_rate = models.DecimalField(**RATE)
    vat_amount = models.DecimalField(**MONEY)
    net_amount = models.DecimalField(**MONEY)
    # The contract's terms this statement was computed and printed with (the contract may change later).
    retention_rate = models.DecimalField(_("retention rate"), **RATE)
    advance_recovery_rate = models.DecimalField(_("advance recovery rate"), **RATE)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"))
    amount_in_words_fr = models.TextField()
    amount_in_words_ar = models.TextField()
    due_on = models.DateField()
    penalty_detail = models.JSONField(default=list, blank=True)
    # Late penalties over the contract (billing.penalty_position): due for this period, carried in from earlier
    # statements, the cap over the contract and what was charged under it up to and including this statement,
    # what is carried to the next statements and what lies beyond the contract's cap (never charged).
    # penalty_amount is what this statement charges.
    penalty_due_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    penalty_carried_in_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    penalty_contract_cap_amount = models.DecimalField(null=True, blank=True, **MONEY)
    penalty_charged_to_date_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    penalty_carried_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    penalty_waived_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    # Incentive bonuses awarded on this statement (their rules and figures: StatementIncentive), in its VAT base
    # and net payable: gross + bonus − penalties = taxable.
    bonus_amount = models.DecimalField(default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["contract", "-issued_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contractor", "year", "sequence"], name="dep_paymentstatement_number"),
        ]


class IssuedFileKind(models.TextChoices):
    FIGURES = "figures", _("Figures (canonical JSON)")
    PDF = "pdf", _("PDF")
    UBL = "ubl", _("UBL e-invoice")
    FACTURX = "facturx", _("Factur-X (PDF/A-3 with CII XML)")
    WORK_PDF = "work_pdf", _("Work statement PDF")


class IssuedFileQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableDocumentError("issued files cannot be updated")

    def delete(self):
        raise ImmutableDocumentError("issued files cannot be deleted")


class IssuedFile(models.Model):
    """The bytes of a payment statement's documents as issued, with their SHA-256 (frozen.py).

    Downloads serve these bytes; `bawaba fibre_verify_documents` and the statement page check that the bytes
    still give the hash, that the figures of the statement row are still those frozen here, and that the
    e-invoices state them. "figures" is the canonical JSON of the row's figures at issue.
    """

    statement = models.ForeignKey(PaymentStatement, on_delete=models.PROTECT, related_name="issued_files")
    kind = models.CharField(max_length=12, choices=IssuedFileKind.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    objects = IssuedFileQuerySet.as_manager()

    class Meta:
        ordering = ["statement", "kind"]
        constraints = [models.UniqueConstraint(fields=["statement", "kind"], name="dep_issuedfile_one_per_kind")]

    def __str__(self):
        return f"{self.statement_id}:{self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError(f"issued file {self.pk} cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError(f"issued file {self.pk} cannot be deleted")


class Payment(models.Model):
    statement = models.ForeignKey(PaymentStatement, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement", "paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="dep_payment_positive")]

    def __str__(self):
        return f"{self.amount} on {self.paid_on}"

BONUS_MONEY = {"max_digits": 14, "decimal_places": 2}


class IncentiveKind(models.TextChoices):
    FIRST_TIME_RIGHT = "first_time_right", _("First-time-right work")
    EARLY_COMPLETION = "early_completion", _("Early completion")


class IncentiveRule(models.Model):
    """A bonus the contract grants (the ministry's incentives for contractors that keep to quality standards).

    first_time_right: when at least `threshold` of the work items accepted on a statement were never rejected,
    a bonus of `rate` × the statement's gross. early_completion: `amount` for each work order completed on the
    statement's period at least `days_early` days before its due date.
    """

    contract = models.ForeignKey("deployments.Contract", on_delete=models.PROTECT, related_name="incentive_rules")
    kind = models.CharField(max_length=20, choices=IncentiveKind.choices)
    threshold = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True,
                               validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.2"))])
    amount = models.DecimalField(null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **BONUS_MONEY)
    days_early = models.PositiveSmallIntegerField(default=0)
    starts_on = models.DateField(null=True, blank=True, help_text="Applies to statements of periods ending from then")
    is_active = models.BooleanField(default=True, help_text="A replaced rule that awarded bonuses is kept, inactive")

    class Meta:
        ordering = ["contract", "kind", "id"]

    def __str__(self):
        return f"{self.kind} on {self.contract_id}"


class StatementIncentive(models.Model):
    """A bonus awarded on a payment statement by one rule, with the figures that explain it (frozen at issue)."""

    statement = models.ForeignKey("deployments.PaymentStatement", on_delete=models.PROTECT, related_name="incentives")
    rule = models.ForeignKey(IncentiveRule, on_delete=models.PROTECT, related_name="awards")
    kind = models.CharField(max_length=20, choices=IncentiveKind.choices)
    amount = models.DecimalField(**BONUS_MONEY)
    # The figures of the computation: {"items": 40, "first_time_right": 38, "share": "0.9500", "threshold": ...}
    basis = models.JSONField(default=dict)

    class Meta:
        ordering = ["statement", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["statement", "rule"], name="dep_incentive_once_per_rule")]

    def __str__(self):
        return f"{self.kind} {self.amount}"

    @property
    def explanation(self) -> str:

        return explain(self)


# --------------------------------------------------------------------------- explanation


def explain(incentive: StatementIncentive) -> str:
    """One sentence in the reader's language saying how the bonus was computed."""
    basis = incentive.basis or {}
    if incentive.kind == IncentiveKind.FIRST_TIME_RIGHT:
        share = Decimal(basis.get("share", "0")) * 100
        threshold = Decimal(basis.get("threshold", "0")) * 100
        rate = Decimal(basis.get("rate", "0")) * 100
        return _("%(right)s of the %(items)s work items accepted on this statement were right the first time "
                 "(%(share)s %%, at least %(threshold)s %% required): bonus of %(rate)s %% of the gross "
                 "%(gross)s.") % {
            "right": basis.get("right_first_time", 0), "items": basis.get("items", 0),
            "share": f"{share.normalize():f}", "threshold": f"{threshold.normalize():f}",
            "rate": f"{rate.normalize():f}", "gross": basis.get("gross", "")}
    return _("%(count)s work order(s) completed at least %(days)s days before their due date (%(orders)s): "
             "%(each)s each.") % {
        "count": basis.get("count", 0), "days": basis.get("days_early", 0),
        "orders": ", ".join(basis.get("orders", [])), "each": basis.get("amount_each", "")}
