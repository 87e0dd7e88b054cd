"""An accepted item priced on the contractor's running statement (BillingLine), in the accepting transaction.
The line belongs to the field (it is the accepted work, priced); billing groups the lines into statements."""

from __future__ import annotations

from ..common.money import currency_quantum, money
from .models import BillingLine

# --------------------------------------------------------------------------- running statement


def billing_line_for(reported_item, *, work_item, work_order, at) -> BillingLine:
    """The (unsaved) priced line of an accepted item: quantity × unit price excl. tax, rounded to the minor unit
    of the schedule's currency (the centime of a dinar; a whole CFA franc). Load the work item with
    select_related("price_item__version__schedule") to read the currency without a query."""
    price_item = work_item.price_item
    quantum = currency_quantum(price_item.version.schedule.currency)
    return BillingLine(
        contract_id=work_order.contract_id,
        reported_item=reported_item,
        work_order=work_order,
        region_id=work_order.site.region_id,
        price_item=price_item,
        quantity=reported_item.quantity,
        unit_price=price_item.unit_price,
        amount=money(reported_item.quantity * price_item.unit_price, quantum),
        accepted_at=at,
    )


def post_billing_line(reported_item, *, work_item, work_order, at) -> BillingLine:
    """Price an accepted item onto the running statement. Called inside the accepting transaction."""
    line = billing_line_for(reported_item, work_item=work_item, work_order=work_order, at=at)
    line.save()
    return line
