"""Retention delays, from settings (config/settings.py reads them from the environment)."""

from django.conf import settings


def request_years() -> int:
    """Closed service-desk requests are anonymised this many years after they were closed."""
    return int(getattr(settings, "PRIVACY_REQUEST_YEARS", 5))


def sms_body_days() -> int:
    """SMS and e-mail bodies in the notifications outbox are blanked this many days after they were queued."""
    return int(getattr(settings, "PRIVACY_MESSAGE_BODY_DAYS", 180))
