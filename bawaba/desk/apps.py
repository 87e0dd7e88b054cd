from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "bawaba.desk"
    label = "desk"
