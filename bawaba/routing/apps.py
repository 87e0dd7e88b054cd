from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "bawaba.routing"
    label = "routing"
