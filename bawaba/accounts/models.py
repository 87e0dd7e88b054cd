from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")


# Roles that manage an organisation (or the platform) in the web admin, so their accounts are staff accounts.
ADMIN_ROLES = (Role.ORG_ADMIN, Role.PLATFORM_ADMIN)


class User(AbstractUser):
    """A member of staff. Each belongs to one organisation, except platform admins who see all."""

    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    preferred_language = models.CharField(max_length=8, blank=True)

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN or self.is_superuser

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ORG_ADMIN) or self.is_platform_admin

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN or self.is_platform_admin
