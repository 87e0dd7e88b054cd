"""What the documents of a statement show, read once: the parties' identification, the rows per price item,
the penalty summary, money and quantity formats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bawaba.core.money import format_amount, format_money

from ..common.money import DEFAULT_CURRENCY, currency_exponent, currency_quantum, money
from ..field.models import BillingLine
from .models import PaymentStatement, PaymentStatementKind, WorkStatement

IDENTIFIERS = ("address", "legal_form", "tax_identifier", "statistical_identifier", "trade_register_number",
               "tax_article_number")


def _organisation(organisation) -> dict:
    return {"slug": organisation.slug, "name_fr": organisation.name_fr, "name_ar": organisation.name_ar,
            "country": organisation.country, **{field: getattr(organisation, field) for field in IDENTIFIERS}}


def document_parties(contract) -> dict:
    """What the documents print about a contract and its parties, to store on a statement when it is issued.

    Reads only the contract's contractor, programme operator and price schedule (for its currency): load them
    with the contract (select_related("contractor", "programme__operator", "price_schedule_version__schedule")),
    so a batch of statements costs no extra query. "currency" is the ISO 4217 code every amount is in (absent on
    statements issued before it was stored: dinars, IssuedDocument.currency).
    """
    return {"contract": contract.reference, "approval": contract.approval_reference, "currency": contract.currency,
            "programme": contract.programme.name_fr,
            "operator": _organisation(contract.programme.operator), "contractor": _organisation(contract.contractor)}


def identification_problems(parties: dict) -> list[str]:
    """Why a statement with these parties cannot be issued: a party without its mandatory identifiers
    (bawaba.orgs.identifiers), one message per party, translated; empty when both are complete."""
    from bawaba.orgs.identifiers import missing_identifiers

    problems = []
    for role, label in (("contractor", _("The contractor")), ("operator", _("The operator"))):
        party = parties[role]
        missing = missing_identifiers(party)
        if missing:
            problems.append(_("%(party)s %(name)s lacks its %(missing)s: complete its legal identification "
                              "(administration, organisations) before issuing.")
                            % {"party": label, "name": party["name_fr"], "missing": ", ".join(missing)})
    return problems


def fmt_money(value: Decimal) -> str:
    """1 234 567,89 (no-break spaces between groups): bawaba.core.money, without the currency."""
    return format_amount(value)


def fmt_currency(value, currency: str = DEFAULT_CURRENCY, language: str | None = None) -> str:
    """An amount with its currency as documents print it: "1 250,00 DA" (bawaba.core.money), and for a currency
    without decimals (ISO 4217 minor unit 0: XAF) whole units, "1 250 FCFA"."""
    if currency_exponent(currency) == 2 or value is None:
        return format_money(value, language, currency)
    text = format_money(money(Decimal(value), currency_quantum(currency)), language, currency)
    return text.replace(",00\xa0", "\xa0", 1)


def _day(value) -> str:
    """A date as the page shows it, day first (06/12/2026): the active language's SHORT_DATE_FORMAT."""
    return date_format(value, "SHORT_DATE_FORMAT")


def fmt_qty(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


@dataclass
class Row:
    code: str
    label_fr: str
    label_ar: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


def rows_by_work_statement(ids) -> dict[int, list[Row]]:
    """Billing lines of these work statements summed per price item and unit price, in one query."""
    grouped = (BillingLine.objects.filter(work_statement_id__in=list(ids))
               .values("work_statement_id", "price_item__code", "price_item__label_fr", "price_item__label_ar",
                       "price_item__unit", "unit_price")
               .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
               .order_by("work_statement_id", "price_item__code", "unit_price"))
    rows: dict[int, list[Row]] = {pk: [] for pk in ids}
    for g in grouped:
        rows[g["work_statement_id"]].append(Row(g["price_item__code"], g["price_item__label_fr"],
                                                g["price_item__label_ar"], g["price_item__unit"], g["quantity"],
                                                g["unit_price"], g["amount"]))
    return rows


def statement_rows(work_statement: WorkStatement | None) -> list[Row]:
    """Billing lines of a work statement summed per price item and unit price (read once: issuing a batch sets
    them for all its work statements in one query, see frozen.freeze_figures)."""
    if work_statement is None:
        return []
    cached = getattr(work_statement, "_document_rows", None)
    if cached is None:
        cached = rows_by_work_statement([work_statement.pk])[work_statement.pk]
        work_statement._document_rows = cached
    return cached


def parties_name(party: dict) -> str:
    return party["name_fr"]


def penalty_summary(statement: PaymentStatement) -> list[tuple[str, Decimal]]:
    """The late penalties of a regular statement under the cap over the contract, as printed and shown: empty
    when the statement has none due, carried or waived."""
    if statement.kind != PaymentStatementKind.REGULAR or not any((
            statement.penalty_due_amount, statement.penalty_carried_in_amount, statement.penalty_carried_amount,
            statement.penalty_waived_amount, statement.penalty_amount)):
        return []
    rows = [
        (_("Late penalties due for this period"), statement.penalty_due_amount),
        (_("Carried from earlier statements"), statement.penalty_carried_in_amount),
    ]
    if statement.penalty_contract_cap_amount is not None:
        rows += [(_("Cap over the contract"), statement.penalty_contract_cap_amount),
                 (_("Charged over the contract, this statement included"), statement.penalty_charged_to_date_amount)]
    rows += [(_("Charged on this statement"), statement.penalty_amount),
             (_("Carried to the next statements"), statement.penalty_carried_amount)]
    if statement.penalty_waived_amount:
        rows.append((_("Beyond the cap over the contract, not charged"), statement.penalty_waived_amount))
    return rows
