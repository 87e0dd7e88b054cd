"""Granting roles. Every change of a person's roles goes through do_set_roles, which checks the codes against
the modules' declarations, keeps staff status (access to the web admin) for admins only, and drops the cached
account so that the change applies at the next request."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bawaba.core import modules

from .models import ADMIN_ROLES, RoleGrant, User


def validate_role_codes(codes) -> list[str]:
    declared = modules.roles()
    unknown = sorted(set(codes) - set(declared))
    if unknown:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": ", ".join(unknown)[:80]})
    return sorted(set(codes))


def do_set_roles(user: User, codes) -> User:
    """Give `user` exactly these roles. Only organisation and platform admins are staff (the web admin);
    a superuser keeps staff status whatever their roles."""
    wanted = set(validate_role_codes(codes))
    with transaction.atomic():
        held = set(user.grants.values_list("role", flat=True))
        user.grants.filter(role__in=held - wanted).delete()
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=code) for code in sorted(wanted - held)])
        is_staff = user.is_superuser or not wanted.isdisjoint(ADMIN_ROLES)
        user.forget_roles()
        if user.is_staff != is_staff:
            user.is_staff = is_staff
        user.save(update_fields=["is_staff"])  # also drops the cached account (accounts.apps)
    user.__dict__["_role_codes"] = frozenset(wanted)  # what the rows now say
    return user
