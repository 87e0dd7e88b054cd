"""Prices of letters from the operator's tariff in force on the day of submission (MailTariff.valid_from).

A letter's price is fixed when it is accepted, for both paths, so that what the sender pays never depends on
when the tariff changes afterwards: `Letter.price` is the price if it stays digital (digital products and the
digital leg of digital-then-paper ones), `Letter.paper_price` the price if it goes to paper (first sheet plus each
extra sheet). A paper-only product costs its paper price whatever happens. What the sender is charged is
`charged(letter)`: the paper price once the letter went to paper, else the digital price.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import MailProduct, MailTariff, MailTariffLine, Path


class NoTariff(Exception):
    def __init__(self, product: MailProduct, day: dt.date):
        self.message = _("No tariff of %(operator)s in force on %(day)s prices “%(product)s”.") % {
            "operator": product.operator, "day": day.strftime("%d/%m/%Y"), "product": product.name}
        super().__init__(self.message)


@dataclass(frozen=True)
class Price:
    tariff: MailTariff
    digital: Decimal | None  # None for a paper-only product
    paper: Decimal | None    # None for a digital-only product
    currency: str


def sheets_for(pages: int, *, duplex: bool = True) -> int:
    return max(1, (pages + 1) // 2 if duplex else pages)


def tariff_line(product: MailProduct, day: dt.date) -> MailTariffLine:
    line = (MailTariffLine.objects.filter(product=product, tariff__operator_id=product.operator_id,
                                          tariff__valid_from__lte=day)
            .select_related("tariff").order_by("-tariff__valid_from").first())
    if line is None:
        raise NoTariff(product, day)
    return line


def price(product: MailProduct, *, pages: int, day: dt.date, line: MailTariffLine | None = None) -> Price:
    line = line or tariff_line(product, day)
    sheets = sheets_for(pages)
    paper = line.paper_price + line.extra_sheet_price * (sheets - 1)
    return Price(tariff=line.tariff, currency=line.tariff.currency,
                 digital=None if product.path == Path.PAPER else line.digital_price,
                 paper=None if product.path == Path.DIGITAL_ONLY else paper)


PAPER_STATES = {"to_print", "in_run", "printed", "enveloped", "posted", "delivered", "undelivered"}


def went_to_paper(letter) -> bool:
    return letter.to_print_at is not None or letter.state in PAPER_STATES


def charged(letter) -> Decimal | None:
    """What the sender pays for the letter today (None for a refused letter)."""
    if letter.state == "refused":
        return None
    if letter.product.path == Path.PAPER or went_to_paper(letter):
        return letter.paper_price if letter.paper_price is not None else letter.price
    return letter.price
