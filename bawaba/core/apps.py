from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bawaba.core"
    label = "core"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .uploads import limit_pillow

        limit_pillow()
