from django.apps import AppConfig


class LiveConfig(AppConfig):
    """Server push (docs/live.md): an events table, one listener per process, fan-out in memory."""

    name = "bawaba.live"
    label = "live"
    default_auto_field = "django.db.models.BigAutoField"
