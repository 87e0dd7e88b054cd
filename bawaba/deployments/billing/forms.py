"""Forms of the billing pages: issue statements, record a payment, issue a correction."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.validators import DecimalValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..common.forms import MAX_TEXT
from ..common.money import DEFAULT_CURRENCY

# --------------------------------------------------------------------------- billing and import (operator side)

MONEY_DIGITS = 13  # below the 16-digit columns once VAT is added; ten thousand billion dinars is plenty


class MoneyField(forms.DecimalField):
    """An amount with at most two decimals (see with_currency for the contract's); accepts "1 234,50" as typed in
    French."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        return _without_zero_decimals(super().to_python(value), self.decimal_places)


def _without_zero_decimals(number: Decimal | None, places: int | None) -> Decimal | None:
    """"1000,00" in a currency without centimes (XAF) is 1000: drop the decimals past `places` when they are all
    zeros, so that only centimes that are not zero are refused. Done on the digits, not by quantize(), which
    fails past the decimal context's 28 digits."""
    if number is None or places is None or not number.is_finite():
        return number
    sign, digits, exponent = number.as_tuple()
    extra = -exponent - places
    if extra <= 0 or any(digits[-extra:]):
        return number
    return Decimal((sign, digits[:-extra] or (0,), exponent + extra))


def with_currency(form: forms.Form, currency: str | None, labels: dict[str, str]) -> None:
    """Name the contract's currency in the labels of the form's amounts ("Amount (FCFA)", "المبلغ (دج)") and
    accept no more decimals than it has (ISO 4217: two for DZD, none for XAF). `labels` maps a field to its
    label, with a %(currency)s placeholder, already translated."""
    from bawaba.core.money import currency_decimals, currency_symbol

    currency = currency or DEFAULT_CURRENCY
    decimals = currency_decimals(currency)
    for name, label in labels.items():
        field = form.fields[name]
        field.label = label % {"currency": currency_symbol(currency=currency)}
        field.decimal_places = decimals
        field.validators = [v for v in field.validators if not isinstance(v, DecimalValidator)]
        field.validators.append(DecimalValidator(field.max_digits, decimals))


def last_ended_month(today) -> str:
    first = today.replace(day=1)
    previous = first - dt.timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


class IssueStatementsForm(forms.Form):
    """Which statements to issue: every active contract of a programme, or one contract, for one month."""

    programme = forms.CharField(label=_("Programme"), max_length=60, widget=forms.Select)
    contract = forms.CharField(label=_("Contract (optional)"), required=False, max_length=60,
                               help_text=_("Leave empty to issue for every active contract of the programme."),
                               widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "CT-2026-001",
                                                             "list": "contract-references"}))
    month = forms.CharField(label=_("Month"), max_length=7, help_text=_("The month must have ended."),
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10",
                                                          "pattern": r"\d{4}-\d{2}"}))

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].widget.choices = [(p.code, p.name) for p in programmes]

    def clean_contract(self):
        return self.cleaned_data["contract"].strip()

    def clean_month(self):
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", self.cleaned_data["month"].strip())
        year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        if not (2000 <= year <= 2999 and 1 <= month <= 12):
            raise forms.ValidationError(_("Give the month as YYYY-MM, for example 2026-10."))
        return year, month

    @property
    def period_end(self) -> dt.date:
        year, month = self.cleaned_data["month"]
        return dt.date(year, month, calendar.monthrange(year, month)[1])


class PaymentForm(forms.Form):
    """A payment received for a payment statement; the service refuses overpayments and impossible dates."""

    amount = MoneyField()  # its label names the contract's currency (with_currency, in __init__)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reference = forms.CharField(label=_("Reference (bank transfer, cheque)"), required=False, max_length=60,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}))
    # Sent again by a double submit: the same token records one payment.
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, currency=DEFAULT_CURRENCY, **kwargs):
        kwargs.setdefault("auto_id", "payment_%s")  # unique ids beside the correction form
        super().__init__(*args, **kwargs)
        # Translators: %(currency)s is the contract's currency as printed after amounts: "DA", "دج", "FCFA".
        with_currency(self, currency, {"amount": gettext("Amount (%(currency)s)")})


class CorrectionForm(forms.Form):
    """A correction statement: adjustments to the original's amounts (negative to reduce them)."""

    # Their labels name the contract's currency (with_currency, in __init__).
    gross_adjustment = MoneyField(help_text=_("Negative to reduce the amount of work, positive to add to it."))
    penalty_adjustment = MoneyField(required=False,
                                    help_text=_("Negative to give penalties back, positive to add penalties."))
    reason = forms.CharField(label=_("Reason (printed on the correction)"), max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                             error_messages={"required": _("Explain the correction; it is printed on the document.")})
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, currency=DEFAULT_CURRENCY, **kwargs):
        kwargs.setdefault("auto_id", "correction_%s")
        super().__init__(*args, **kwargs)
        with_currency(self, currency, {
            # Translators: %(currency)s is the contract's currency as printed after amounts: "DA", "دج", "FCFA".
            "gross_adjustment": gettext("Gross amount adjustment (%(currency)s)"),
            # Translators: %(currency)s is the contract's currency as printed after amounts: "DA", "دج", "FCFA".
            "penalty_adjustment": gettext("Late penalty adjustment (%(currency)s)"),
        })

    def clean_penalty_adjustment(self):
        return self.cleaned_data["penalty_adjustment"] or Decimal("0")
