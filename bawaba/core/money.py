"""Amounts in Algerian dinars as people read them: "1 250,00 DA" (French, English), "1 250,00 دج" (Arabic).

Groups of three digits are joined by a no-break space (U+00A0) and the amount and its currency too, so an
amount never breaks across two lines; two decimals after a comma, rounded half up; a minus sign in front of
negative amounts. In Arabic a left-to-right mark (U+200E) precedes the minus sign, so that a right-to-left
page still shows "-1 250,00" and not "1 250,00-". Decimal only: a float is read from its shortest repr,
never computed with. APIs and UBL files keep raw numbers; this is for pages, PDFs and messages.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import pgettext

NBSP = "\xa0"
LRM = "\u200e"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def group_digits(whole: str) -> str:
    """"1234567" -> "1 234 567" (no-break spaces)."""
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return NBSP.join(groups)


@functools.lru_cache(maxsize=64)
def currency_decimals(code: str | None) -> int:
    """ISO 4217 minor unit of a currency (the ``iso4217`` package carries the list SIX publishes): DZD 2,
    XAF 0, EUR 2; 2 for a code the standard gives no figure for."""
    from iso4217 import Currency

    try:
        exponent = Currency((code or "DZD").upper()).exponent
    except ValueError:
        return 2
    return 2 if exponent is None else exponent


def format_amount(value, decimals: int = 2) -> str:
    """The number alone: 1 250,00 (no currency), "" when value is not a number. ``decimals`` is the
    currency's minor unit: 0 for the CFA franc (1 250)."""
    number = _decimal(value)
    if number is None:
        return ""
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(number):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if number < 0 else ""
    return f"{sign}{group_digits(whole)}" + (f",{fraction}" if fraction else "")


# Other currencies the platform's operators bill in, as their customers read them (Congo: the CFA franc).
OTHER_SYMBOLS = {"XAF": "FCFA", "XOF": "FCFA", "EUR": "€"}


def currency_symbol(language: str | None = None, currency: str = "DZD") -> str:
    if currency and currency != "DZD":
        return OTHER_SYMBOLS.get(currency, currency)
    with translation.override(language or translation.get_language() or "fr"):
        # Translators: the Algerian dinar after an amount, as printed on bills: "DA" in French, "دج" in Arabic.
        return pgettext("currency symbol", "DA")


def format_money(value, language: str | None = None, currency: str = "DZD") -> str:
    """1250 -> "1 250,00 DA" in the active language (or `language`); "" when value is not a number.
    ``currency`` (ISO 4217) for an operator that does not bill in dinars, with its own decimals: "1 250 FCFA"
    for XAF."""
    amount = format_amount(value, currency_decimals(currency))
    if not amount:
        return ""
    language = (language or translation.get_language() or "fr")[:2]
    if language == "ar" and amount.startswith("-"):
        amount = LRM + amount
    return f"{amount}{NBSP}{currency_symbol(language, currency)}"
