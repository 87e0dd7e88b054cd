from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bawaba.notifications"
    label = "notifications"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
