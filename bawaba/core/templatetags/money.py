"""`{% load money %}{{ statement.net_amount|money }}` -> "1 250,00 DA" / "1 250,00 دج" (bawaba.core.money)."""

from django import template

from bawaba.core.money import format_amount, format_money

register = template.Library()


@register.filter
def money(value) -> str:
    """An amount with its currency in the page's language; "" for a missing amount."""
    return format_money(value)


@register.filter
def amount(value) -> str:
    """The number alone, grouped the same way (for a column whose heading names the currency)."""
    return format_amount(value)
