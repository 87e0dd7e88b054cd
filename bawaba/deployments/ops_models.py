"""After the roll-out: maintenance work orders opened from the service centre, and the incentive rules of a
contract with the bonuses they award on statements (bawaba.deployments.maintenance and .incentives).

Imported at the end of models.py, so Django registers them with the deployments app.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class FaultKind(models.TextChoices):
    NO_SIGNAL = "no_signal", _("No signal (line down)")
    WEAK_SIGNAL = "weak_signal", _("Weak signal, slow or unstable line")
    CABLE_CUT = "cable_cut", _("Cable cut or damaged")
    ONT_FAULT = "ont_fault", _("Faulty terminal (ONT)")
    OTHER = "other", _("Other fault")


# Hours the contractor has to repair, from the moment the order is opened (a line down first).
INTERVENTION_HOURS = {FaultKind.NO_SIGNAL: 24, FaultKind.CABLE_CUT: 24, FaultKind.ONT_FAULT: 48,
                      FaultKind.WEAK_SIGNAL: 72, FaultKind.OTHER: 72}


class MaintenanceOrder(models.Model):
    """A work order (kind "maintenance") opened from a citizen's fault request about a fibre line."""

    work_order = models.OneToOneField("deployments.WorkOrder", on_delete=models.PROTECT, related_name="maintenance")
    request = models.ForeignKey("servicedesk.Request", on_delete=models.PROTECT, related_name="fibre_maintenance")
    fault = models.CharField(max_length=16, choices=FaultKind.choices)
    intervention_due_at = models.DateTimeField(_("intervention deadline"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    # The last work-order state the citizen was told of: each state is told once.
    told_state = models.CharField(max_length=24, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One open maintenance per request and line is enough; a second fault later gets a new request.
            models.UniqueConstraint(fields=["request"], name="dep_maintenance_one_per_request"),
        ]

    def __str__(self):
        return f"{self.work_order_id} for {self.request_id}"


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
    amount = models.DecimalField(null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **MONEY)
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
    amount = models.DecimalField(**MONEY)
    # The figures of the computation: {"items": 40, "first_time_right": 38, "share": "0.9500", "threshold": ...}
    basis = models.JSONField(default=dict)

    class Meta:
        ordering = ["statement", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["statement", "rule"], name="dep_incentive_once_per_rule")]

    def __str__(self):
        return f"{self.kind} {self.amount}"

    @property
    def explanation(self) -> str:
        from .incentives import explain

        return explain(self)
