from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.core import modules

from .apps import ADMIN_ROLES, ORG_ADMIN, PLATFORM_ADMIN

__all__ = ["ADMIN_ROLES", "ORG_ADMIN", "PLATFORM_ADMIN", "Role", "RoleGrant", "User", "legacy_role_grants"]

# Role codes of the service desk (declared by bawaba.desk.apps); the desk's permission checks read them here.
DESK_AGENT = "desk.agent"
DESK_SUPERVISOR = "desk.supervisor"


class Role(models.TextChoices):
    """The single roles of the former model, still accepted as `"role"` by orgs.services.do_add_staff and
    converted into role grants by legacy_role_grants."""

    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")


# What each former role grants, by the kind of the person's organisation. Operators' supervisors inspect and
# follow the fibre programme; their admins also bill. A contractor's plain member is a field technician.
_LEGACY = {
    "contractor": {
        Role.AGENT: ["fibre.technician"],
        Role.SUPERVISOR: ["fibre.contractor_manager"],
        Role.ORG_ADMIN: ["fibre.contractor_manager", ORG_ADMIN],
    },
    "operator": {
        Role.AGENT: [DESK_AGENT],
        Role.SUPERVISOR: [DESK_SUPERVISOR, "fibre.inspector", "fibre.viewer"],
        Role.ORG_ADMIN: [ORG_ADMIN, DESK_SUPERVISOR, "fibre.inspector", "fibre.billing", "fibre.viewer"],
    },
}
_LEGACY_DEFAULT = {Role.AGENT: [DESK_AGENT], Role.SUPERVISOR: [DESK_SUPERVISOR],
                   Role.ORG_ADMIN: [ORG_ADMIN, DESK_SUPERVISOR]}


def legacy_role_grants(role: str, organisation_kind: str | None) -> list[str]:
    """The role codes that a former single role stands for in an organisation of this kind."""
    if role == Role.PLATFORM_ADMIN:
        return [PLATFORM_ADMIN]
    return list(_LEGACY.get(organisation_kind or "", _LEGACY_DEFAULT).get(role, []))


class User(AbstractUser):
    """A member of staff. Each belongs to one organisation, except platform admins who see all. What they may
    do comes from their role grants (RoleGrant), one per module role (bawaba.core.modules)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
        verbose_name=_("organisation"),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    @property
    def role_codes(self) -> frozenset[str]:
        """The codes of the roles granted to this person, read once per instance (the cached account of
        accounts.backends carries them)."""
        cached = self.__dict__.get("_role_codes")
        if cached is None:
            if not self.pk:
                cached = frozenset()
            elif "grants" in getattr(self, "_prefetched_objects_cache", {}):
                cached = frozenset(grant.role for grant in self.grants.all())
            else:
                cached = frozenset(self.grants.values_list("role", flat=True))
            self.__dict__["_role_codes"] = cached
        return cached

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_codes", None)

    def has_role(self, *codes: str) -> bool:
        return not self.role_codes.isdisjoint(codes)

    @property
    def main_role_name(self) -> str:
        """The name of the person's main role (the declared role they hold with the highest priority)."""
        role = modules.main_role(self.role_codes)
        return str(role.name) if role else ""

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.has_role(PLATFORM_ADMIN)

    @property
    def is_org_admin(self) -> bool:
        return self.has_role(ORG_ADMIN) or self.is_platform_admin

    @property
    def is_supervisor(self) -> bool:
        """A supervisor of the service desk (or a platform admin)."""
        return self.has_role(DESK_SUPERVISOR) or self.is_platform_admin

    @property
    def is_desk_staff(self) -> bool:
        """May work on the service desk: an agent or a supervisor (or a platform admin)."""
        return self.has_role(DESK_AGENT, DESK_SUPERVISOR) or self.is_platform_admin


class RoleGrant(models.Model):
    """One role of one module granted to a member of staff (codes declared in bawaba.core.modules)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=64)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="accounts_one_grant_per_role")]
        indexes = [models.Index(fields=["role"])]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")

    def __str__(self):
        return f"{self.user_id}: {self.role}"
