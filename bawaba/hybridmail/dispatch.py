"""Which way an accepted letter goes: into the recipient's mailbox, or to the print centre covering their
commune (docs/hybrid-mail.md, "Digital first, paper on a timer").

- A paper-only product, or a recipient without an active mailbox: printed and delivered by hand.
- Otherwise the letter is deposited in the mailbox and its holder told by SMS (and e-mail where given). A
  registered letter of a digital-then-paper product that is not opened within the product's delay is sent to
  paper by the sweep (`send_unopened_to_paper`), on the same evidence chain.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.evidence.events import Event
from bawaba.notifications import texts
from bawaba.notifications.services import notify, notify_many

from . import lifecycle
from .models import Letter, LetterState, Mailbox, Path, PrintCentre

SYSTEM = ("system:hybridmail", "platform")

texts.register("hybridmail.new_letter", texts.Template(
    sms=lambda c: _("New letter from %(sender)s in your postal mailbox: %(link)s") % c,
    subject=lambda c: _("A new letter from %(sender)s in your postal mailbox") % c,
    lead=lambda c: _("A letter from %(sender)s has arrived in your electronic postal mailbox.") % c,
))


def mailbox_for(letter: Letter) -> Mailbox | None:
    """The recipient's active mailbox at the letter's operator, found by their identity (never by name)."""
    if not letter.recipient_id_hash:
        return None
    return (Mailbox.objects.filter(identity__id_hash=letter.recipient_id_hash, operator_id=letter.operator_id,
                                   is_active=True).first())


def centre_for(letter: Letter) -> PrintCentre | None:
    """The active print centre of the letter's operator covering the recipient's commune: one naming the commune
    itself first, else one covering its whole region (wilaya, department). Without a commune (Congo's addresses)
    the letter's region decides."""
    commune = letter.recipient_commune
    region_id = commune.region_id if commune is not None else letter.recipient_region_id
    if region_id is None:
        return None
    centres = PrintCentre.objects.filter(operator_id=letter.operator_id, is_active=True)
    by_commune = centres.filter(communes=commune).order_by("pk").first() if commune is not None else None
    return by_commune or centres.filter(regions=region_id).order_by("pk").first()


def dispatch(letter: Letter, *, now: dt.datetime | None = None, mailbox: Mailbox | None | bool = False) -> str:
    """Send an accepted letter on its way; returns the state it reached. `mailbox` may be given when the caller
    already looked it up (a batch of 100,000 looks them up in bulk); False means "look it up"."""
    now = now or timezone.now()
    if mailbox is False:
        mailbox = mailbox_for(letter)
    if letter.product.path != Path.PAPER and mailbox is not None:
        deposit(letter, mailbox, now=now)
    else:
        send_to_paper(letter, reason="no_mailbox" if letter.product.path != Path.PAPER else "paper_product",
                      now=now)
    return letter.state


def deposit(letter: Letter, mailbox: Mailbox, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    product = letter.product
    paper_due = None
    if product.registered and product.path == Path.DIGITAL_THEN_PAPER:
        paper_due = now + dt.timedelta(days=product.paper_after_days)
    with transaction.atomic():
        moved = lifecycle.move(letter, LetterState.DEPOSITED, event=Event.CONTENT_CONSIGNMENT, actor=SYSTEM, now=now,
                               payload={"mailbox": mailbox.number, "channel": "digital"},
                               fields={"mailbox": mailbox, "paper_due_at": paper_due})
        if moved:
            announce(letter, mailbox, now=now)
    return moved


def announce(letter: Letter, mailbox: Mailbox, *, now: dt.datetime) -> None:
    """Tell the holder a letter arrived, and keep the notice as evidence (ConsignmentNotification: the notice was
    queued; its delivery report, when the gateway gives one, is NotificationDelivered)."""
    from bawaba.evidence.services import record_evidence

    messages = notify(topic="hybridmail.letter", reference=letter.reference, event="deposited",
                      template="hybridmail.new_letter", language=mailbox.language,
                      organisation_id=letter.operator_id, phone=mailbox.phone, email=mailbox.email,
                      context={"sender": letter.sender.name, "link": mailbox_link(letter)}, now=now)
    Letter.objects.filter(pk=letter.pk).update(notified_at=now)
    letter.notified_at = now
    record_evidence(Event.CONSIGNMENT_NOTIFICATION, subject=letter.evidence_subject, actor=SYSTEM,
                    content_hash=letter.sha256, now=now,
                    payload={"channels": sorted({m.channel for m in messages}),
                             "messages": [m.pk for m in messages]})


# The holder's page of one letter (served by the mailbox views; kept short for a one-segment SMS).
MAILBOX_LETTER_PATH = "/mail/box/l/{reference}/"


def mailbox_link(letter: Letter) -> str:
    from bawaba.notifications.links import public_url

    return public_url(MAILBOX_LETTER_PATH.format(reference=letter.reference))


def send_to_paper(letter: Letter, *, reason: str, now: dt.datetime | None = None, actor=SYSTEM) -> bool:
    """Route the letter to the print centre covering the recipient's commune. With no centre covering it the
    letter waits in "to print" with no centre, listed on the operator's dashboard, until one is set up."""
    now = now or timezone.now()
    centre = centre_for(letter)
    event = Event.ACCEPTANCE_REJECTION_EXPIRY if reason == "not_opened" else None
    return lifecycle.move(letter, LetterState.TO_PRINT, event=event, actor=actor, now=now,
                          payload={"reason": reason, "print_centre": centre.code if centre else ""},
                          fields={"print_centre": centre, "paper_due_at": None})


def send_unopened_to_paper(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """The sweep: registered letters still unopened in a mailbox past their delay go to paper."""
    now = now or timezone.now()
    due = (Letter.objects.filter(state=LetterState.DEPOSITED, paper_due_at__lte=now)
           .filter(~Q(paper_due_at=None)).select_related("product", "recipient_commune").order_by("paper_due_at"))
    moved = 0
    for letter in due[:limit]:
        if send_to_paper(letter, reason="not_opened", now=now):
            moved += 1
    return moved


# --- Many letters at once (a mail-merge chunk) ------------------------------------------------------------

class CentreIndex:
    """Which active centre covers each commune or region, for one operator, loaded in two queries (a chunk of
    500 letters asked centre_for 500 times). The same rule as centre_for: a centre naming the commune (lowest
    id first), else one covering its whole region."""

    def __init__(self, operator_id: int):
        centres = {c.pk: c for c in PrintCentre.objects.filter(operator_id=operator_id, is_active=True)}
        self.by_commune: dict[int, PrintCentre] = {}
        self.by_region: dict[int, PrintCentre] = {}
        for model, column, target in ((PrintCentre.communes.through, "commune_id", self.by_commune),
                                      (PrintCentre.regions.through, "region_id", self.by_region)):
            for centre_id, key in (model.objects.filter(printcentre_id__in=centres)
                                   .order_by("printcentre_id").values_list("printcentre_id", column)):
                target.setdefault(key, centres[centre_id])

    def centre_for(self, letter: Letter) -> PrintCentre | None:
        commune = letter.recipient_commune
        if commune is not None and commune.pk in self.by_commune:
            return self.by_commune[commune.pk]
        region_id = commune.region_id if commune is not None else letter.recipient_region_id
        return self.by_region.get(region_id) if region_id is not None else None


def dispatch_many(letters: list[Letter], *, mailboxes: dict[int, Mailbox | None],
                  now: dt.datetime | None = None) -> dict[str, int]:
    """dispatch() for many accepted letters of one operator, in one transaction (all or none): the letters
    still "accepted" are locked in one query, the paper ones moved to their centre in one UPDATE per centre,
    the deposited ones in one statement, their evidence records (ContentConsignment, ConsignmentNotification)
    inserted in one go, their notices queued through the notification service. `mailboxes` maps a letter's pk
    to its recipient's mailbox (None: none). A letter another process moved first is left alone, as move()
    leaves it. Returns the count of letters per state reached."""
    from bawaba.evidence.services import _update_many, record_many

    now = now or timezone.now()
    if not letters:
        return {}
    reached = {LetterState.DEPOSITED: 0, LetterState.TO_PRINT: 0}
    with transaction.atomic():
        still = set(Letter.objects.select_for_update().filter(
            pk__in=[letter.pk for letter in letters], state=LetterState.ACCEPTED).values_list("pk", flat=True))
        todo = [letter for letter in letters if letter.pk in still and letter.state == LetterState.ACCEPTED]
        deposits, paper = [], []
        for letter in todo:
            mailbox = mailboxes.get(letter.pk)
            if letter.product.path != Path.PAPER and mailbox is not None:
                deposits.append((letter, mailbox))
            else:
                paper.append(letter)
        if paper:
            index = CentreIndex(letters[0].operator_id)
            by_centre: dict[int | None, list[Letter]] = {}
            centres: dict[int | None, PrintCentre | None] = {}
            for letter in paper:
                centre = index.centre_for(letter)
                by_centre.setdefault(centre.pk if centre else None, []).append(letter)
                centres[centre.pk if centre else None] = centre
            for key, group in by_centre.items():
                Letter.objects.filter(pk__in=[x.pk for x in group], state=LetterState.ACCEPTED).update(
                    state=LetterState.TO_PRINT, to_print_at=now, print_centre=centres[key], paper_due_at=None)
                for letter in group:
                    letter.state, letter.to_print_at, letter.print_centre = LetterState.TO_PRINT, now, centres[key]
                    letter.paper_due_at = None
            reached[LetterState.TO_PRINT] = len(paper)
        if deposits:
            evidence = []
            for letter, mailbox in deposits:
                product = letter.product
                letter.state, letter.deposited_at, letter.mailbox, letter.notified_at = (
                    LetterState.DEPOSITED, now, mailbox, now)
                letter.paper_due_at = (now + dt.timedelta(days=product.paper_after_days)
                                       if product.registered and product.path == Path.DIGITAL_THEN_PAPER else None)
                evidence.append({"event": Event.CONTENT_CONSIGNMENT, "subject": letter.evidence_subject,
                                 "actor": SYSTEM, "content_hash": letter.sha256, "at": now,
                                 "payload": {"state": LetterState.DEPOSITED, "mailbox": mailbox.number,
                                             "channel": "digital"}})
            _update_many(Letter, [letter for letter, _box in deposits],
                         ["state", "deposited_at", "mailbox", "paper_due_at", "notified_at"])
            notices = notify_many([
                {"topic": "hybridmail.letter", "reference": letter.reference, "event": "deposited",
                 "template": "hybridmail.new_letter", "language": mailbox.language,
                 "organisation_id": letter.operator_id, "phone": mailbox.phone, "email": mailbox.email,
                 "context": {"sender": letter.sender.name, "link": mailbox_link(letter)}}
                for letter, mailbox in deposits], now=now)
            for (letter, _mailbox), messages in zip(deposits, notices, strict=True):
                evidence.append({"event": Event.CONSIGNMENT_NOTIFICATION, "subject": letter.evidence_subject,
                                 "actor": SYSTEM, "content_hash": letter.sha256,
                                 "payload": {"channels": sorted({m.channel for m in messages}),
                                             "messages": [m.pk for m in messages]}})
            record_many(evidence, now=now)
            reached[LetterState.DEPOSITED] = len(deposits)
    return reached
