"""Money helpers shared by the fibre app: rounding to the currency's minor unit, plain decimal text.

A contract bills in its price schedule's currency (``PriceSchedule.currency``, ISO 4217): Algerian dinars
(DZD, two decimals: centimes) in Algeria, CFA francs of Central Africa (XAF, no decimals) in
Congo-Brazzaville. The number of decimals is ISO 4217's minor unit, read from the ``iso4217`` package (its
data is the ISO 4217 list published by SIX, the maintenance agency); amounts are rounded to it, half up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bawaba.core.money import currency_decimals

# --------------------------------------------------------------------------- input parsing


def plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 20.000 → "20", 0.50 → "0.5"."""
    return format(number.normalize(), "f")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_CURRENCY = "DZD"


def money(value, quantum: Decimal = CENT) -> Decimal:
    """Rounded half up to `quantum`: the centime by default, currency_quantum(code) for a contract's currency."""
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def currency_exponent(code: str | None) -> int:
    """ISO 4217 minor unit of a currency: DZD 2, XAF 0, EUR 2 (bawaba.core.money.currency_decimals)."""
    return currency_decimals(code)


def currency_quantum(code: str | None) -> Decimal:
    """The smallest amount of the currency: Decimal("0.01") for DZD, Decimal("1") for XAF."""
    return Decimal(1).scaleb(-currency_exponent(code))


def currency_text(value: Decimal, code: str | None) -> str:
    """An amount as e-invoices write it, with the currency's decimals: "1500.00" DZD, "1500" XAF (half up)."""
    return f"{money(value, currency_quantum(code)):f}"


def price_text(value: Decimal, code: str | None) -> str:
    """A unit price as e-invoices write it: with the currency's decimals, or its own when it has more (EN 16931
    lets a unit price (BT-146) carry more decimals than an amount; it is never rounded)."""
    value = Decimal(value)
    if value == money(value, currency_quantum(code)):
        return currency_text(value, code)
    return f"{value.normalize():f}"
