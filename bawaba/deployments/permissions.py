"""Who may do what in the fibre app. Roles are accounts.Role; the organisation kind decides the side.

- contractor staff: any member of an organisation of kind "contractor" (micro-enterprises are often one
  person, so every member may report and see the organisation's statements);
- inspector: a supervisor or organisation admin of the programme's operator (or a platform admin);
- operator staff: any member of the operator (dashboard, map, scorecards);
- billing manager: an organisation admin of the operator (or a platform admin).
"""

from __future__ import annotations

from bawaba.orgs.models import OrganisationKind


def _org(user):
    return getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None


def is_contractor_staff(user) -> bool:
    org = _org(user)
    return org is not None and org.kind == OrganisationKind.CONTRACTOR and org.is_active


def is_operator_staff(user, programme=None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    org = _org(user)
    if org is None or org.kind != OrganisationKind.OPERATOR:
        return False
    return programme is None or programme.operator_id == org.id


def is_inspector(user, programme=None) -> bool:
    return is_operator_staff(user, programme) and user.is_supervisor


def can_manage_billing(user, contract=None) -> bool:
    programme = contract.programme if contract is not None else None
    return is_operator_staff(user, programme) and user.is_org_admin


def can_view_contract(user, contract) -> bool:
    if is_contractor_staff(user):
        return user.organisation_id == contract.contractor_id
    return is_operator_staff(user, contract.programme)
