from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from bawaba.core.modules import MenuEntry, Module, ModuleRole

TECHNICIAN = "fibre.technician"
CONTRACTOR_MANAGER = "fibre.contractor_manager"
INSPECTOR = "fibre.inspector"
BILLING = "fibre.billing"
VIEWER = "fibre.viewer"
CONTRACTOR_ROLES = (TECHNICIAN, CONTRACTOR_MANAGER)
OPERATOR_ROLES = (INSPECTOR, BILLING, VIEWER)


class DeploymentsConfig(AppConfig):
    name = "bawaba.deployments"
    label = "deployments"
    # Fibre deployment in the shell. Contractor roles are held by members of contractor organisations,
    # operator roles by members of the operator (bawaba.deployments.permissions checks both).
    shell_module = Module(
        code="fibre",
        name=_("Fibre"),
        order=20,
        roles=(
            ModuleRole(TECHNICIAN, _("Field technician"), home="deployments:orders", priority=35,
                       description=_("Reports work on the contractor's work orders.")),
            ModuleRole(CONTRACTOR_MANAGER, _("Contractor manager"), home="deployments:orders", priority=40,
                       description=_("The contractor's work orders, field reports and statements.")),
            ModuleRole(INSPECTOR, _("Inspector"), home="deployments:inspections", priority=50,
                       description=_("Decides doubtful reported work and imports work orders.")),
            ModuleRole(BILLING, _("Billing"), home="deployments:statements", priority=45,
                       description=_("Issues statements and records payments.")),
            ModuleRole(VIEWER, _("Progress viewer"), home="deployments:dashboard", priority=20,
                       description=_("Follows progress on the dashboard and the map.")),
        ),
        entries=(
            MenuEntry("deployments:orders", _("Work orders"), CONTRACTOR_ROLES, key="orders"),
            MenuEntry("deployments:rejections", _("Rejections"), CONTRACTOR_ROLES, key="rejections"),
            MenuEntry("deployments:inspections", _("Inspections"), (INSPECTOR,), key="inspections"),
            MenuEntry("deployments:import", _("Import"), (INSPECTOR,), key="import"),
            MenuEntry("deployments:statements", _("Statements"), (CONTRACTOR_MANAGER, BILLING), key="statements"),
            MenuEntry("deployments:dashboard", _("Progress"), OPERATOR_ROLES, key="dashboard",
                      id="nav-fibre-dashboard"),
            MenuEntry("deployments:scorecards", _("Scorecards"), OPERATOR_ROLES, key="scorecards"),
            MenuEntry("deployments:payment_delays", _("Payment delays"), OPERATOR_ROLES, key="payments",
                      id="nav-payments"),
        ),
    )

    def ready(self):
        from .work import maintenance_desk  # noqa: F401 - the maintenance panel and history lines on the desk
