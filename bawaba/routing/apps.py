from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RoutingConfig(AppConfig):
    name = "bawaba.routing"
    label = "routing"

    def ready(self):
        from bawaba.core.refdata import changed

        # Active rules are kept in memory by routing.services (bawaba.core.refdata).
        for signal in (post_save, post_delete):
            signal.connect(changed, sender="routing.RoutingRule", dispatch_uid=f"refdata-rule-{signal}")
