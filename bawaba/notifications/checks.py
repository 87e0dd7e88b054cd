"""System checks of the notification settings."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .providers import SMS_PROVIDERS


@register()
def sms_provider_settings(app_configs, **kwargs):
    provider = settings.SMS_PROVIDER
    if provider not in SMS_PROVIDERS:
        return [Error(f"SMS_PROVIDER={provider!r} is not a provider.",
                      hint=f"Choose one of: {', '.join(SMS_PROVIDERS)}.", id="notifications.E001")]
    problems = []
    if provider == "http" and not settings.SMS_HTTP_URL:
        problems.append(Error("SMS_PROVIDER=http needs SMS_HTTP_URL.", id="notifications.E002"))
    if provider != "outbox" and not settings.NOTIFICATION_DLR_TOKEN:
        problems.append(Warning(
            "NOTIFICATION_DLR_TOKEN is empty: every delivery report will be refused.",
            hint="Set a long random secret; the provider sends it back with each report (docs/notifications.md).",
            id="notifications.W001"))
    return problems
