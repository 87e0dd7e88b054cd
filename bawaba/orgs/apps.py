from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

# What routing and the SLA read on every new request (bawaba.core.refdata keeps it in memory).
REFERENCE_MODELS = ("Organisation", "Queue", "Service", "BusinessHours", "Holiday", "SlaPolicy")


class OrgsConfig(AppConfig):
    name = "bawaba.orgs"
    label = "orgs"

    def ready(self):
        from bawaba.core.refdata import changed

        for model in REFERENCE_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(changed, sender=f"orgs.{model}", dispatch_uid=f"refdata-{model}-{signal}")
