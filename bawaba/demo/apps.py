from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for every module. It sits at the top of the dependency order: it may import any app,
    and no app imports it."""

    name = "bawaba.demo"
    label = "demo"
