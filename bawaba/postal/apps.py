from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from bawaba.core.modules import MenuEntry, Module, ModuleRole

CLERK = "postal.clerk"
POSTMAN = "postal.postman"
SORTER = "postal.sorter"
SUPERVISOR = "postal.supervisor"
POSTAL_ROLES = (CLERK, POSTMAN, SORTER, SUPERVISOR)


class PostalConfig(AppConfig):
    name = "bawaba.postal"
    label = "postal"
    # Postal operations in the shell. Each member of the post works at one office or oversees a region
    # (bawaba.postal.models.PostalStaff); bawaba.postal.permissions narrows every page and API call to it.
    shell_module = Module(
        code="postal",
        name=_("Post"),
        order=30,
        roles=(
            ModuleRole(CLERK, _("Counter clerk"), home="postal:counter", priority=40,
                       description=_("Accepts items at the counter and hands over held ones.")),
            ModuleRole(POSTMAN, _("Postman"), home="postal:round", priority=35,
                       description=_("Delivers the round's items and records each delivery.")),
            ModuleRole(SORTER, _("Sorting operator"), home="postal:scans", priority=38,
                       description=_("Records scans at a sorting centre or office of exchange.")),
            ModuleRole(SUPERVISOR, _("Postal supervisor"), home="postal:dashboard", priority=50,
                       description=_("Follows items, service levels and exceptions in a region.")),
        ),
        entries=(
            MenuEntry("postal:counter", _("Counter"), (CLERK,), key="counter"),
            MenuEntry("hybridmail:assist", _("Help a citizen (mail)"), (CLERK,), key="mail-assist"),  # hybrid mail
            MenuEntry("postal:round", _("My round"), (POSTMAN,), key="round"),
            MenuEntry("postal:scans", _("Scans"), (SORTER, SUPERVISOR), key="scans"),
            MenuEntry("postal:dashboard", _("Postal operations"), (SUPERVISOR,), key="postal-dashboard"),
            MenuEntry("postal:exceptions", _("Exceptions"), (SUPERVISOR,), key="postal-exceptions"),
            MenuEntry("postal:offices", _("Network"), (SUPERVISOR,), key="postal-offices"),
        ),
    )

    def ready(self):
        from . import receivers  # noqa: F401 - connects the listeners of events_recorded
