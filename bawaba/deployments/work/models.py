"""Fibre deployment tracking and contractor billing.

Programme → Contract (contractor organisation, wilayas, price schedule version, money rules)
Site → WorkOrder (TMF697 states, FTTH or administration-site steps) → WorkItem (price item, planned qty)
FieldReport (client UUID, GPS, measurements, photos) → ReportedItem (done qty, acceptance decision)
An accepted ReportedItem gets exactly one BillingLine in the same transaction (the running statement).
WorkStatement ("situation de travaux") and PaymentStatement ("décompte") are numbered without gaps per
contractor per year and are immutable once issued; Payment rows record what was paid.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..common.models import MONEY, QUANTITY, RATE, FrozenOnceUsed, Localised
from ..common.rules import merged_params


def _field_models():
    """The field's ReportedItem and BillingLine, through the app registry: work does not import field (the
    rule sets and price items only ask whether reported work used them)."""
    return apps.get_model("deployments", "ReportedItem"), apps.get_model("deployments", "BillingLine")


class RuleSet(FrozenOnceUsed):
    """A versioned set of acceptance thresholds (see rules.DEFAULT_PARAMS for the keys).

    A version is never edited once an item has been decided with it: publish a new version instead
    (the description alone may still be corrected).
    """

    frozen_fields = ("code", "version", "params")

    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    description = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True, help_text="Overrides of rules.DEFAULT_PARAMS")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="dep_ruleset_unique_version")]

    def __str__(self):
        return f"{self.code} v{self.version}"

    def effective_params(self) -> dict:

        return merged_params(self.params)

    def is_in_use(self) -> bool:
        """Some reported item was decided with these thresholds, or work priced under them was billed."""
        reported_item, billing_line = _field_models()
        return (reported_item.objects.filter(rule_set_id=self.pk).exists()
                or billing_line.objects.filter(price_item__rule_set_id=self.pk).exists())

    def in_use_message(self):
        return _("Rule set %(rule_set)s has already been used to decide reported work: publish a new version "
                 "instead of editing it.") % {"rule_set": f"{self.code} v{self.version}"}


class PriceSchedule(models.Model):
    """A "bordereau des prix unitaires" of an operator; its prices live in versions."""

    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="price_schedules")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="DZD")

    class Meta:
        ordering = ["operator", "code"]
        constraints = [models.UniqueConstraint(fields=["operator", "code"], name="dep_schedule_unique_code")]

    def __str__(self):
        return self.name


class PriceScheduleVersion(models.Model):
    schedule = models.ForeignKey(PriceSchedule, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    valid_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["schedule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "version"], name="dep_schedule_version_unique")
        ]

    def __str__(self):
        return f"{self.schedule.code} v{self.version}"


class Unit(models.TextChoices):
    EACH = "each", _("each")
    METRE = "m", _("metre")
    KILOMETRE = "km", _("kilometre")
    SPLICE = "splice", _("splice")
    HOME = "home", _("home")
    PACKAGE = "package", _("lump sum")


class FtthStep(models.TextChoices):
    SURVEY = "survey", _("Survey")
    CIVIL_WORKS = "civil_works", _("Civil works")
    CABLE_PULLING = "cable_pulling", _("Cable pulling")
    SPLICING = "splicing", _("Splicing")
    DISTRIBUTION_BOX = "distribution_box", _("Distribution box")
    DROP = "drop", _("Drop cable")
    ONT_INSTALL = "ont_install", _("ONT installation")
    ACTIVATION = "activation", _("Activation")


class SiteStep(models.TextChoices):
    SURVEY = "survey", _("Survey")
    CONNECTION = "connection", _("Connection")
    WIFI = "wifi", _("Wi-Fi access points configured")


class MaintenanceStep(models.TextChoices):
    """A maintenance work order (bawaba.deployments.maintenance): find the fault, then repair it."""

    DIAGNOSIS = "diagnosis", _("Fault diagnosis")
    REPAIR = "repair", _("Repair")


ALL_STEPS = list(dict.fromkeys([*FtthStep.values, *SiteStep.values, *MaintenanceStep.values]))
STEP_LABELS = {**dict(FtthStep.choices), **dict(SiteStep.choices), **dict(MaintenanceStep.choices)}


class PriceItem(FrozenOnceUsed):
    """One line of the price schedule: what is paid, how much, and what evidence it needs.

    Frozen (every field, labels included: issued documents print them) once work was reported against it.
    """

    version = models.ForeignKey(PriceScheduleVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(max_length=30)
    label_fr = models.CharField(max_length=200)
    label_ar = models.CharField(max_length=200, blank=True)
    label_en = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.EACH)
    unit_price = models.DecimalField(_("unit price excl. tax"), **MONEY)
    step = models.CharField(max_length=20, choices=[(s, STEP_LABELS[s]) for s in ALL_STEPS])
    # Evidence the field report must carry for this item.
    min_photos = models.PositiveSmallIntegerField(default=1)
    requires_position = models.BooleanField(default=True)
    requires_ont_serial = models.BooleanField(default=False)
    checks_rx_power = models.BooleanField(default=False)
    checks_link_loss = models.BooleanField(default=False)
    checks_splice_loss = models.BooleanField(default=False)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="price_items")

    class Meta:
        ordering = ["version", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="dep_priceitem_unique_code")]

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        lang = (translation.get_language() or "fr")[:2]
        return getattr(self, f"label_{lang}", "") or self.label_fr

    def is_in_use(self) -> bool:
        """Work was reported (and so decided) against this price, or billed at it."""
        reported_item, billing_line = _field_models()
        return (reported_item.objects.filter(work_item__price_item_id=self.pk).exists()
                or billing_line.objects.filter(price_item_id=self.pk).exists())

    def in_use_message(self):
        return _("Price item %(code)s has already been used for reported or billed work: publish a new version "
                 "of the price schedule instead of editing it.") % {"code": self.code}


# --------------------------------------------------------------------------- programmes and contracts


class ProgrammeKind(models.TextChoices):
    FTTH = "ftth", _("Fibre to the home")
    SITES = "sites", _("Administration sites")


class Programme(Localised):
    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="programmes")
    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=ProgrammeKind.choices, default=ProgrammeKind.FTTH)
    country = models.CharField(max_length=2, default="DZ")
    target_homes_passed = models.PositiveIntegerField(default=0)
    target_homes_connected = models.PositiveIntegerField(default=0)
    target_sites = models.PositiveIntegerField(default=0)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    @property
    def currency(self) -> str:
        """The currency of the programme's prices and statements: its contracts' (XAF for a Congolese programme),
        DZD while it has none. One currency per programme is assumed, as every programme of the demo has."""
        from bawaba.deployments.common.money import DEFAULT_CURRENCY

        return (self.contracts.values_list("price_schedule_version__schedule__currency", flat=True).first()
                or DEFAULT_CURRENCY)


class Contract(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="contracts")
    contractor = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="fibre_contracts")
    reference = models.CharField(max_length=40, unique=True)
    # The approval the contract received before execution (e.g. the procurement commission's visa number and
    # date), printed on every statement beside the reference.
    approval_reference = models.CharField(_("approval reference"), max_length=160, blank=True)
    wilayas = models.ManyToManyField("geo.Region", related_name="fibre_contracts")
    price_schedule_version = models.ForeignKey(PriceScheduleVersion, on_delete=models.PROTECT,
                                               related_name="contracts")
    retention_rate = models.DecimalField(_("retention rate"), default=Decimal("0.0500"), **RATE)
    advance_amount = models.DecimalField(_("advance paid"), default=Decimal("0"), **MONEY)
    advance_recovery_rate = models.DecimalField(_("advance recovery rate"), default=Decimal("0"), **RATE)
    penalty_per_day = models.DecimalField(_("penalty per work order per day late"), default=Decimal("0"), **MONEY)
    penalty_cap_rate = models.DecimalField(
        _("penalty cap (share of the contract amount; on one statement, of its gross)"), default=Decimal("0.1000"),
        **RATE)
    # The contract amount excl. tax ("montant du marché"), base of the penalty cap over the whole contract; empty:
    # the cap applies to the amount billed so far (billing.penalty_position).
    contract_amount = models.DecimalField(_("contract amount excl. tax"), null=True, blank=True, **MONEY)
    vat_rate = models.DecimalField(_("VAT rate"), default=Decimal("0.1900"), **RATE)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return self.reference

    @property
    def currency(self) -> str:
        """ISO 4217 code the contract bills in: its price schedule's (DZD in Algeria, XAF in Congo). Load the
        contract with select_related("price_schedule_version__schedule") to read it without a query."""
        return self.price_schedule_version.schedule.currency

    def clean(self):
        if self.retention_rate + self.advance_recovery_rate + self.penalty_cap_rate >= 1:
            raise ValidationError(_("Retention, advance recovery and penalty cap must stay below 100 % together."))
        for field in ("retention_rate", "advance_recovery_rate", "penalty_cap_rate", "vat_rate"):
            if not Decimal("0") <= getattr(self, field) < 1:
                raise ValidationError({field: _("A rate is between 0 and 1 (0.05 for 5 %).")})
        if self.contract_amount is not None and self.contract_amount <= 0:
            raise ValidationError({"contract_amount": _("The contract amount is above zero, or left empty.")})


# --------------------------------------------------------------------------- sites and work orders


class SiteKind(models.TextChoices):
    HOME = "home", _("Home")
    BUILDING = "building", _("Building")
    MINISTRY = "ministry", _("Ministry")
    CIVIL_REGISTRY = "civil_registry", _("Civil-registry centre")
    HOSPITAL = "hospital", _("Hospital")
    COURT = "court", _("Court")
    SCHOOL = "school", _("School")
    TOWN_HALL = "town_hall", _("Town hall")
    OTHER_ADMINISTRATION = "administration", _("Other administration")


HOME_KINDS = (SiteKind.HOME, SiteKind.BUILDING)


class Site(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=SiteKind.choices)
    name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="fibre_sites")
    commune = models.ForeignKey("geo.Commune", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="fibre_sites")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    homes = models.PositiveIntegerField(default=1, help_text="Homes passed when the network reaches the site")

    class Meta:
        ordering = ["programme", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="dep_site_unique_code")]

    def __str__(self):
        return f"{self.code} {self.name}".strip()


class WorkOrderKind(models.TextChoices):
    FTTH = "ftth", _("FTTH connection")
    SITE = "site", _("Administration site connection")
    MAINTENANCE = "maintenance", _("Maintenance of a line")


STEPS_BY_KIND = {WorkOrderKind.FTTH: list(FtthStep.values), WorkOrderKind.SITE: list(SiteStep.values),
                 WorkOrderKind.MAINTENANCE: list(MaintenanceStep.values)}


class WorkOrderState(models.TextChoices):
    """TM Forum TMF697 WorkOrderStateType values (camelCase as in the API)."""

    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REJECTED = "rejected", _("Rejected")
    PENDING = "pending", _("Pending")
    HELD = "held", _("Held")
    IN_PROGRESS = "inProgress", _("In progress")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    PARTIAL = "partial", _("Partially completed")
    ASSESSING_CANCELLATION = "assessingCancellation", _("Assessing cancellation")
    PENDING_CANCELLATION = "pendingCancellation", _("Pending cancellation")


# States in which a contractor may still report work.
REPORTABLE_STATES = (WorkOrderState.ACKNOWLEDGED, WorkOrderState.IN_PROGRESS, WorkOrderState.PENDING,
                     WorkOrderState.PARTIAL)
WORK_ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    WorkOrderState.ACKNOWLEDGED: (WorkOrderState.IN_PROGRESS, WorkOrderState.HELD, WorkOrderState.REJECTED,
                                  WorkOrderState.CANCELLED),
    WorkOrderState.IN_PROGRESS: (WorkOrderState.PENDING, WorkOrderState.HELD, WorkOrderState.COMPLETED,
                                 WorkOrderState.PARTIAL, WorkOrderState.FAILED,
                                 WorkOrderState.ASSESSING_CANCELLATION),
    WorkOrderState.PENDING: (WorkOrderState.IN_PROGRESS, WorkOrderState.HELD, WorkOrderState.COMPLETED,
                             WorkOrderState.ASSESSING_CANCELLATION),
    WorkOrderState.HELD: (WorkOrderState.IN_PROGRESS, WorkOrderState.ASSESSING_CANCELLATION,
                          WorkOrderState.CANCELLED),
    WorkOrderState.PARTIAL: (WorkOrderState.IN_PROGRESS, WorkOrderState.COMPLETED),
    WorkOrderState.ASSESSING_CANCELLATION: (WorkOrderState.PENDING_CANCELLATION, WorkOrderState.IN_PROGRESS),
    WorkOrderState.PENDING_CANCELLATION: (WorkOrderState.CANCELLED,),
    WorkOrderState.REJECTED: (),
    WorkOrderState.CANCELLED: (),
    WorkOrderState.COMPLETED: (),
    WorkOrderState.FAILED: (),
}


class WorkOrder(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="work_orders")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="work_orders")
    kind = models.CharField(max_length=12, choices=WorkOrderKind.choices, default=WorkOrderKind.FTTH)
    state = models.CharField(max_length=24, choices=WorkOrderState.choices, default=WorkOrderState.ACKNOWLEDGED,
                             db_index=True)
    # Number of steps done in order (steps without work items count as done); 0 = nothing done yet.
    steps_done = models.PositiveSmallIntegerField(default=0)
    requested_start = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # When the contractor finished (the receipt of the last accepted report): late penalties and delays count
    # up to it. The completion is recorded later when an inspector accepted the last item; the late penalty goes
    # on the statement whose period holds that recording, as the accepted item's billing line does, so an order
    # finished in a period already issued is penalised on the next statement, never twice and never not at all.
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reference"]
        indexes = [models.Index(fields=["contract", "state"], name="dep_wo_contract_state")]

    def __str__(self):
        return self.reference

    @property
    def steps(self) -> list[str]:
        return STEPS_BY_KIND[self.kind]

    @property
    def current_step(self) -> str | None:
        """The next step to do, None when every step is done."""
        steps = self.steps
        return steps[self.steps_done] if self.steps_done < len(steps) else None

    @property
    def current_step_label(self) -> str:
        step = self.current_step
        return str(STEP_LABELS[step]) if step else str(_("All steps done"))

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        if not self.due_on:
            return False
        end = self.completed_at or timezone.now()
        return timezone.localdate(end) > self.due_on


class WorkItemState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_REVIEW = "in_review", _("Awaiting inspection")
    REJECTED = "rejected", _("Rejected, to redo")
    PARTIAL = "partial", _("Partly accepted")
    ACCEPTED = "accepted", _("Accepted")


class WorkItem(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="items")
    price_item = models.ForeignKey(PriceItem, on_delete=models.PROTECT, related_name="work_items")
    planned_quantity = models.DecimalField(**QUANTITY)
    accepted_quantity = models.DecimalField(default=Decimal("0"), **QUANTITY)
    state = models.CharField(max_length=12, choices=WorkItemState.choices, default=WorkItemState.PLANNED)

    class Meta:
        ordering = ["work_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "price_item"], name="dep_workitem_unique_price_item"),
            models.CheckConstraint(condition=Q(planned_quantity__gt=0), name="dep_workitem_planned_positive"),
        ]

    def __str__(self):
        return f"{self.work_order.reference} {self.price_item.code}"


# --------------------------------------------------------------------------- audit


class EventKind(models.TextChoices):
    REPORT_RECEIVED = "report_received", _("Report received")
    ITEM_DECIDED = "item_decided", _("Item decided")
    ITEM_INSPECTED = "item_inspected", _("Item inspected")
    WORK_ORDER_STATE = "wo_state", _("Work order state changed")
    IMPORTED = "imported", _("Imported")
    STATEMENT_ISSUED = "statement_issued", _("Statement issued")
    PAYMENT_RECORDED = "payment_recorded", _("Payment recorded")
    CONTRACT = "contract", _("Contract changed")


class DeploymentEvent(models.Model):
    """Audit trail of the fibre app, written in the same transaction as the change."""

    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


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
