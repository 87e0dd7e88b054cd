from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "bawaba.servicedesk"
    label = "servicedesk"
