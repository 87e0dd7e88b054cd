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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bawaba.core.localised import LocalisedNameMixin

MONEY = {"max_digits": 16, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}
RATE = {"max_digits": 6, "decimal_places": 4}


class Localised(LocalisedNameMixin, models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):  # a model's own, so that linters and the admin see it
        return self.name


# --------------------------------------------------------------------------- rules and prices


class FrozenOnceUsedQuerySet(models.QuerySet):
    """`update()` of a frozen field is refused as `save()` is, when any of the rows is in use: a bulk update
    must not change a price or a threshold retroactively either (each row's use is checked: such updates are
    rare, and every row must be checked before anything is written)."""

    def update(self, **kwargs):
        frozen = set(self.model.frozen_fields) or {f.name for f in self.model._meta.concrete_fields}
        frozen |= {self.model._meta.get_field(name).attname for name in frozen}
        if frozen & set(kwargs):
            for row in self:
                if row.is_in_use():
                    raise ValidationError(row.in_use_message(), code="published_version_in_use")
        return super().update(**kwargs)


class FrozenOnceUsed(models.Model):
    """A published version (rule set, price item) that refuses edits once work has been decided with it.

    Thresholds and prices must never change retroactively: publish a new version instead. `clean()` shows the
    refusal in forms (admin); `save()` refuses it from code. Only a real change of a frozen field is refused.
    """

    frozen_fields: tuple[str, ...] = ()  # field names; empty = every concrete field

    objects = FrozenOnceUsedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_retroactive_change()
        super().save(*args, **kwargs)

    def is_in_use(self) -> bool:
        raise NotImplementedError

    def in_use_message(self):
        raise NotImplementedError

    def changed_frozen_fields(self) -> list[str]:
        if self._state.adding or self.pk is None:
            return []
        fields = [f for f in self._meta.concrete_fields
                  if not f.primary_key and (not self.frozen_fields or f.name in self.frozen_fields)]
        stored = type(self)._base_manager.filter(pk=self.pk).values(*[f.attname for f in fields]).first()
        if stored is None:
            return []
        changed = []
        for field in fields:
            try:
                value = field.to_python(getattr(self, field.attname))
            except ValidationError:
                value = getattr(self, field.attname)
            if value != stored[field.attname]:
                changed.append(field.name)
        return changed

    def _refuse_retroactive_change(self):
        if self.changed_frozen_fields() and self.is_in_use():
            raise ValidationError(self.in_use_message(), code="published_version_in_use")

    def clean(self):
        super().clean()
        self._refuse_retroactive_change()


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
        from .rules import merged_params

        return merged_params(self.params)

    def is_in_use(self) -> bool:
        """Some reported item was decided with these thresholds, or work priced under them was billed."""
        return (ReportedItem.objects.filter(rule_set_id=self.pk).exists()
                or BillingLine.objects.filter(price_item__rule_set_id=self.pk).exists())

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
        return (ReportedItem.objects.filter(work_item__price_item_id=self.pk).exists()
                or BillingLine.objects.filter(price_item_id=self.pk).exists())

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


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DOUBTFUL = "doubtful", _("Doubtful, for an inspector")


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
        from .rules import reason_text

        return [reason_text(r["code"], r.get("params", {})) for r in self.reasons]


# --------------------------------------------------------------------------- billing


class ImmutableDocumentError(Exception):
    """An issued statement was about to change. Corrections are new documents."""


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
    # "statistical_identifier", "trade_register_number", "tax_article_number"; "approval" (the contract's).
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


class IdempotencyRecord(models.Model):
    """A money write (payment, correction) made under a client's Idempotency-Key or a form's token.

    Stored in the same transaction as the write, so a retry finds either both or neither; the unique key
    makes a concurrent retry wait for the first submission and then replay it.
    """

    key_hash = models.CharField(max_length=64, unique=True)  # sha256 of kind, organisation and key
    kind = models.CharField(max_length=20)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request's values
    object_pk = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.kind} {self.object_pk}"


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


# Maintenance work orders and incentive rules (fibre-ops): models of their own module, registered here.
from .ops_models import IncentiveRule, MaintenanceOrder, StatementIncentive  # noqa: E402, F401
