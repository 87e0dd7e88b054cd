"""Algerian conventions in templates (`{% load conventions %}`), see docs/conventions.md.

`{{ statement.net_amount|money }}` -> "1 250,00 DA" / "1 250,00 دج"; `{{ x|amount }}` -> "1 250,00";
`{{ req.language|language_name }}` -> "Darija (lettres latines)" instead of "arq-Latn".
"""

from django import template

from bawaba.core.languages import language_name as _language_name
from bawaba.core.money import format_amount, format_money

register = template.Library()


@register.filter
def money(value, currency="DZD") -> str:
    """An amount with its currency in the page's language; "" for a missing amount. `{{ x|money:"XAF" }}` for
    an operator that bills in another currency than the dinar."""
    return format_money(value, currency=currency or "DZD")


@register.filter
def amount(value) -> str:
    """The number alone, grouped the same way (for a column whose heading names the currency)."""
    return format_amount(value)


@register.filter
def language_name(code) -> str:
    """The name of a language in the page's language, never its code."""
    return _language_name(code or "")
