"""Low-level pieces of the work that every step uses: the audit trail (DeploymentEvent) and time zones."""

from __future__ import annotations

from django.utils import timezone

from .models import (
    DeploymentEvent,
)


def _event(kind, *, actor=None, organisation=None, work_order=None, at=None, **data):
    DeploymentEvent.objects.create(kind=kind, actor=actor, organisation=organisation, work_order=work_order,
                                   data=data, at=at or timezone.now())


def _tz(organisation):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(organisation.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _contract_tz(contract):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(contract.programme.operator.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()
