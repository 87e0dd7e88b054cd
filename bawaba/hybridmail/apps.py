from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from bawaba.core.modules import MenuEntry, Module, ModuleRole

SENDER = "hybridmail.sender"          # staff of a sending organisation (ministry, utility, bank)
PRINT_OPERATOR = "hybridmail.print"   # staff of a print centre: sees only its centre's runs
SUPERVISOR = "hybridmail.supervisor"  # the postal operator's hybrid-mail manager: products, tariffs, centres
# A post-office manager: the public internet terminals (cyber-postes) of the office they are posted at
# (bawaba.postal.models.PostalStaff: an office, a region's offices, or every office of the operator when neither).
OFFICE_MANAGER = "hybridmail.office_manager"
# A post-office counter clerk (postal.clerk) acts as a community access point: the postal module's menu links to
# hybridmail:assist for that role (a module's menu entries name only its own roles).
HYBRIDMAIL_ROLES = (SENDER, PRINT_OPERATOR, SUPERVISOR, OFFICE_MANAGER)


class HybridMailConfig(AppConfig):
    name = "bawaba.hybridmail"
    label = "hybridmail"
    verbose_name = _("Hybrid mail")
    # Hybrid mail and the electronic postal mailbox (docs/hybrid-mail.md). Mailbox holders are citizens and
    # companies, not staff: they sign in to their mailbox with their phone and a one-time SMS code.
    shell_module = Module(
        code="hybridmail",
        name=_("Hybrid mail"),
        order=33,
        roles=(
            ModuleRole(SENDER, _("Mail sender"), home="hybridmail:sender-home", priority=30,
                       description=_("Sends letters for an organisation and follows their delivery.")),
            ModuleRole(PRINT_OPERATOR, _("Print centre operator"), home="hybridmail:print-home", priority=32,
                       description=_("Prints, envelopes and hands letters to the post.")),
            ModuleRole(SUPERVISOR, _("Hybrid mail manager"), home="hybridmail:supervisor-home", priority=45,
                       description=_("Manages mail products, tariffs and print centres.")),
            ModuleRole(OFFICE_MANAGER, _("Post-office manager"), home="hybridmail:terminals-manage", priority=42,
                       description=_("Manages the office's public internet terminals and follows their sessions.")),
        ),
        entries=(
            MenuEntry("hybridmail:sender-home", _("Letters sent"), (SENDER,), key="mail-sent"),
            MenuEntry("hybridmail:print-home", _("Print runs"), (PRINT_OPERATOR, SUPERVISOR), key="mail-print"),
            MenuEntry("hybridmail:supervisor-home", _("Hybrid mail"), (SUPERVISOR,), key="mail-supervisor"),
            MenuEntry("hybridmail:terminals-manage", _("Cyber-postes"), (OFFICE_MANAGER, SUPERVISOR),
                      key="mail-terminals"),
        ),
    )

    def ready(self):
        # mail-print: the postman's delivery of printed letters (postal tracking's signal) and the print jobs.
        from . import paper_tracking, tasks_print  # noqa: F401 - each connects or registers itself
