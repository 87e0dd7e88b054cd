"""Postal operations: the network, products and tariffs, S10 ranges, items and their tracking events.

An item's events are its history and its audit trail: rows are only added (a correction is a new event),
and the item's ``status`` is derived from them (bawaba.postal.tracking).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _

from bawaba.core.localised import LocalisedNameMixin
from bawaba.postal import events as codes


class Localised(LocalisedNameMixin, models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=150)
    name_ar = models.CharField(_("name (Arabic)"), max_length=150, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __str__(self):  # a model's own, so that linters and the admin see it
        return self.name


class OfficeKind(models.TextChoices):
    POST_OFFICE = "post_office", _("Post office")
    DELIVERY_OFFICE = "delivery_office", _("Delivery office")
    SORTING_CENTRE = "sorting_centre", _("Sorting centre")
    EXCHANGE_OFFICE = "exchange_office", _("Office of exchange")


class OfficeService(models.TextChoices):
    """What a customer can do at an office (published with the office, filtered on the public map)."""

    LETTERS = "letters", _("Letters and stamps")
    REGISTERED = "registered", _("Registered mail")
    PARCELS = "parcels", _("Parcels")
    EMS = "ems", _("EMS express")
    PICKUP = "pickup", _("Pick-up of held items")
    CASH = "cash", _("Postal cheques and cash")
    MONEY_TRANSFER = "money_transfer", _("Money transfers")
    PO_BOXES = "po_boxes", _("Post office boxes")
    CYBERPOSTE = "cyberposte", _("Public internet (cyber-poste)")
    HYBRID_MAIL = "hybrid_mail", _("Hybrid mail and e-mailbox")


class Office(Localised):
    """A place of the postal network. ``code`` is the operator's own office code; offices of exchange also
    carry their UPU IMPC code (six characters, e.g. DZALGA), which tracking events from abroad name."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="postal_offices")
    code = models.CharField(_("code"), max_length=20)
    impc = models.CharField(_("UPU IMPC code"), max_length=6, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OfficeKind.choices)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    commune = models.ForeignKey(
        "geo.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # {"mon": [["08:00", "16:30"]], ...}: the same shape as the organisations' business hours.
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    services = models.JSONField(_("services offered"), default=list, blank=True)
    # The sorting centre that serves a delivery or post office (routes and service levels follow it).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("served by"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Generated for the demonstration."))

    class Meta:
        ordering = ["organisation", "code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="postal_office_unique_code"),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "region"])]

    def offers(self, service: str) -> bool:
        return service in (self.services or [])


class PostalStaff(models.Model):
    """Where a member of the post works: a clerk's counter, a postman's delivery office, a sorting centre's
    scanners; a supervisor oversees a region (or the whole post when neither is set)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="postal_staff")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("postal staff posting")
        verbose_name_plural = _("postal staff postings")

    def __str__(self):
        return f"{self.user} @ {self.office or self.region or '*'}"


class Product(Localised):
    """A postal product the counter sells, with its S10 service indicator and its delivery target (J+n)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="postal_products")
    code = models.SlugField(_("code"), max_length=40)
    indicator = models.CharField(
        _("S10 service indicator"), max_length=2,
        validators=[RegexValidator(r"^[A-IL-RUVX-Z][A-Z]$",
                                   _("Two capital letters not starting with J, K, S, T or W."))],
    )
    tracked = models.BooleanField(_("tracked"), default=True)
    international = models.BooleanField(_("international"), default=False)
    max_weight_g = models.PositiveIntegerField(_("maximum weight (g)"), default=2000)
    target_days = models.PositiveSmallIntegerField(
        _("delivery target (working days, J+n)"), default=3, validators=[MinValueValidator(0), MaxValueValidator(60)]
    )
    # Days without any event after which an item of this product counts as stuck.
    stuck_after_days = models.PositiveSmallIntegerField(_("stuck after (days)"), default=3)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="postal_product_unique_code")]


class TariffVersion(models.Model):
    """Prices in force from a date. A new version never edits an old one: receipts keep their price."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="postal_tariffs")
    label = models.CharField(_("label"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    currency = models.CharField(_("currency"), max_length=3, default="DZD")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-valid_from"]
        verbose_name = _("tariff version")
        verbose_name_plural = _("tariff versions")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "valid_from"], name="postal_tariff_unique_start"),
        ]

    def __str__(self):
        return f"{self.label} ({self.valid_from:%d/%m/%Y})"


class TariffLine(models.Model):
    """Price of a product up to a weight; declared value adds ``value_rate`` (e.g. 0.01 = 1 %) of the value."""

    version = models.ForeignKey(TariffVersion, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    max_weight_g = models.PositiveIntegerField(_("up to (g)"))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    value_rate = models.DecimalField(_("rate on declared value"), max_digits=6, decimal_places=4, default=0)

    class Meta:
        ordering = ["version", "product", "max_weight_g"]
        constraints = [
            models.UniqueConstraint(fields=["version", "product", "max_weight_g"], name="postal_tariff_line_unique"),
        ]

    def __str__(self):
        return f"{self.product_id} ≤ {self.max_weight_g} g: {self.price}"


class S10Range(models.Model):
    """A block of serial numbers one office allocates for one product. ``next_serial`` only moves forward,
    under a row lock (bawaba.postal.numbering); a range that overlaps one used within the last 24 months is
    refused, so a number never comes back while its item may still be asked about."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="ranges")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="ranges")
    indicator = models.CharField(max_length=2)
    country = models.CharField(max_length=2)
    first_serial = models.PositiveIntegerField(validators=[MaxValueValidator(99_999_999)])
    last_serial = models.PositiveIntegerField(validators=[MaxValueValidator(99_999_999)])
    next_serial = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    last_allocated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["indicator", "first_serial"]
        verbose_name = _("S10 number range")
        verbose_name_plural = _("S10 number ranges")
        constraints = [
            models.CheckConstraint(condition=models.Q(first_serial__lte=models.F("last_serial")),
                                   name="postal_range_ordered"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.first_serial:08d}–{self.last_serial:08d} {self.country}"

    @property
    def remaining(self) -> int:
        return max(0, self.last_serial - self.next_serial + 1)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CCP = "ccp", _("Postal account (CCP)")
    CARD = "card", _("Card (EDAHABIA / CIB)")
    ACCOUNT = "account", _("Customer account")
    PREPAID = "prepaid", _("Prepaid (stamps, franking)")


class ItemStatus(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    ACCEPTED = "accepted", _("Accepted at the counter")
    IN_TRANSIT = "in_transit", _("In transit")
    CUSTOMS = "customs", _("At customs")
    AT_DELIVERY_OFFICE = "at_delivery_office", _("At the delivery office")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    HELD = "held", _("Waiting at a pick-up point")
    DELIVERY_FAILED = "delivery_failed", _("Delivery attempt failed")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned to sender")


class Item(models.Model):
    """A tracked postal item. Addresses follow UPU S42's elements: Algerian addresses carry a five-digit
    postcode matching the commune; Congolese ones (no postcodes) a quartier, a BP, a landmark and a phone."""

    number = models.CharField(_("S10 number"), max_length=13, db_index=True)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="postal_items")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    origin_country = models.CharField(max_length=2)
    destination_country = models.CharField(max_length=2)

    sender_name = models.CharField(_("sender"), max_length=150, blank=True)
    sender_phone = models.CharField(_("sender's phone"), max_length=20, blank=True)
    sender_address = models.TextField(_("sender's address"), blank=True)

    recipient_name = models.CharField(_("recipient"), max_length=150, blank=True)
    recipient_phone = models.CharField(_("recipient's phone"), max_length=20, blank=True)
    recipient_street = models.CharField(_("street and number"), max_length=200, blank=True)
    recipient_quartier = models.CharField(_("quartier"), max_length=120, blank=True)
    recipient_po_box = models.CharField(_("PO box (BP)"), max_length=20, blank=True)
    recipient_landmark = models.CharField(_("landmark"), max_length=200, blank=True)
    recipient_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    recipient_commune = models.ForeignKey(
        "geo.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    recipient_region = models.ForeignKey(
        "geo.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )

    weight_g = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    declared_value = models.DecimalField(_("declared value"), max_digits=12, decimal_places=2, null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    tariff = models.ForeignKey(TariffVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment_method = models.CharField(_("payment"), max_length=10, choices=PaymentMethod.choices, blank=True)

    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="accepted_items"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="items_to_deliver"
    )

    # Derived from the events (bawaba.postal.tracking.refresh_item): kept on the row for lists and lookups.
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.ANNOUNCED)
    last_event_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_event_code = models.CharField(max_length=3, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    needs_review = models.BooleanField(default=False, db_index=True)

    # One-time pick-up code for a held item: only its hash is kept.
    pickup_code_hash = models.CharField(max_length=64, blank=True)
    pickup_code_expires_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("postal item")
        verbose_name_plural = _("postal items")
        indexes = [
            models.Index(fields=["organisation", "status", "last_event_at"]),
            models.Index(fields=["delivery_office", "status"]),
            models.Index(fields=["accepted_office", "accepted_at"]),
        ]

    def __str__(self):
        return self.number


class EventSource(models.TextChoices):
    COUNTER = "counter", _("Counter")
    SCANNER = "scanner", _("Scanner")
    POSTMAN = "postman", _("Postman's phone")
    BULK = "bulk", _("Bulk file")
    API = "api", _("API")
    PARTNER = "partner", _("Foreign post (EMSEVT)")
    SYSTEM = "system", _("Platform")


class TrackingEvent(models.Model):
    """One scan or step of an item, coded after UPU EMSEVT. ``occurred_at`` is when it happened (device or
    scanner time); ``recorded_at`` when the platform learnt it. The same event sent twice is one row
    (``fingerprint``); an event that cannot follow the item's history is kept and flagged for review."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=3, choices=codes.EVENT_CHOICES)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    office_code = models.CharField(max_length=20, blank=True)  # as sent: our code or a foreign IMPC code
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    device = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=10, choices=EventSource.choices)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    reason_code = models.CharField(max_length=3, blank=True)  # unsuccessful delivery: why
    action_code = models.CharField(max_length=3, blank=True)  # unsuccessful delivery: what happens next
    signatory = models.CharField(max_length=150, blank=True)  # who received a delivered item
    details = models.JSONField(default=dict, blank=True)  # signature/photo references, remarks, partner fields
    fingerprint = models.CharField(max_length=64, unique=True)
    flagged = models.BooleanField(default=False, db_index=True)
    flag_reason = models.CharField(max_length=60, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["item", "occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        indexes = [models.Index(fields=["item", "occurred_at"]), models.Index(fields=["office", "occurred_at"])]

    def __str__(self):
        return f"{self.item_id} {self.code} {self.occurred_at:%Y-%m-%d %H:%M}"


# --- API idempotency and webhooks (tracking)


class ApiIdempotency(models.Model):
    """An ``Idempotency-Key`` a post's integration sent with a write of the postal API, and the answer it got.

    Claimed in the transaction that makes the write: a retry (even a concurrent one) gets the first answer
    back instead of writing twice; the same key with another body is refused. A refused write stores nothing,
    its key included, so the integration can correct its body and send it again under the same key."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=40)  # "items.create", "events.add", "events.bulk"…
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("postal API idempotency key")
        verbose_name_plural = _("postal API idempotency keys")
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="postal_idempotency_unique")]

    def __str__(self):
        return f"{self.operation} {self.key}"


def new_webhook_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """A post's partner system that wants to hear of new tracking events (an e-commerce site, a customs
    broker). Each delivery is signed with ``secret`` (HMAC-SHA256 over the timestamp and the body)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="postal_webhooks", verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_webhook_secret,
                              help_text=_("Shared with the subscriber, who checks each delivery's signature."))
    event_codes = models.JSONField(_("event codes"), default=list, blank=True,
                                   help_text=_("EMSEVT codes to send (e.g. [\"EMG\", \"EMI\"]); empty: every event."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone_now)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")

    def __str__(self):
        return f"{self.name} → {self.url}"

    def wants(self, code: str) -> bool:
        return not self.event_codes or code in self.event_codes


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (given up)")


class WebhookDelivery(models.Model):
    """One payload for one subscriber, tried until it answers 2xx or the attempts run out (back-off doubles
    each time). The log of what was sent, when, and what went wrong."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("subscriber"))
    event_id = models.CharField(_("delivery id"), max_length=40, unique=True)
    payload = models.JSONField(_("payload"))
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return self.event_id


# --- rounds (field)

class Round(models.Model):
    """A postman's round of one day from one delivery office: the items taken out (EDG recorded for each)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="rounds")
    postman = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="postal_rounds")
    day = models.DateField(_("day"))
    taken_out_at = models.DateTimeField(_("taken out at"))

    class Meta:
        ordering = ["-day", "office"]
        verbose_name = _("delivery round")
        verbose_name_plural = _("delivery rounds")
        constraints = [
            models.UniqueConstraint(fields=["office", "postman", "day"], name="postal_round_one_a_day"),
        ]

    def __str__(self):
        return f"{self.office.code} {self.postman} {self.day:%d/%m/%Y}"


class RoundOutcome(models.TextChoices):
    PENDING = "", _("To deliver")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Not delivered")


class RoundItem(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="round_entries")
    position = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=RoundOutcome.choices, blank=True, default="")
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "item"], name="postal_round_item_once")]

    def __str__(self):
        return f"{self.round_id} {self.item_id} {self.outcome or '-'}"


def proof_path(instance, filename):
    return f"postal/proofs/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class DeliveryProof(models.Model):
    """The signature drawn on the postman's phone (PNG) or a photo of the delivery, kept with its hash; the
    event's ``details`` name the hash. ``client_id`` is the phone's queue entry: a replay stores nothing more."""

    SIGNATURE = "signature"
    PHOTO = "photo"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="proofs")
    client_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=[(SIGNATURE, _("Signature")), (PHOTO, _("Photo"))])
    file = models.FileField(upload_to=proof_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_id", "kind"], name="postal_proof_once")]

    def __str__(self):
        return f"{self.kind} {self.sha256[:12]}"


class RecipientChoice(models.TextChoices):
    REDELIVER = "redeliver", _("Deliver it again")
    HOLD = "hold", _("Keep it at the post office for me")


class DeliveryInstruction(models.Model):
    """What the recipient asked through the signed link of their SMS: the round and the counter read it."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="instructions")
    choice = models.CharField(_("choice"), max_length=10, choices=RecipientChoice.choices)
    requested_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["item", "requested_at"])]

    def __str__(self):
        return f"{self.item_id} {self.choice}"


class PickupAttempt(models.Model):
    """Each check of a pick-up code at a counter (wrong codes count towards the limit)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="pickup_attempts")
    office = models.ForeignKey(Office, null=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self):
        return f"{self.item_id} {'ok' if self.succeeded else 'wrong'} {self.at:%Y-%m-%d %H:%M}"


# --- service centre links (ops)

class RequestItemLink(models.Model):
    """A service-centre request (a complaint, a "where is my parcel?") attached to the item it is about.
    Only the post that owns the item links it, to a request it owns (bawaba.postal.desk_links); the link is
    recorded in the request's history too. An unsuccessful delivery of a linked item tells the citizen."""

    request = models.ForeignKey("servicedesk.Request", on_delete=models.CASCADE, related_name="postal_links")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="request_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = _("request linked to an item")
        verbose_name_plural = _("requests linked to items")
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="postal_request_item_unique")]

    def __str__(self):
        return f"{self.request_id} ↔ {self.item_id}"


class ReviewDecision(models.TextChoices):
    VALID = "valid", _("Accepted as valid")
    ERROR = "error", _("Confirmed as an error")


class EventReview(models.Model):
    """A supervisor's decision on a flagged event (bawaba.postal.views.dashboards): the event keeps its row
    (``reviewed_at``/``reviewed_by`` are set on it); the decision and the note are kept here."""

    event = models.OneToOneField(TrackingEvent, on_delete=models.CASCADE, related_name="review")
    decision = models.CharField(_("decision"), max_length=5, choices=ReviewDecision.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("review of a flagged event")
        verbose_name_plural = _("reviews of flagged events")

    def __str__(self):
        return f"{self.event_id}: {self.decision}"
