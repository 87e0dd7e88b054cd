from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "bawaba.orgs"
    label = "orgs"
