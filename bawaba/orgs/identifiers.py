"""The legal identification an invoice carries: what is mandatory for a party, and the formats we check.

Algeria (décret exécutif n° 05-468 du 10 décembre 2005 fixant les conditions et modalités d'établissement de la
facture, article 3): name or company name, legal form, address, trade-register number (RC), tax identification
number (NIF), tax article number (AI); the statistical identification number (NIS) must be printed on every
document a company issues (décret législatif n° 94-01 du 15 janvier 1994, article 22).

Formats. What we found documented, and what we therefore accept (we had no access to the official format
specifications; stricter checks need them):
- NIF: digits only. Third-party guides give 15 digits (most companies) and 20 for some entities: we accept 15 to
  20 digits.
- NIS: digits only; we accept 15 to 20 digits (the same caution).
- Tax article number (AI): digits only; examples printed on invoices have 11 digits: we accept 8 to 15.
- RC: wilaya code, "/", two digits, "-", the register number, the letter of the register section, the two-digit
  year: "16/00-1234567 B 12". We accept that shape with 5 to 8 digits in the number, spaces optional, any capital
  letter for the section.
Outside Algeria (Congo: NIU and RCCM) we only require capital letters, digits, "-", "/", "." and spaces.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Field name -> label; the order in which documents print them and messages name them.
IDENTIFIER_FIELDS = {
    "address": _("address"),
    "legal_form": _("legal form"),
    "tax_identifier": _("tax identifier (NIF)"),
    "statistical_identifier": _("statistical identifier (NIS)"),
    "trade_register_number": _("trade register number (RC)"),
    "tax_article_number": _("tax article number (AI)"),
}
MANDATORY = {
    "DZ": ("address", "legal_form", "tax_identifier", "statistical_identifier", "trade_register_number",
           "tax_article_number"),
}
MANDATORY_ELSEWHERE = ("address", "legal_form", "tax_identifier", "trade_register_number")

DZ_FORMATS = {
    "tax_identifier": (re.compile(r"^\d{15,20}$"), _("An Algerian NIF has 15 to 20 digits.")),
    "statistical_identifier": (re.compile(r"^\d{15,20}$"), _("An Algerian NIS has 15 to 20 digits.")),
    "tax_article_number": (re.compile(r"^\d{8,15}$"), _("An Algerian tax article number has 8 to 15 digits.")),
    "trade_register_number": (re.compile(r"^\d{2}/\d{2}-\d{5,8} ?[A-Z] ?\d{2}$"),
                              _("An Algerian RC number looks like 16/00-1234567 B 12.")),
}
OTHER_FORMAT = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]*$")


def normalise(field: str, value: str, country: str) -> str:
    """The identifier as stored: digits without spaces, capitals, single spaces."""
    value = " ".join((value or "").split())
    if field in ("address", "legal_form"):
        return value
    value = value.upper()
    if country == "DZ" and field in ("tax_identifier", "statistical_identifier", "tax_article_number"):
        return value.replace(" ", "")
    if field == "tax_identifier":
        return value.replace(" ", "")
    return value


def identifier_errors(country: str, values: dict) -> dict[str, list[str]]:
    """Format errors of the identifiers given (empty ones are not checked here: see missing_identifiers)."""
    errors: dict[str, list[str]] = {}
    for field in ("tax_identifier", "statistical_identifier", "trade_register_number", "tax_article_number"):
        value = values.get(field) or ""
        if not value:
            continue
        if country == "DZ":
            pattern, message = DZ_FORMATS[field]
            if not pattern.match(value):
                errors[field] = [str(message)]
        elif not OTHER_FORMAT.match(value):
            errors[field] = [str(_("Capital letters, digits, spaces and - / . only."))]
    return errors


def validate_identifiers(country: str, values: dict) -> None:
    errors = identifier_errors(country, values)
    if errors:
        raise ValidationError(errors)


def mandatory_fields(country: str) -> tuple[str, ...]:
    return MANDATORY.get(country, MANDATORY_ELSEWHERE)


def missing_identifiers(party: dict) -> list[str]:
    """Labels of the mandatory identifiers a party (an organisation as a dict of its fields) lacks."""
    return [str(IDENTIFIER_FIELDS[field]) for field in mandatory_fields(party.get("country") or "DZ")
            if not (party.get(field) or "").strip()]
