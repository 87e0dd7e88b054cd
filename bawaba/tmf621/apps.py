from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Tmf621Config(AppConfig):
    """TM Forum TMF621 Trouble Ticket API v4 over the service desk's requests (docs/standards.md)."""

    name = "bawaba.tmf621"
    label = "tmf621"
    verbose_name = _("TMF621 trouble tickets")
