from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bawaba.portal"
    label = "portal"
