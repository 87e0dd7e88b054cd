from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from bawaba.core.modules import MenuEntry, Module, ModuleRole

ORG_ADMIN = "org_admin"
PLATFORM_ADMIN = "platform_admin"
ADMIN_ROLES = (ORG_ADMIN, PLATFORM_ADMIN)


def _forget_cached_user(sender, instance, **kwargs):
    from .backends import forget_user

    forget_user(instance.pk)


def _forget_granted_user(sender, instance, **kwargs):
    from .backends import forget_user

    forget_user(instance.user_id)


class AccountsConfig(AppConfig):
    name = "bawaba.accounts"
    label = "accounts"
    # Platform administration in the shell: organisation admins manage their organisation's staff and
    # roles in the web admin; platform admins manage every organisation.
    shell_module = Module(
        code="platform",
        name=_("Administration"),
        order=90,
        roles=(
            ModuleRole(ORG_ADMIN, _("Organisation admin"), home="admin:accounts_user_changelist", priority=10,
                       description=_("Manages the organisation's staff, their roles, services and queues.")),
            ModuleRole(PLATFORM_ADMIN, _("Platform admin"), home="admin:index", priority=100,
                       description=_("Onboards organisations and manages the whole platform.")),
        ),
        entries=(
            MenuEntry("admin:accounts_user_changelist", _("Staff"), ADMIN_ROLES, key="staff", id="nav-staff"),
            MenuEntry("admin:index", _("Administration"), ADMIN_ROLES, key="admin", id="nav-admin"),
            # Personal data (bawaba.privacy): the register, citizens' requests and the staff access log.
            MenuEntry("privacy:register", _("Register of processing"), ADMIN_ROLES, key="privacy-register"),
            MenuEntry("privacy:subject_start", _("Citizens' data requests"), ADMIN_ROLES, key="privacy-subjects"),
            MenuEntry("privacy:access_log", _("Data access log"), ADMIN_ROLES, key="privacy-log"),
        ),
    )

    def ready(self):
        # A saved account (deactivated, new password, new role) is read afresh at its next request.
        post_save.connect(_forget_cached_user, sender="accounts.User", dispatch_uid="accounts-forget-user-save")
        post_delete.connect(_forget_cached_user, sender="accounts.User", dispatch_uid="accounts-forget-user-delete")
        post_save.connect(_forget_granted_user, sender="accounts.RoleGrant", dispatch_uid="accounts-forget-grant-save")
        post_delete.connect(_forget_granted_user, sender="accounts.RoleGrant",
                            dispatch_uid="accounts-forget-grant-delete")
