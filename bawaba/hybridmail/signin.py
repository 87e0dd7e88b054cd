"""One-time SMS codes and the mailbox's own session (docs/hybrid-mail-mailboxes.md, "Signing in").

Mailbox holders and their proxies are citizens, not staff: they have no password and no Django user. They prove
they hold a phone by typing the code sent to it. Only the code's keyed hash is stored (MailboxCode.code_hash);
a code expires after CODE_VALID, works once, and is refused for good after MAX_ATTEMPTS wrong tries. A phone
gets at most MAX_CODES_PER_WINDOW codes per CODES_WINDOW, so nobody can flood a phone with SMS through us.

The session keeps a "seat": the mailbox being read and whether as its holder or as a named proxy. It lives in
its own session keys, beside (never instead of) a staff login, expires after IDLE_TIMEOUT without activity and
MAX_AGE at most, and is checked again on every request (a revoked proxy or a closed mailbox is out at once).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from bawaba.notifications import texts
from bawaba.notifications.services import notify

from .models import Mailbox, MailboxCode, MailboxEvent, Proxy

CODE_DIGITS = 6
CODE_VALID = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CODES_PER_WINDOW = 3
CODES_WINDOW = dt.timedelta(minutes=15)
IDLE_TIMEOUT = 20 * 60          # seconds without a request before the mailbox session ends
MAX_AGE = 8 * 60 * 60           # seconds after sign-in at most
SESSION_KEY = "hybridmail_seat"
PENDING_KEY = "hybridmail_pending"
_SALT = "bawaba.hybridmail.mailbox-code"

Purpose = MailboxCode.Purpose

texts.register("hybridmail.code", texts.Template(
    sms=lambda c: _("Bawaba postal mailbox: your code is %(code)s. It expires in 10 minutes. Never give it to "
                    "anyone.") % c,
    subject=lambda c: _("Your postal mailbox code"),
    lead=lambda c: _("Your postal mailbox code is %(code)s.") % c,
))
texts.register("hybridmail.proxy_code", texts.Template(
    sms=lambda c: _("%(holder)s names you as proxy for their postal mailbox. Your code: %(code)s (10 min).") % c,
    subject=lambda c: _("You are named proxy for a postal mailbox"),
    lead=lambda c: _("%(holder)s names you as proxy for their postal mailbox. Your code: %(code)s.") % c,
))


class CodeRefused(ValueError):
    """A code was not sent or not accepted; `status` is the HTTP status the page answers with."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def code_hash(phone: str, code: str) -> str:
    return salted_hmac(_SALT, f"{phone}:{code.strip()}", algorithm="sha256").hexdigest()


def issue_code(purpose: str, phone: str, *, language: str, identity=None, mailbox=None, operator_id=None,
               template: str = "hybridmail.code", context: dict | None = None,
               now: dt.datetime | None = None) -> MailboxCode:
    """Store a new code's hash and queue its SMS in one transaction (a code nobody was sent never exists).
    Earlier codes of the same purpose for the phone stop working."""
    now = now or timezone.now()
    with transaction.atomic():
        recent = MailboxCode.objects.filter(phone=phone, created_at__gt=now - CODES_WINDOW).count()
        if recent >= MAX_CODES_PER_WINDOW:
            raise CodeRefused("too_many_codes", _("Too many codes were sent to this phone. Wait a quarter of an "
                                                  "hour before asking for a new one."), status=429)
        MailboxCode.objects.filter(purpose=purpose, phone=phone, used_at=None).update(used_at=now)
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        row = MailboxCode.objects.create(purpose=purpose, phone=phone, identity=identity, mailbox=mailbox,
                                         code_hash=code_hash(phone, code), created_at=now,
                                         expires_at=now + CODE_VALID)
        notify(topic="hybridmail.code", reference="", event=f"code:{row.pk}", template=template,
               language=language, organisation_id=operator_id, phone=phone,
               context={"code": code, **(context or {})}, now=now)
    return row


def check_code(code_id: int, code: str, *, purpose: str, now: dt.datetime | None = None) -> MailboxCode:
    """Use the code the person typed. A wrong code counts as an attempt (kept even though the answer is an
    error); after MAX_ATTEMPTS the code is refused even when right (429)."""
    now = now or timezone.now()
    code = (code or "").strip().replace(" ", "")
    row = MailboxCode.objects.filter(pk=code_id, purpose=purpose).first()
    if row is None or row.used_at is not None:
        raise CodeRefused("no_code", _("This code is no longer valid: ask for a new one."), status=409)
    if row.attempts >= MAX_ATTEMPTS:
        raise CodeRefused("too_many_attempts", _("The code was tried too many times: ask for a new one."),
                          status=429)
    if row.expires_at <= now:
        raise CodeRefused("expired", _("The code has expired: ask for a new one."), status=409)
    if not code.isdigit() or not hmac.compare_digest(row.code_hash, code_hash(row.phone, code)):
        MailboxCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        left = MAX_ATTEMPTS - row.attempts - 1
        if left <= 0:
            raise CodeRefused("too_many_attempts", _("The code was tried too many times: ask for a new one."),
                              status=429)
        raise CodeRefused("wrong_code", _("Wrong code. Attempts left: %(left)s.") % {"left": left})
    # Used once: a second request with the same code (double tap, replay) finds it used.
    if not MailboxCode.objects.filter(pk=row.pk, used_at=None).update(used_at=now):
        raise CodeRefused("no_code", _("This code is no longer valid: ask for a new one."), status=409)
    row.used_at = now
    return row


def purge_codes(*, now: dt.datetime | None = None, keep: dt.timedelta = dt.timedelta(days=1)) -> int:
    now = now or timezone.now()
    deleted, _rows = MailboxCode.objects.filter(created_at__lt=now - keep).delete()
    return deleted


# --- Seats: whose mailbox, in which capacity -----------------------------------------------------------------

@dataclass(frozen=True)
class Seat:
    mailbox_id: int
    proxy_id: int | None = None  # None: the holder

    @property
    def by(self) -> str:
        return "proxy" if self.proxy_id else "holder"

    @property
    def actor(self) -> str:
        return f"proxy:{self.proxy_id}" if self.proxy_id else "holder"


def active_proxies(*, now: dt.datetime | None = None):
    now = now or timezone.now()
    return Proxy.objects.filter(revoked_at=None, confirmed_at__isnull=False, mailbox__is_active=True).filter(
        Q(valid_until=None) | Q(valid_until__gte=timezone.localdate(now)))


def seats_for_phone(phone: str, *, now: dt.datetime | None = None) -> list[Seat]:
    """The mailboxes a verified phone may open: its own (a family may share one phone) and those it is proxy for."""
    own = [Seat(pk) for pk in Mailbox.objects.filter(phone=phone, is_active=True).order_by("pk")
           .values_list("pk", flat=True)]
    proxied = [Seat(m, p) for p, m in active_proxies(now=now).filter(phone=phone).order_by("pk")
               .values_list("pk", "mailbox_id")]
    return own + proxied


def seat_is_valid(seat: Seat, *, now: dt.datetime | None = None) -> bool:
    if seat.proxy_id:
        return active_proxies(now=now).filter(pk=seat.proxy_id, mailbox_id=seat.mailbox_id).exists()
    return Mailbox.objects.filter(pk=seat.mailbox_id, is_active=True).exists()


def request_sign_in(phone: str, *, language: str, now: dt.datetime | None = None) -> MailboxCode | None:
    """Send a sign-in code when the phone holds or may open a mailbox. Returns None otherwise, and the page says
    the same thing either way, so the form does not tell who has a mailbox."""
    seats = seats_for_phone(phone, now=now)
    if not seats:
        return None
    mailbox = Mailbox.objects.get(pk=seats[0].mailbox_id)
    return issue_code(Purpose.SIGN_IN, phone, language=language, operator_id=mailbox.operator_id, now=now)


# --- The session ---------------------------------------------------------------------------------------------

def start(request, seat: Seat, *, phone: str, seats: list[Seat] | None = None) -> None:
    """Enter `seat` (a new session key: a session fixed before sign-in is worth nothing after)."""
    request.session.cycle_key()
    now = time.time()
    request.session[SESSION_KEY] = {"mailbox": seat.mailbox_id, "proxy": seat.proxy_id, "phone": phone,
                                    "since": now, "seen": now,
                                    "seats": [[s.mailbox_id, s.proxy_id] for s in (seats or [seat])]}
    request.session.pop(PENDING_KEY, None)
    MailboxEvent.objects.create(mailbox_id=seat.mailbox_id, kind="signed_in", actor=seat.actor,
                                at=timezone.now())


def current(request) -> Seat | None:
    """The seat of this browser session, or None (never signed in, expired, or no longer allowed)."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    now = time.time()
    if now - data.get("since", 0) > MAX_AGE or now - data.get("seen", 0) > IDLE_TIMEOUT:
        end(request)
        return None
    seat = Seat(data["mailbox"], data.get("proxy"))
    if not seat_is_valid(seat):
        end(request)
        return None
    if now - data["seen"] > 30:  # write the session at most twice a minute
        data["seen"] = now
        request.session[SESSION_KEY] = data
    return seat


def other_seats(request) -> list[Seat]:
    data = request.session.get(SESSION_KEY) or {}
    return [Seat(m, p) for m, p in data.get("seats", [])]


def switch(request, seat: Seat) -> bool:
    data = request.session.get(SESSION_KEY)
    if not data or [seat.mailbox_id, seat.proxy_id] not in data.get("seats", []) or not seat_is_valid(seat):
        return False
    data.update(mailbox=seat.mailbox_id, proxy=seat.proxy_id, seen=time.time())
    request.session[SESSION_KEY] = data
    return True


def end(request) -> None:
    """Sign out of the mailbox. A staff login in the same browser, if any, is left alone."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop(PENDING_KEY, None)
