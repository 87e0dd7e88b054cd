"""Hybrid mail and the electronic postal mailbox (docs/hybrid-mail.md).

A sending organisation deposits letters (one PDF each, or a mail merge) in batches. Each letter goes to the
recipient's electronic postal mailbox when they have one, or is printed at the centre covering their commune
and delivered by a postman; a registered letter left unopened in the mailbox past its product's delay goes to
paper as well. One letter has one evidence chain (bawaba.evidence, subject "hybridmail.letter:<reference>")
whichever path it takes. Letters' content is stored encrypted at rest (bawaba.hybridmail.vault).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bawaba.core.localised import LocalisedNameMixin


class Localised(LocalisedNameMixin, models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=150)
    name_ar = models.CharField(_("name (Arabic)"), max_length=150, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name


# --- Products and prices ----------------------------------------------------------------------------------

class Path(models.TextChoices):
    DIGITAL_ONLY = "digital", _("Digital only")
    DIGITAL_THEN_PAPER = "digital_paper", _("Digital, then paper if not opened")
    PAPER = "paper", _("Paper")


class MailProduct(Localised):
    """What a sender buys for a letter, from one postal operator: ordinary or registered, and its path.
    A registered letter printed on paper gets an S10 number from `postal_product` and enters track and trace."""

    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="mail_products")
    code = models.SlugField(_("code"), max_length=40)
    registered = models.BooleanField(_("registered"), default=False)
    path = models.CharField(_("path"), max_length=20, choices=Path.choices, default=Path.DIGITAL_THEN_PAPER)
    # Digital then paper: a registered letter not opened within this many days is printed and delivered.
    paper_after_days = models.PositiveSmallIntegerField(_("printed if not opened after (days)"), default=5)
    postal_product = models.ForeignKey(
        "postal.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("postal product (S10 numbers of printed letters)"))
    max_pages = models.PositiveSmallIntegerField(_("maximum pages"), default=20,
                                                 validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mail product")
        constraints = [models.UniqueConstraint(fields=["operator", "code"], name="hybridmail_product_code")]


class MailTariff(models.Model):
    """A version of an operator's hybrid-mail prices; the version in force on the day of submission applies."""

    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="mail_tariffs")
    label = models.CharField(_("label"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    currency = models.CharField(_("currency"), max_length=3, default="DZD")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mail tariff")
        ordering = ["-valid_from"]
        constraints = [models.UniqueConstraint(fields=["operator", "valid_from"], name="hybridmail_tariff_day")]

    def __str__(self):
        return f"{self.label} ({self.valid_from})"


class MailTariffLine(models.Model):
    tariff = models.ForeignKey(MailTariff, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(MailProduct, on_delete=models.PROTECT, related_name="+")
    digital_price = models.DecimalField(_("price delivered digitally"), max_digits=10, decimal_places=2)
    paper_price = models.DecimalField(_("price printed (first sheet)"), max_digits=10, decimal_places=2)
    extra_sheet_price = models.DecimalField(_("price per extra sheet"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tariff", "product"], name="hybridmail_tariff_product")]

    def __str__(self):
        return f"{self.tariff} — {self.product}"


# --- Identities and mailboxes -----------------------------------------------------------------------------

class HolderKind(models.TextChoices):
    PERSON = "person", _("Citizen")
    COMPANY = "company", _("Company")


class IdentityRecord(models.Model):
    """An entry of the national identity register the operator may query (civil registry for citizens, trade
    register for companies), loaded by import from the administration. A mailbox is opened only for an
    identity found here. The identifier itself is kept only as a keyed hash (bawaba.hybridmail.identity)."""

    country = models.CharField(max_length=2, default="DZ")
    kind = models.CharField(max_length=10, choices=HolderKind.choices, default=HolderKind.PERSON)
    id_hash = models.CharField(max_length=64)
    id_last_digits = models.CharField(max_length=4, blank=True)  # shown to staff to tell records apart
    full_name = models.CharField(_("name"), max_length=200)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    commune = models.ForeignKey("geo.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=60, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "id_hash"], name="hybridmail_identity_once")]

    def __str__(self):
        return f"{self.full_name} (…{self.id_last_digits})"


class OpenedVia(models.TextChoices):
    SMS = "sms", _("Online, confirmed by SMS code")
    COUNTER = "counter", _("At a post-office counter")


class Mailbox(models.Model):
    """An electronic postal mailbox of a citizen or a company, held at one postal operator."""

    number = models.CharField(_("mailbox number"), max_length=20, unique=True)
    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="mailboxes")
    identity = models.OneToOneField(IdentityRecord, on_delete=models.PROTECT, related_name="mailbox")
    kind = models.CharField(max_length=10, choices=HolderKind.choices, default=HolderKind.PERSON)
    holder_name = models.CharField(_("holder"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)  # E.164
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    commune = models.ForeignKey("geo.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_via = models.CharField(max_length=10, choices=OpenedVia.choices)
    opened_at = models.DateTimeField()
    opened_at_office = models.ForeignKey("postal.Office", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # the clerk who checked the ID, for a counter opening
    is_active = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("electronic postal mailbox")
        verbose_name_plural = _("electronic postal mailboxes")

    def __str__(self):
        return self.number


class MailboxCode(models.Model):
    """A one-time SMS code: to open a mailbox online, or to sign in to one. Only its hash is kept."""

    class Purpose(models.TextChoices):
        OPEN = "open", _("Open a mailbox")
        SIGN_IN = "sign_in", _("Sign in")
        PROXY = "proxy", _("Confirm a proxy")

    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    phone = models.CharField(max_length=20, db_index=True)
    identity = models.ForeignKey(IdentityRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.purpose} {self.phone}"


class Folder(models.Model):
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(_("name"), max_length=60)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "name"], name="hybridmail_folder_name")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class Proxy(models.Model):
    """Someone (a relative) the holder named to open their letters: identified like a holder, by phone and
    identity; each letter a proxy opens is evidence naming the proxy."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="proxies")
    identity = models.ForeignKey(IdentityRecord, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    relationship = models.CharField(_("relationship"), max_length=60, blank=True)
    created_at = models.DateTimeField()
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # mail-box: a proxy acts only once they confirmed, with the SMS code sent to their own phone.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "identity"], condition=Q(revoked_at__isnull=True),
                                               name="hybridmail_one_active_proxy")]

    def __str__(self):
        return self.name


# --- Senders, batches and letters -------------------------------------------------------------------------

class SenderProfile(models.Model):
    """A sending organisation's account at a postal operator: what it may send and the return address."""

    organisation = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT, related_name="mail_sender")
    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="mail_senders")
    return_address = models.TextField(_("return address"))
    products = models.ManyToManyField(MailProduct, related_name="senders", verbose_name=_("products allowed"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.organisation)


class BatchKind(models.TextChoices):
    PDF = "pdf", _("One PDF per letter")
    MERGE = "merge", _("Template and list (mail merge)")


class BatchState(models.TextChoices):
    RECEIVED = "received", _("Received, being checked")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Accepted in part")
    REFUSED = "refused", _("Refused")


class Batch(models.Model):
    reference = models.CharField(max_length=24, unique=True)
    sender = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="mail_batches")
    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(MailProduct, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=BatchKind.choices)
    state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.RECEIVED)
    label = models.CharField(_("label"), max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)  # the list (mail merge) or the single file
    letters_total = models.PositiveIntegerField(default=0)
    letters_accepted = models.PositiveIntegerField(default=0)
    letters_refused = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    # mail-send: the request's fingerprint (a retry with the same Idempotency-Key must carry the same request),
    # the mail merge's template and list (encrypted in the vault until its letters are made), the window used,
    # and the progress of the jobs that make the letters in chunks.
    request_sha256 = models.CharField(max_length=64, blank=True)
    source_path = models.CharField(max_length=200, blank=True)
    window = models.CharField(max_length=12, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("batches")
        constraints = [models.UniqueConstraint(fields=["sender", "idempotency_key"], condition=~Q(idempotency_key=""),
                                               name="hybridmail_batch_idempotency")]

    def __str__(self):
        return self.reference


class LetterState(models.TextChoices):
    # The paper states follow SEND's paper channel (docs/hybrid-mail.md has the mapping to its codes).
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    DEPOSITED = "deposited", _("In the mailbox")
    OPENED = "opened", _("Opened")
    TO_PRINT = "to_print", _("Waiting to be printed")
    IN_RUN = "in_run", _("In a print run")
    PRINTED = "printed", _("Printed")
    ENVELOPED = "enveloped", _("Enveloped")
    POSTED = "posted", _("Handed to the post")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")


class Letter(models.Model):
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="letters")
    sender = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="mail_letters")
    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(MailProduct, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)  # row or file number in its batch (refusal reports)
    sender_reference = models.CharField(_("sender's reference"), max_length=60, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)

    # Recipient, as the sender gave it (and as read from the envelope window). Congo has no postcodes:
    # quartier, PO box (BP), landmark and phone carry the address there.
    recipient_kind = models.CharField(max_length=10, choices=HolderKind.choices, default=HolderKind.PERSON)
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_id_hash = models.CharField(max_length=64, blank=True, db_index=True)  # identity.id_hash
    recipient_phone = models.CharField(_("recipient's phone"), max_length=20, blank=True)
    recipient_email = models.EmailField(_("recipient's e-mail"), blank=True)
    recipient_address = models.TextField(_("address lines"), blank=True)
    recipient_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    recipient_quartier = models.CharField(_("quartier"), max_length=120, blank=True)
    recipient_po_box = models.CharField(_("PO box (BP)"), max_length=20, blank=True)
    recipient_landmark = models.CharField(_("landmark"), max_length=200, blank=True)
    recipient_commune = models.ForeignKey("geo.Commune", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    recipient_country = models.CharField(max_length=2, default="DZ")
    # The region (wilaya, Congolese department) when no commune is known: Congo's addresses name a quartier in a
    # department, and the print centre covering that department takes the letter.
    recipient_region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    window_text = models.TextField(blank=True)  # the address as printed in the envelope window

    # Content: encrypted at rest; the hash is of the plain PDF the sender gave (what the evidence names).
    content_path = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(default=0)
    sheets = models.PositiveSmallIntegerField(default=0)  # printed duplex when the product says so

    state = models.CharField(max_length=12, choices=LetterState.choices, default=LetterState.ACCEPTED,
                             db_index=True)
    refusal_code = models.CharField(max_length=40, blank=True)
    refusal_reason = models.TextField(blank=True)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters")
    print_centre = models.ForeignKey("PrintCentre", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="letters")
    postal_item = models.ForeignKey("postal.Item", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # a registered letter on paper: its S10 number
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="DZD")
    tariff = models.ForeignKey(MailTariff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # mail-send: `price` is the price if the letter stays digital (a paper-only product: its paper price);
    # `paper_price` the price if it goes to paper, both from the tariff of the day of submission (pricing.py).
    paper_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    window = models.CharField(max_length=12, blank=True)  # the envelope window the address was read in

    created_at = models.DateTimeField(db_index=True)
    deposited_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    paper_due_at = models.DateTimeField(null=True, blank=True, db_index=True)  # the timer to paper
    to_print_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # delivered or not delivered, either path

    class Meta:
        indexes = [models.Index(fields=["sender", "created_at"]),
                   models.Index(fields=["mailbox", "created_at"]),
                   models.Index(fields=["print_centre", "state"])]

    def __str__(self):
        return self.reference

    @property
    def evidence_subject(self) -> str:
        return f"hybridmail.letter:{self.reference}"

    @property
    def ocr_confidence(self) -> int | None:
        """The OCR confidence (percent) when the window's address was read by OCR from a scan; None for text."""
        from .window import read_by_ocr

        return read_by_ocr(self.window_text)

    @property
    def window_address(self) -> str:
        """The lines read in the window, without the OCR mark (shown beside them as a badge instead)."""
        from .window import address_lines

        return "\n".join(address_lines(self.window_text))


# --- Print centres ----------------------------------------------------------------------------------------

class PrintCentre(Localised):
    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="print_centres")
    code = models.SlugField(_("code"), max_length=30)
    office = models.ForeignKey("postal.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("post office it hands letters to"))
    regions = models.ManyToManyField("geo.Region", blank=True, related_name="+", verbose_name=_("regions covered"))
    communes = models.ManyToManyField("geo.Commune", blank=True, related_name="+",
                                      verbose_name=_("communes covered (besides whole regions)"))
    duplex = models.BooleanField(_("prints both sides"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("print centre")
        constraints = [models.UniqueConstraint(fields=["operator", "code"], name="hybridmail_centre_code")]


class PrintCentreStaff(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="print_centre_staff")
    centre = models.ForeignKey(PrintCentre, on_delete=models.PROTECT, related_name="staff")

    def __str__(self):
        return f"{self.user} @ {self.centre}"


class RunState(models.TextChoices):
    READY = "ready", _("Ready to print")
    DOWNLOADED = "downloaded", _("Downloaded by the centre")
    CLOSED = "closed", _("Reconciled")


class PrintRun(models.Model):
    centre = models.ForeignKey(PrintCentre, on_delete=models.PROTECT, related_name="runs")
    number = models.CharField(max_length=30, unique=True)
    state = models.CharField(max_length=12, choices=RunState.choices, default=RunState.READY)
    pieces = models.PositiveIntegerField(default=0)
    sheets = models.PositiveIntegerField(default=0)
    pdf_path = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    reconcile_after = models.DateTimeField(null=True, blank=True)  # pieces not reported by then are reprinted
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.number


class PieceState(models.TextChoices):
    QUEUED = "queued", _("In the run")
    PRINTED = "printed", _("Printed")
    ENVELOPED = "enveloped", _("Enveloped")
    HANDED = "handed", _("Handed to the post")
    FAILED = "failed", _("Failed")
    MISSING = "missing", _("Missing at reconciliation")
    SUPERSEDED = "superseded", _("Replaced by a reprint")


class PrintPiece(models.Model):
    """One letter in one run. A reprint is a new piece of a later run; the older piece is superseded so that
    at most one piece of a letter can ever be handed to the post."""

    run = models.ForeignKey(PrintRun, on_delete=models.PROTECT, related_name="piece_set")
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="pieces")
    attempt = models.PositiveSmallIntegerField(default=1)
    sequence = models.PositiveIntegerField()  # order in the run
    first_sheet = models.PositiveIntegerField()
    sheets = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=12, choices=PieceState.choices, default=PieceState.QUEUED)
    failure_reason = models.CharField(max_length=200, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "attempt"], name="hybridmail_piece_attempt"),
            models.UniqueConstraint(fields=["letter"], condition=Q(state="handed"), name="hybridmail_handed_once"),
        ]

    def __str__(self):
        return f"{self.run} #{self.sequence}"


# --- Post offices as community access points --------------------------------------------------------------

class Terminal(models.Model):
    """A public internet terminal of a post office (a "cyber-poste")."""

    office = models.ForeignKey("postal.Office", on_delete=models.PROTECT, related_name="terminals")
    label = models.CharField(_("label"), max_length=40)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "label"], name="hybridmail_terminal_label")]

    def __str__(self):
        return f"{self.office} — {self.label}"


class TerminalEvent(models.Model):
    """The audit trail of the cyber-postes: a terminal added, put back in service or retired, and a session booked,
    started, ended or cancelled by a clerk (mailgaps), by whom and when, written in the same transaction as the
    change (bawaba.hybridmail.terminals). Rows are only ever added."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Terminal added")
        REINSTATED = "reinstated", _("Terminal put back in service")
        RETIRED = "retired", _("Terminal retired")
        BOOKED = "booked", _("Session booked")
        STARTED = "started", _("Session started")
        ENDED = "ended", _("Session ended")
        CANCELLED = "cancelled", _("Booking cancelled")

    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="events")
    session = models.ForeignKey("TerminalSession", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="events")  # for a session's booking, start, end or cancellation
    office = models.ForeignKey("postal.Office", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=40)  # the terminal's label at the time
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["office", "at"])]

    def __str__(self):
        return f"{self.label} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class TerminalSession(models.Model):
    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="sessions")
    citizen_name = models.CharField(_("citizen"), max_length=200)
    citizen_phone = models.CharField(_("phone"), max_length=20, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # mail-box: overlapping bookings are refused under a lock on the terminal (bawaba.hybridmail.terminals).
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="hybridmail_session_ends_after_start")]
        indexes = [models.Index(fields=["terminal", "starts_at"])]

    def __str__(self):
        return f"{self.terminal} {self.starts_at:%Y-%m-%d %H:%M}"


class AssistedAct(models.Model):
    """What a clerk did for a citizen after checking their ID: every act is also evidence."""

    class Kind(models.TextChoices):
        SHOW = "show", _("Letters shown")
        PRINT = "print", _("Letter printed at the counter")
        DEPOSIT = "deposit", _("Letter deposited on the citizen's behalf")
        REQUEST = "request", _("Request filed with the service centre")
        OPEN_MAILBOX = "open_mailbox", _("Mailbox opened")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    office = models.ForeignKey("postal.Office", on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    identity = models.ForeignKey(IdentityRecord, on_delete=models.PROTECT, related_name="+")
    id_document = models.CharField(_("ID document checked"), max_length=60)
    letter = models.ForeignKey(Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request_reference = models.CharField(max_length=30, blank=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


# --- mail-box: the mailbox's own audit trail --------------------------------------------------------------

class MailboxEvent(models.Model):
    """What happened to a mailbox and by whom (opened, sign-in, folder, proxy named/confirmed/revoked): the
    audit trail of the holder's side. What happens to a letter is evidence (bawaba.evidence) instead."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    actor = models.CharField(max_length=120)  # "holder", "proxy:<id>", "clerk:<user id>", "system"
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["mailbox", "at"])]

    def __str__(self):
        return f"{self.mailbox} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CounterDeposit(models.Model):
    """mail-box: a letter a citizen sent at a post-office counter (bawaba.hybridmail.assist). The post is the
    letter's sending organisation, on the citizen's behalf; the citizen who sends it is named here."""

    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="counter_deposit")
    identity = models.ForeignKey(IdentityRecord, on_delete=models.PROTECT, related_name="+")
    sender_name = models.CharField(_("sender"), max_length=200)
    office = models.ForeignKey("postal.Office", on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.letter} ({self.sender_name})"
# --- Print centres' reports (mail-print) ------------------------------------------------------------------

class ReportSource(models.TextChoices):
    WEB = "web", _("Scanned on the web page")
    FILE = "file", _("CSV/XLSX file")
    API = "api", _("API")
    SYSTEM = "system", _("Platform (reconciliation)")


class PrintReport(models.Model):
    """The audit trail of a print centre: every report on a piece (printed, enveloped, handed, failed) and every
    decision of the reconciliation (missing, superseded), who made it and how it came in."""

    piece = models.ForeignKey(PrintPiece, on_delete=models.PROTECT, related_name="reports")
    run = models.ForeignKey(PrintRun, on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(max_length=12, choices=PieceState.choices)
    reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=ReportSource.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.piece} {self.state}"
