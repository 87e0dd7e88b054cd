from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from bawaba.core.modules import MenuEntry, Module, ModuleRole

AGENT = "desk.agent"
SUPERVISOR = "desk.supervisor"
DESK_ROLES = (AGENT, SUPERVISOR)


class DeskConfig(AppConfig):
    name = "bawaba.desk"
    label = "desk"
    # The service centre in the shell: agents land on their queue, supervisors on their dashboard.
    shell_module = Module(
        code="desk",
        name=_("Service centre"),
        order=10,
        roles=(
            ModuleRole(AGENT, _("Agent"), home="desk:home", priority=60,
                       description=_("Answers citizens' requests in their organisation's queues.")),
            ModuleRole(SUPERVISOR, _("Supervisor"), home="desk:dashboard", priority=70,
                       description=_("Assigns and transfers requests, watches deadlines on the dashboard.")),
        ),
        entries=(
            MenuEntry("desk:home", _("Queue"), DESK_ROLES, key="queue", accesskey="q"),
            MenuEntry("desk:call", _("New call"), DESK_ROLES, key="call", accesskey="n"),
            MenuEntry("desk:dashboard", _("Dashboard"), (SUPERVISOR,), key="dashboard"),
            MenuEntry("notifications:outbox", _("Messages to citizens"), (SUPERVISOR,), key="outbox"),
            MenuEntry("knowledge:index", _("Help articles"), DESK_ROLES, key="articles", id="nav-articles"),
        ),
    )
