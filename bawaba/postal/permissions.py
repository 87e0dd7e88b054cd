"""Who sees what in postal operations.

- a counter clerk (`postal.clerk`): their office's counter — items accepted there, and held items waiting
  there for pick-up;
- a postman (`postal.postman`): the items their delivery office delivers (their round);
- a sorting operator (`postal.sorter`): records scans for their post's items, sees no names or addresses;
- a supervisor (`postal.supervisor`): every item and office of their region (all of the post when their
  posting names no region);
- the public: an item's timeline only (no names, addresses or phone numbers; bawaba.postal.selectors).

Every role belongs to a member of the post that owns the item; another post's items answer 404 like
unknown ones. A platform admin sees every post.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bawaba.postal.apps import CLERK, POSTAL_ROLES, POSTMAN, SORTER, SUPERVISOR
from bawaba.postal.models import Item, Office, PostalStaff

__all__ = ["CLERK", "POSTMAN", "SORTER", "SUPERVISOR", "items_visible_to", "offices_visible_to", "posting",
           "is_postal_staff"]


def posting(user) -> PostalStaff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.postal_staff
    except PostalStaff.DoesNotExist:
        return None


def is_postal_staff(user, *roles: str) -> bool:
    """Holds one of these postal roles (any postal role when none is named) in an active organisation."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    org = getattr(user, "organisation", None)
    return org is not None and org.is_active and user.has_role(*(roles or POSTAL_ROLES))


def offices_visible_to(user) -> QuerySet[Office]:
    if not is_postal_staff(user):
        return Office.objects.none()
    if user.is_platform_admin:
        return Office.objects.all()
    offices = Office.objects.filter(organisation_id=user.organisation_id)
    if user.has_role(SUPERVISOR, SORTER):
        staff = posting(user)
        if staff is not None and staff.region_id and not user.has_role(SORTER):
            return offices.filter(region_id=staff.region_id)
        return offices
    staff = posting(user)
    return offices.filter(pk=staff.office_id) if staff and staff.office_id else Office.objects.none()


def items_visible_to(user) -> QuerySet[Item]:
    """Items this person may open. Names and addresses are on these rows: the public never gets them."""
    if not is_postal_staff(user):
        return Item.objects.none()
    if user.is_platform_admin:
        return Item.objects.all()
    items = Item.objects.filter(organisation_id=user.organisation_id)
    staff = posting(user)
    rules = Q(pk__in=[])
    if user.has_role(SUPERVISOR):
        if staff is None or not staff.region_id:
            return items
        region = staff.region_id
        rules |= (Q(accepted_office__region_id=region) | Q(delivery_office__region_id=region)
                  | Q(recipient_region_id=region))
    if user.has_role(SORTER):
        return items
    if staff is not None and staff.office_id:
        if user.has_role(CLERK):
            rules |= Q(accepted_office_id=staff.office_id) | Q(delivery_office_id=staff.office_id, status="held")
        if user.has_role(POSTMAN):
            rules |= Q(delivery_office_id=staff.office_id)
    return items.filter(rules)
