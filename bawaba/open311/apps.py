from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open311 GeoReport v2 for civic apps, over the service desk's requests (docs/standards.md)."""

    name = "bawaba.open311"
    label = "open311"
    verbose_name = _("Open311 GeoReport v2")
