"""The two logs: every access to biometric data (BiometricAccess) and every change (Event). Called inside the
transaction of the action they record."""

from __future__ import annotations

from django.utils import timezone

from .models import BiometricAccess, Event


def access(pensioner, *, action: str, data: str, purpose: str, user=None, attempt=None, at=None) -> None:
    BiometricAccess.objects.create(pensioner=pensioner, attempt=attempt, user=user if _real(user) else None,
                                   action=action, data=data, purpose=purpose, at=at or timezone.now())


def event(kind: str, *, organisation=None, pensioner=None, actor=None, at=None, **data) -> Event:
    return Event.objects.create(kind=kind, organisation=organisation, pensioner=pensioner,
                                actor=actor if _real(actor) else None, data=data, at=at or timezone.now())


def _real(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.pk is not None
