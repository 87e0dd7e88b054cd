from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bawaba.notifications"
    label = "notifications"
