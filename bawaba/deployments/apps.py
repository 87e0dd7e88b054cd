from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "bawaba.deployments"
    label = "deployments"
