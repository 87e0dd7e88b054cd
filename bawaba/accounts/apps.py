from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _forget_cached_user(sender, instance, **kwargs):
    from .backends import forget_user

    forget_user(instance.pk)


class AccountsConfig(AppConfig):
    name = "bawaba.accounts"
    label = "accounts"

    def ready(self):
        # A saved account (deactivated, new password, new role) is read afresh at its next request.
        post_save.connect(_forget_cached_user, sender="accounts.User", dispatch_uid="accounts-forget-user-save")
        post_delete.connect(_forget_cached_user, sender="accounts.User", dispatch_uid="accounts-forget-user-delete")
