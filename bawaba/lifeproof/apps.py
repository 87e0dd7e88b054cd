from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from bawaba.core.modules import MenuEntry, Module, ModuleRole

REVIEWER = "lifeproof.reviewer"
MANAGER = "lifeproof.manager"
COUNTER = "lifeproof.counter"  # a post-office clerk (postal.clerk is the postal app's role; this one opens our counter)
FUND_ROLES = (REVIEWER, MANAGER)


class LifeproofConfig(AppConfig):
    name = "bawaba.lifeproof"
    label = "lifeproof"
    # Proof of life in the shell. Reviewers and managers are staff of a pension fund and see only its
    # pensioners; counter clerks (post offices) enrol pensioners and run proofs after an ID check, and see no
    # biometric data.
    shell_module = Module(
        code="lifeproof",
        name=_("Proof of life"),
        order=40,
        roles=(
            ModuleRole(REVIEWER, _("Proof-of-life reviewer"), home="lifeproof:queue", priority=48,
                       description=_("Decides doubtful proofs of life of the fund's pensioners.")),
            ModuleRole(MANAGER, _("Pension fund manager"), home="lifeproof:campaigns", priority=49,
                       description=_("Imports pensioners, runs campaigns, exports who proved, reviews.")),
            ModuleRole(COUNTER, _("Proof-of-life counter"), home="lifeproof:counter", priority=30,
                       description=_("Enrols pensioners and runs their proof at a post-office counter.")),
        ),
        entries=(
            MenuEntry("lifeproof:queue", _("Proofs to review"), FUND_ROLES, key="proofs"),
            MenuEntry("lifeproof:campaigns", _("Campaigns"), (MANAGER,), key="campaigns"),
            MenuEntry("lifeproof:import", _("Import pensioners"), (MANAGER,), key="import"),
            MenuEntry("lifeproof:counter", _("Counter"), (COUNTER,), key="counter"),
        ),
    )

    def ready(self):
        from . import texts  # noqa: F401  (registers the SMS templates)
