from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data: the register of processing, the retention job, citizens' requests (access,
    rectification, erasure) and the log of staff access. Its pages belong to organisation admins and platform
    admins; their menu entries sit in the administration module (bawaba.accounts.apps), since role codes are
    declared once."""

    name = "bawaba.privacy"
    label = "privacy"
