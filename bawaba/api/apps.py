from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ApiConfig(AppConfig):
    name = "bawaba.api"
    label = "api"

    def ready(self):
        from bawaba.core.refdata import changed

        # Tokens are kept in memory by find_token (bawaba.core.refdata): a revocation applies at once.
        for signal in (post_save, post_delete):
            signal.connect(changed, sender="api.ApiToken", dispatch_uid=f"refdata-token-{signal}")
