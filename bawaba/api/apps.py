from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bawaba.api"
    label = "api"
