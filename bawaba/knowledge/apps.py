from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "bawaba.knowledge"
    label = "knowledge"
