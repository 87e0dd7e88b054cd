from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the platform for years: backup and restore, health, metrics, logs and errors
    (docs/operations.md)."""

    name = "bawaba.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from django.conf import settings
        from huey.contrib.djhuey import HUEY

        from . import metrics, observability

        observability.connect_job_hooks(HUEY)
        metrics.register()
        observability.configure_sentry(settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT,
                                       release=settings.SENTRY_RELEASE)
