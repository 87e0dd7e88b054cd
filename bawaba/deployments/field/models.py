"""Models of the field: reports, their photos and reported items (the acceptance decisions), and the priced
line of each accepted item (BillingLine: the running statement)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When

from ..common.models import MONEY, QUANTITY, Decision, ImmutableDocumentError
from ..common.rules import reason_text
from ..work.models import Contract, PriceItem, RuleSet, WorkItem, WorkOrder

# --------------------------------------------------------------------------- field reports and evidence


class FieldReport(models.Model):
    """What a contractor reports from the field. `client_uuid` makes re-sending from the offline queue safe."""

    client_uuid = models.UUIDField(unique=True)
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="reports")
    contractor = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="fibre_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(db_index=True)
    device_started_at = models.DateTimeField(null=True, blank=True)
    device_reported_at = models.DateTimeField(null=True, blank=True)
    # Seconds by which the device's times were ahead of the server when the report arrived (None: not ahead).
    # Device times are stored as sent; beyond the rule set's tolerance the items go to an inspector.
    device_clock_ahead_s = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    gps_accuracy_m = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    ont_serial = models.CharField(max_length=16, blank=True, db_index=True)
    ont_rx_power_dbm = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    link_loss_db = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    splice_losses_db = models.JSONField(default=list, blank=True, help_text="Two-way average per splice, dB")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.work_order.reference} {self.client_uuid}"


def photo_path(instance, filename):
    return f"fibre/photos/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Photo(models.Model):
    report = models.ForeignKey(FieldReport, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to=photo_path, max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    # Set when the same bytes were already submitted: the first occurrence stays the only original.
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reuses")
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    exif_taken_at = models.DateTimeField(null=True, blank=True)
    exif_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    exif_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Perceptual hash (photohash.py: 16 hex digits, None for an image without detail) and its four 16-bit bands,
    # each indexed, to find near-duplicates among many photos; the nearest earlier photo found within the rule
    # sets' distance when the report arrived, and its distance in bits.
    phash = models.CharField(max_length=16, null=True, blank=True)
    phash_band0 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band1 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band2 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band3 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    similar_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    similar_distance = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sha256"], condition=Q(reused_from__isnull=True),
                                    name="dep_photo_unique_original_hash"),
        ]

    def __str__(self):
        return f"{self.sha256[:12]}.{self.extension}"


class ReportedItem(models.Model):
    """One reported quantity of one work item, with its acceptance decision and reasons."""

    report = models.ForeignKey(FieldReport, on_delete=models.PROTECT, related_name="items")
    work_item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="reported")
    quantity = models.DecimalField(**QUANTITY)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING, db_index=True)
    # [{"code": "rx_power_out_of_window", "params": {...}}, ...]: texts come from rules.reason_text().
    reasons = models.JSONField(default=list, blank=True)
    rule_set = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    auto_decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="Empty when decided by the rules engine")
    inspector_note = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dep_reporteditem_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.work_item_id} × {self.quantity} ({self.decision})"

    def reason_texts(self) -> list[str]:

        return [reason_text(r["code"], r.get("params", {})) for r in self.reasons]


class BillingLineQuerySet(models.QuerySet):
    """Lines on an issued statement are frozen with it: update() and delete() refuse to touch them.

    The billing code attaches unbilled lines to a new statement with update(work_statement=…), which stays
    allowed: those lines are not on a statement yet. Only rows still unbilled are written, so a line attached
    meanwhile by another transaction is not overwritten either.
    """

    def update(self, **kwargs):
        if self.filter(work_statement__isnull=False).exists():
            raise ImmutableDocumentError("billing lines on an issued statement cannot be updated")
        return super(BillingLineQuerySet, self.filter(work_statement__isnull=True)).update(**kwargs)

    update.alters_data = True

    def delete(self):
        if self.filter(work_statement__isnull=False).exists():
            raise ImmutableDocumentError("billing lines on an issued statement cannot be deleted")
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def attach_unbilled(self, statement_of_contract: dict[int, int]) -> int:
        """Attach the still unbilled lines of this queryset to the new work statement of their contract
        ({contract id: work statement id}); only for issuing. Lines on a statement already are never touched
        (so no check first, unlike update()): the caller compares the count returned with the lines it
        locked. Returns the number of lines attached."""
        if not statement_of_contract:
            return 0
        target = Case(*[When(contract_id=contract_id, then=Value(statement_id))
                        for contract_id, statement_id in statement_of_contract.items()],
                      output_field=models.BigIntegerField())
        unbilled = self.filter(work_statement__isnull=True, contract_id__in=list(statement_of_contract))
        return models.QuerySet.update(unbilled, work_statement=target)

    attach_unbilled.alters_data = True
    attach_unbilled.queryset_only = True


class BillingLine(models.Model):
    """An accepted, priced quantity on the contractor's running statement (one per accepted item).

    Once on an issued statement a line never changes (save, delete and queryset update/delete refuse).
    """

    # Few indexes on purpose: issuing a statement updates every line's work_statement, and each index
    # costs a write per line. (contract, work_statement, accepted_at) serves the running statement.
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="billing_lines",
                                 db_index=False)
    reported_item = models.OneToOneField(ReportedItem, on_delete=models.PROTECT, related_name="billing_line")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="+", db_index=False)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+", db_index=False)
    price_item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="+", db_index=False)
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    accepted_at = models.DateTimeField()
    work_statement = models.ForeignKey("WorkStatement", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="lines")

    objects = BillingLineQuerySet.as_manager()

    class Meta:
        ordering = ["accepted_at", "id"]
        indexes = [
            models.Index(fields=["contract", "work_statement", "accepted_at"], name="dep_line_contract_stmt"),
        ]

    def __str__(self):
        return f"{self.price_item_id} × {self.quantity} = {self.amount}"

    def save(self, *args, **kwargs):
        if self._is_on_issued_statement():
            raise ImmutableDocumentError(f"billing line {self.pk} is on an issued statement and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._is_on_issued_statement():
            raise ImmutableDocumentError(f"billing line {self.pk} is on an issued statement and cannot be deleted")
        return super().delete(*args, **kwargs)

    def _is_on_issued_statement(self) -> bool:
        if self._state.adding or self.pk is None:
            return False
        return type(self)._base_manager.filter(pk=self.pk, work_statement__isnull=False).exists()
