"""System checks of the deployment that Django's own `check --deploy` cannot know about."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", True):
        return []
    return [Warning(
        "SECRET_KEY is read from the local key file of the embedded default.",
        hint="Set SECRET_KEY in the environment of every process of a production deployment.",
        id="bawaba.W001",
    )]
