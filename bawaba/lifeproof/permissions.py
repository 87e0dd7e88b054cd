"""Who may do what in proof of life.

- a reviewer (`lifeproof.reviewer`) or manager (`lifeproof.manager`) is staff of a fund (an organisation of kind
  administration): they see that fund's pensioners, attempts and biometric data, never another fund's (404);
- a manager also imports pensioners, runs campaigns and exports;
- a counter clerk (`lifeproof.counter`, e.g. at a post office) finds a pensioner of any fund by pension number
  AND national ID number after checking the ID card, enrols, and starts a proof at the counter; they never see
  biometric data or lists of pensioners.
Platform admins are not fund staff: biometric data stays with the fund.
"""

from __future__ import annotations

from django.http import Http404

from .apps import COUNTER, FUND_ROLES, MANAGER


def _org(user):
    return getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None


def is_fund_staff(user, organisation=None) -> bool:
    org = _org(user)
    if org is None or not org.is_active or not user.has_role(*FUND_ROLES):
        return False
    return organisation is None or org.pk == organisation.pk


def is_fund_manager(user, organisation=None) -> bool:
    return is_fund_staff(user, organisation) and user.has_role(MANAGER)


def is_counter_clerk(user) -> bool:
    org = _org(user)
    return org is not None and org.is_active and user.has_role(COUNTER)


def fund_of(user):
    """The fund whose staff the user is; Http404 otherwise (pages for fund staff only)."""
    if not is_fund_staff(user):
        raise Http404
    return user.organisation
