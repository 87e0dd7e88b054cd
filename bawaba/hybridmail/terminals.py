"""Public internet terminals of post offices ("cyber-postes"): the clerk books a slot for a citizen, starts and
ends the session, and sees the day's list; the post-office manager (hybridmail.office_manager, or the operator's
hybrid-mail manager) adds and retires terminals and follows bookings and sessions of the offices they manage
(docs/hybrid-mail-mailboxes.md, "Access points").

No double booking: a booking takes a row lock on its terminal (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs
write transactions one at a time, BEGIN IMMEDIATE) before looking for an overlapping session, so two clerks
booking the same slot at once get one booking and one refusal.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.postal.models import Office
from bawaba.postal.permissions import posting

from .apps import OFFICE_MANAGER, SUPERVISOR
from .models import Terminal, TerminalEvent, TerminalSession

MIN_MINUTES, MAX_MINUTES = 15, 240


class BookingRefused(ValueError):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def terminals_of(office):
    return Terminal.objects.filter(office=office, is_active=True).order_by("label")


def day_list(office, day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (
        TerminalSession.objects.filter(
            terminal__office=office, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("terminal")
        .order_by("starts_at", "terminal__label")
    )


def overlapping(terminal_id: int, starts_at: dt.datetime, ends_at: dt.datetime):
    return TerminalSession.objects.filter(
        terminal_id=terminal_id, cancelled_at=None, ended_at=None, starts_at__lt=ends_at, ends_at__gt=starts_at
    )


def book(
    user,
    office,
    *,
    terminal_id: int,
    citizen_name: str,
    citizen_phone: str = "",
    starts_at: dt.datetime,
    minutes: int,
    now: dt.datetime | None = None,
) -> TerminalSession:
    now = now or timezone.now()
    citizen_name = " ".join((citizen_name or "").split())[:200]
    if not citizen_name:
        raise BookingRefused("name", _("Write the citizen's name."))
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise BookingRefused(
            "minutes", _("A session lasts %(min)s to %(max)s minutes.") % {"min": MIN_MINUTES, "max": MAX_MINUTES}
        )
    if starts_at + dt.timedelta(minutes=minutes) <= now:
        raise BookingRefused("past", _("This slot is already over."))
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    with transaction.atomic():
        terminal = Terminal.objects.select_for_update().filter(pk=terminal_id, office=office, is_active=True).first()
        if terminal is None:
            raise BookingRefused("terminal", _("This terminal is not at your office."), status=404)
        if overlapping(terminal.pk, starts_at, ends_at).exists():
            raise BookingRefused("taken", _("This terminal is already booked at that time."), status=409)
        session = TerminalSession.objects.create(
            terminal=terminal,
            citizen_name=citizen_name,
            citizen_phone=(citizen_phone or "").strip()[:20],
            starts_at=starts_at,
            ends_at=ends_at,
            booked_by=user,
        )
        _audit(terminal, TerminalEvent.Kind.BOOKED, user, now, session=session)
    return session


def _session(office, session_id: int) -> TerminalSession:
    session = (
        TerminalSession.objects.select_for_update(of=("self",))
        .select_related("terminal", "terminal__office")
        .filter(pk=session_id, terminal__office=office)
        .first()
    )
    if session is None:
        raise BookingRefused("session", _("No such session at your office."), status=404)
    return session


def start(user, office, session_id: int, *, now: dt.datetime | None = None) -> TerminalSession:
    """The citizen sits down at the terminal: the clerk who started the session and when are audited
    (TerminalEvent) in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _session(office, session_id)
        if session.cancelled_at or session.ended_at or session.started_at:
            raise BookingRefused("state", _("This session cannot be started."), status=409)
        session.started_at = now
        session.save(update_fields=["started_at"])
        _audit(session.terminal, TerminalEvent.Kind.STARTED, user, now, session=session)
    return session


def end(user, office, session_id: int, *, now: dt.datetime | None = None) -> TerminalSession:
    """Records when the citizen left; the terminal is free from then on. Audited like start()."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _session(office, session_id)
        if session.cancelled_at or session.ended_at or not session.started_at:
            raise BookingRefused("state", _("This session is not in progress."), status=409)
        session.ended_at = now
        session.save(update_fields=["ended_at"])
        _audit(session.terminal, TerminalEvent.Kind.ENDED, user, now, session=session)
    return session


def cancel(user, office, session_id: int, *, now: dt.datetime | None = None) -> TerminalSession:
    """A booking not started yet is cancelled. Audited like start()."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _session(office, session_id)
        if session.cancelled_at or session.started_at:
            raise BookingRefused("state", _("Only a session not started yet can be cancelled."), status=409)
        session.cancelled_at = now
        session.save(update_fields=["cancelled_at"])
        _audit(session.terminal, TerminalEvent.Kind.CANCELLED, user, now, session=session)
    return session


# --- The post-office manager's side -----------------------------------------------------------------------


def managed_offices(user) -> QuerySet[Office]:
    """Offices whose terminals this person manages: a post-office manager's posting (their office, their region's
    offices, or every office of their operator when the posting names neither); the operator's hybrid-mail
    manager, every office of the operator. Always within the person's own (active) organisation."""
    if not getattr(user, "is_authenticated", False):
        return Office.objects.none()
    if user.is_platform_admin:
        return Office.objects.filter(is_active=True)
    org = getattr(user, "organisation", None)
    if org is None or not org.is_active:
        return Office.objects.none()
    offices = Office.objects.filter(organisation=org, is_active=True)
    if user.has_role(SUPERVISOR):
        return offices
    if not user.has_role(OFFICE_MANAGER):
        return Office.objects.none()
    staff = posting(user)
    if staff is not None and staff.office_id:
        return offices.filter(pk=staff.office_id)
    if staff is not None and staff.region_id:
        return offices.filter(region_id=staff.region_id)
    return offices


def terminals_managed(offices):
    """Every terminal of these offices, retired ones last, with the count of sessions held and of bookings to
    come (one query)."""
    now = timezone.now()
    return (
        Terminal.objects.filter(office__in=offices)
        .select_related("office")
        .annotate(
            held=Count("sessions", filter=Q(sessions__ended_at__isnull=False)),
            coming=Count(
                "sessions", filter=Q(sessions__cancelled_at=None, sessions__started_at=None, sessions__ends_at__gt=now)
            ),
        )
        .order_by("-is_active", "office__code", "label")
    )


def sessions_managed(offices, *, since: dt.date, until: dt.date, terminal_id: int | None = None):
    """Bookings and sessions of these offices whose slot starts between the two days (included)."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    stop = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    sessions = TerminalSession.objects.filter(terminal__office__in=offices, starts_at__gte=start, starts_at__lt=stop)
    if terminal_id:
        sessions = sessions.filter(terminal_id=terminal_id)
    return sessions.select_related("terminal", "terminal__office", "booked_by").order_by("-starts_at", "-pk")


def state_of(session: TerminalSession) -> str:
    if session.cancelled_at:
        return "cancelled"
    if session.ended_at:
        return "ended"
    if session.started_at:
        return "in_progress"
    return "booked"


def minutes_used(session: TerminalSession) -> int | None:
    """How long the citizen actually used the terminal (from start to end), in whole minutes."""
    if session.started_at and session.ended_at:
        return max(0, round((session.ended_at - session.started_at).total_seconds() / 60))
    return None


def _audit(
    terminal: Terminal, kind: str, user, now: dt.datetime, *, session: TerminalSession | None = None
) -> TerminalEvent:
    """The change's audit record, in the caller's transaction (one row per change, never updated)."""
    return TerminalEvent.objects.create(
        terminal=terminal,
        office=terminal.office,
        organisation_id=terminal.office.organisation_id,
        kind=kind,
        actor=user,
        label=terminal.label,
        at=now,
        session=session,
    )


def terminal_events(offices, *, limit: int = 20):
    """The latest changes to the terminals of these offices (the audit trail shown on the managers' page)."""
    return (
        TerminalEvent.objects.filter(office__in=offices)
        .select_related("office", "actor", "session")
        .order_by("-at", "-pk")[:limit]
    )


def add_terminal(user, office_id: int, label: str, *, now: dt.datetime | None = None) -> Terminal:
    """A new terminal at an office the person manages; a retired terminal of the same label is put back. The
    change is audited (TerminalEvent) in the same transaction."""
    now = now or timezone.now()
    label = " ".join((label or "").split())
    if not label:
        raise BookingRefused("label", _("Write the terminal's label."))
    if len(label) > 40:
        raise BookingRefused("label", _("The label has at most 40 characters."))
    with transaction.atomic():
        office = managed_offices(user).filter(pk=office_id).first()
        if office is None:
            raise BookingRefused("office", _("You do not manage this office."), status=404)
        existing = Terminal.objects.select_for_update().filter(office=office, label=label).first()
        if existing is not None and existing.is_active:
            raise BookingRefused("label", _("This office already has a terminal with this label."), status=409)
        if existing is not None:
            existing.is_active = True
            existing.save(update_fields=["is_active"])
            terminal = existing
            kind = TerminalEvent.Kind.REINSTATED
        else:
            try:
                with transaction.atomic():
                    terminal = Terminal.objects.create(office=office, label=label)
            except IntegrityError as exc:  # added at the same moment by someone else
                raise BookingRefused(
                    "label", _("This office already has a terminal with this label."), status=409
                ) from exc
            kind = TerminalEvent.Kind.ADDED
        _audit(terminal, kind, user, now)
    return terminal


def retire_terminal(user, terminal_id: int, *, now: dt.datetime | None = None) -> Terminal:
    """A terminal taken out of service: no new booking; refused while a session is in progress or booked. The
    change is audited (TerminalEvent) in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        terminal = (
            Terminal.objects.select_for_update(of=("self",))
            .select_related("office")
            .filter(pk=terminal_id, office__in=managed_offices(user))
            .first()
        )
        if terminal is None:
            raise BookingRefused("terminal", _("You do not manage this terminal."), status=404)
        if not terminal.is_active:
            raise BookingRefused("state", _("This terminal is already retired."), status=409)
        pending = (
            TerminalSession.objects.filter(terminal=terminal, cancelled_at=None, ended_at=None)
            .filter(Q(started_at__isnull=False) | Q(ends_at__gt=now))
            .count()
        )
        if pending:
            raise BookingRefused(
                "pending",
                _("This terminal has %(n)s session(s) in progress or booked: end or cancel them first.")
                % {"n": pending},
                status=409,
            )
        terminal.is_active = False
        terminal.save(update_fields=["is_active"])
        _audit(terminal, TerminalEvent.Kind.RETIRED, user, now)
    return terminal
