"""Who may do what in the fibre app. Roles are the module's role codes (bawaba.deployments.apps, granted in
bawaba.accounts); the organisation kind decides the side, so a role granted in the wrong kind of
organisation opens nothing.

- technician (`fibre.technician`, member of a contractor): reports work and sees the contractor's work orders,
  its reports and rejections; nothing else (no statements, no admin);
- contractor manager (`fibre.contractor_manager`): the same, plus the contractor's contracts, statements and
  payments;
- inspector (`fibre.inspector`, member of the programme's operator): decides doubtful items, imports orders,
  changes the state of work orders (hold, cancel…);
- billing (`fibre.billing`, member of the operator): issues statements, records payments;
- operator staff (any of inspector, billing, `fibre.viewer`): dashboard, map, scorecards, work orders (read);
  statements (amounts owed and paid per statement) are for billing only;
- a platform admin sees every operator's side.

Another organisation's objects are not revealed: the selectors answer 404 for them, as for unknown ones.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bawaba.orgs.models import OrganisationKind

from ..apps import BILLING, CONTRACTOR_MANAGER, CONTRACTOR_ROLES, INSPECTOR, OPERATOR_ROLES, VIEWER

__all__ = ["BILLING", "CONTRACTOR_MANAGER", "INSPECTOR", "VIEWER", "can_manage_billing", "can_view_contract",
           "can_view_statements", "is_contractor_manager", "is_contractor_staff", "is_inspector",
           "is_operator_staff"]


def _org(user):
    return getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None


def _member_of(user, kind) -> bool:
    org = _org(user)
    return org is not None and org.kind == kind and org.is_active


def is_contractor_staff(user) -> bool:
    """A technician or manager of an active contractor: reports work, sees the contractor's orders."""
    return _member_of(user, OrganisationKind.CONTRACTOR) and user.has_role(*CONTRACTOR_ROLES)


def is_contractor_manager(user) -> bool:
    return _member_of(user, OrganisationKind.CONTRACTOR) and user.has_role(CONTRACTOR_MANAGER)


def _operator_role(user, programme, roles) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    org = _org(user)
    if org is None or org.kind != OrganisationKind.OPERATOR or not user.has_role(*roles):
        return False
    return programme is None or programme.operator_id == org.id


def is_operator_staff(user, programme=None) -> bool:
    return _operator_role(user, programme, OPERATOR_ROLES)


def is_inspector(user, programme=None) -> bool:
    return _operator_role(user, programme, (INSPECTOR,))


def can_manage_billing(user, contract=None) -> bool:
    return _operator_role(user, contract.programme if contract is not None else None, (BILLING,))


def can_view_statements(user) -> bool:
    """Contracts, statements and payments: the contractor's manager and the operator's billing staff."""
    return is_contractor_manager(user) or _operator_role(user, None, (BILLING,))


def can_view_contract(user, contract) -> bool:
    if is_contractor_staff(user):
        return user.organisation_id == contract.contractor_id
    return is_operator_staff(user, contract.programme)


# --------------------------------------------------------------------------- issuing


def _check_billing_rights(actor, contract):

    if actor is not None and not can_manage_billing(actor, contract):
        raise PermissionDenied(_("Only an administrator of the operator can issue statements or record payments."))
