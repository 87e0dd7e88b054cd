from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from bawaba.core.modules import MenuEntry, Module, ModuleRole

# Agents answer calls with their desk role (desk.agent); the phone console is reached from the desk's menu.
SUPERVISOR = "voice.supervisor"
DESK_AGENT = "desk.agent"
DESK_SUPERVISOR = "desk.supervisor"
# Who may open the wallboard and the staffing page: the phone supervisors and the desk's supervisors.
WALLBOARD_ROLES = (SUPERVISOR, DESK_SUPERVISOR)


class VoiceConfig(AppConfig):
    name = "bawaba.voice"
    label = "voice"
    # The telephony of the service centre in the shell: supervisors watch the queues and plan staff.
    shell_module = Module(
        code="voice",
        name=_("Telephony"),
        order=15,
        roles=(
            ModuleRole(SUPERVISOR, _("Call-centre supervisor"), home="voice:wallboard", priority=65,
                       description=_("Watches the phone queues on the wallboard and plans agents per half-hour.")),
        ),
        entries=(
            MenuEntry("voice:wallboard", _("Wallboard"), (SUPERVISOR,), key="wallboard"),
            MenuEntry("voice:staffing", _("Staffing"), (SUPERVISOR,), key="staffing"),
        ),
    )

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from bawaba.core.refdata import changed

        from . import panels  # noqa: F401 - registers the request panel (calls linked to a request)

        # The numbers' IVR configuration is kept in memory (services.number_by_pk): a change moves it.
        for model in ("VoiceNumber", "MenuOption"):
            for signal in (post_save, post_delete):
                signal.connect(changed, sender=f"voice.{model}", dispatch_uid=f"refdata-voice-{model}-{signal}")
