"""Public internet terminals of post offices ("cyber-postes"): the clerk books a slot for a citizen, starts and
ends the session, and sees the day's list (docs/hybrid-mail-mailboxes.md, "Access points").

No double booking: a booking takes a row lock on its terminal (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs
write transactions one at a time, BEGIN IMMEDIATE) before looking for an overlapping session, so two clerks
booking the same slot at once get one booking and one refusal.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Terminal, TerminalSession

MIN_MINUTES, MAX_MINUTES = 15, 240


class BookingRefused(ValueError):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def terminals_of(office):
    return Terminal.objects.filter(office=office, is_active=True).order_by("label")


def day_list(office, day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (TerminalSession.objects.filter(terminal__office=office, starts_at__gte=start,
                                           starts_at__lt=start + dt.timedelta(days=1))
            .select_related("terminal").order_by("starts_at", "terminal__label"))


def overlapping(terminal_id: int, starts_at: dt.datetime, ends_at: dt.datetime):
    return TerminalSession.objects.filter(terminal_id=terminal_id, cancelled_at=None, ended_at=None,
                                          starts_at__lt=ends_at, ends_at__gt=starts_at)


def book(user, office, *, terminal_id: int, citizen_name: str, citizen_phone: str = "", starts_at: dt.datetime,
         minutes: int, now: dt.datetime | None = None) -> TerminalSession:
    now = now or timezone.now()
    citizen_name = " ".join((citizen_name or "").split())[:200]
    if not citizen_name:
        raise BookingRefused("name", _("Write the citizen's name."))
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise BookingRefused("minutes", _("A session lasts %(min)s to %(max)s minutes.") % {
            "min": MIN_MINUTES, "max": MAX_MINUTES})
    if starts_at + dt.timedelta(minutes=minutes) <= now:
        raise BookingRefused("past", _("This slot is already over."))
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    with transaction.atomic():
        terminal = Terminal.objects.select_for_update().filter(pk=terminal_id, office=office, is_active=True).first()
        if terminal is None:
            raise BookingRefused("terminal", _("This terminal is not at your office."), status=404)
        if overlapping(terminal.pk, starts_at, ends_at).exists():
            raise BookingRefused("taken", _("This terminal is already booked at that time."), status=409)
        return TerminalSession.objects.create(terminal=terminal, citizen_name=citizen_name,
                                              citizen_phone=(citizen_phone or "").strip()[:20], starts_at=starts_at,
                                              ends_at=ends_at, booked_by=user)


def _session(office, session_id: int) -> TerminalSession:
    session = TerminalSession.objects.select_for_update().filter(pk=session_id, terminal__office=office).first()
    if session is None:
        raise BookingRefused("session", _("No such session at your office."), status=404)
    return session


def start(office, session_id: int, *, now: dt.datetime | None = None) -> TerminalSession:
    now = now or timezone.now()
    with transaction.atomic():
        session = _session(office, session_id)
        if session.cancelled_at or session.ended_at or session.started_at:
            raise BookingRefused("state", _("This session cannot be started."), status=409)
        session.started_at = now
        session.save(update_fields=["started_at"])
    return session


def end(office, session_id: int, *, now: dt.datetime | None = None) -> TerminalSession:
    """Records when the citizen left; the terminal is free from then on."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _session(office, session_id)
        if session.cancelled_at or session.ended_at or not session.started_at:
            raise BookingRefused("state", _("This session is not in progress."), status=409)
        session.ended_at = now
        session.save(update_fields=["ended_at"])
    return session


def cancel(office, session_id: int, *, now: dt.datetime | None = None) -> TerminalSession:
    now = now or timezone.now()
    with transaction.atomic():
        session = _session(office, session_id)
        if session.cancelled_at or session.started_at:
            raise BookingRefused("state", _("Only a session not started yet can be cancelled."), status=409)
        session.cancelled_at = now
        session.save(update_fields=["cancelled_at"])
    return session
