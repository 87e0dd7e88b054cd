"""Algerian conventions: day-first dates, Maghreb month names, 24-hour time, amounts in DA / دج."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format

from bawaba.core.languages import language_name
from bawaba.core.money import format_amount, format_money

NBSP = "\xa0"
SIXTH_OF_DECEMBER = dt.datetime(2026, 12, 6, 14, 5)
MAGHREB_MONTHS = ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر",
                  "ديسمبر"]
MASHRIQ_MONTHS = ["يناير", "فبراير", "أبريل", "إبريل", "مايو", "يونيو", "يوليو", "أغسطس"]


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_short_dates_and_date_times_are_day_first_on_24_hours_in_every_language(language):
    with translation.override(language):
        assert date_format(SIXTH_OF_DECEMBER, "SHORT_DATE_FORMAT") == "06/12/2026"
        assert date_format(SIXTH_OF_DECEMBER, "SHORT_DATETIME_FORMAT") == "06/12/2026 14:05"
        assert date_format(SIXTH_OF_DECEMBER, "TIME_FORMAT") == "14:05"
        assert Template("{{ d|date:'SHORT_DATETIME_FORMAT' }}").render(Context({"d": SIXTH_OF_DECEMBER})) == (
            "06/12/2026 14:05")


@pytest.mark.parametrize(("language", "long_date", "long_date_time"), [
    ("fr", "6 décembre 2026", "6 décembre 2026 14:05"),
    ("ar", "6 ديسمبر 2026", "6 ديسمبر 2026، 14:05"),
    ("en", "6 December 2026", "6 December 2026, 14:05"),
])
def test_long_dates_put_the_day_before_the_month(language, long_date, long_date_time):
    with translation.override(language):
        assert date_format(SIXTH_OF_DECEMBER) == long_date
        assert date_format(SIXTH_OF_DECEMBER, "DATETIME_FORMAT") == long_date_time


@pytest.mark.parametrize("month", range(1, 13))
def test_arabic_month_names_are_the_maghreb_ones_in_every_django_form(month):
    day = dt.date(2026, month, 6)
    expected = MAGHREB_MONTHS[month - 1]
    with translation.override("ar"):
        assert date_format(day) == f"6 {expected} 2026"
        for code in ("F", "E", "N", "b", "M"):  # full, alternative, abbreviated (AP), three-letter forms
            shown = date_format(day, code)
            assert shown == expected, (code, shown)
            assert shown not in MASHRIQ_MONTHS


def test_french_month_names_are_unchanged():
    with translation.override("fr"):
        assert date_format(dt.date(2026, 8, 15)) == "15 août 2026"
        assert date_format(dt.date(2026, 2, 1), "E") == "Février"


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_numbers_are_grouped_with_no_break_spaces_and_a_decimal_comma(language):
    with translation.override(language):
        assert number_format(Decimal("1250.5"), 2, force_grouping=True) == f"1{NBSP}250,50"
        assert Template('{{ n|floatformat:"2g" }}').render(Context({"n": Decimal("1234567")})) == (
            f"1{NBSP}234{NBSP}567,00")


@pytest.mark.parametrize(("language", "currency"), [("fr", "DA"), ("en", "DA"), ("ar", "دج")])
def test_money_has_grouped_digits_two_decimals_and_the_currency(language, currency):
    assert format_money(Decimal("1250"), language) == f"1{NBSP}250,00{NBSP}{currency}"
    assert format_money(Decimal("0.5"), language) == f"0,50{NBSP}{currency}"
    assert format_money(Decimal("1234567890.12"), language) == f"1{NBSP}234{NBSP}567{NBSP}890,12{NBSP}{currency}"
    assert format_money(12, language) == f"12,00{NBSP}{currency}"
    with translation.override(language):  # the active language by default
        assert format_money(Decimal("999.999")) == f"1{NBSP}000,00{NBSP}{currency}"  # rounded half up


def test_negative_amounts_keep_their_sign_in_front_even_in_arabic():
    assert format_money(Decimal("-1250"), "fr") == f"-1{NBSP}250,00{NBSP}DA"
    assert format_money(Decimal("-1250"), "en") == f"-1{NBSP}250,00{NBSP}DA"
    # A left-to-right mark keeps "-1 250,00" together on a right-to-left line (else it reads "1 250,00-").
    assert format_money(Decimal("-1250"), "ar") == f"\u200e-1{NBSP}250,00{NBSP}دج"
    assert format_money(Decimal("-0.004"), "fr") == f"0,00{NBSP}DA"  # rounds to zero: no "-0,00"


def test_amounts_never_go_through_float():
    assert format_amount(0.1 + 0.2) == "0,30"
    assert format_amount("12345.675") == f"12{NBSP}345,68"  # ROUND_HALF_UP on the decimal, not 12 345,67
    assert format_amount(Decimal("1E+3")) == f"1{NBSP}000,00"
    for missing in (None, "", "abc", Decimal("NaN"), Decimal("Infinity")):
        assert format_money(missing, "fr") == ""


@pytest.mark.parametrize(("language", "expected"), [("fr", "1\xa0250,00\xa0DA"), ("ar", "1\xa0250,00\xa0دج")])
def test_money_template_filter_uses_the_page_language(language, expected):
    template = Template("{% load conventions %}{{ x|money }}|{{ x|amount }}")
    with translation.override(language):
        assert template.render(Context({"x": Decimal("1250")})) == f"{expected}|1\xa0250,00"


@pytest.mark.parametrize(("language", "code", "expected"), [
    ("fr", "ar", "Arabe"), ("fr", "arq-Latn", "Darija (lettres latines)"), ("fr", "fr-DZ", "Français"),
    ("ar", "arq-Latn", "الدارجة (بالحروف اللاتينية)"), ("en", "arq", "Darija (Arabic script)"), ("en", "", ""),
])
def test_languages_are_shown_by_name_never_by_code(language, code, expected):
    with translation.override(language):
        assert language_name(code) == expected


def _plural_entries(language: str):
    """(msgid, {form index: text}) of every plural entry of a project catalogue."""
    from django.conf import settings

    catalogue = (settings.LOCALE_PATHS[0] / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for block in catalogue.split("\n\n"):
        if "\nmsgid_plural " not in block or block.lstrip().startswith("#~"):
            continue
        forms, current = {}, None
        for line in block.splitlines():
            if line.startswith("msgstr["):
                current = int(line[7])
                forms[current] = line.split(" ", 1)[1].strip('"')
            elif line.startswith('"') and current is not None:
                forms[current] += line.strip('"')
        yield block.split("msgid ", 1)[1].split("\n")[0], forms


def test_every_arabic_plural_has_its_six_forms_filled():
    entries = list(_plural_entries("ar"))
    assert entries
    for msgid, forms in entries:
        assert sorted(forms) == [0, 1, 2, 3, 4, 5], msgid
        assert all(forms.values()), msgid


def test_arabic_plurals_agree_with_the_number():
    from django.utils.translation import ngettext

    with translation.override("ar"):
        shown = [ngettext("%(counter)s open request", "%(counter)s open requests", n) % {"counter": n}
                 for n in (0, 1, 2, 3, 11, 100)]
    assert len(set(shown)) == 6, shown  # six different forms: 0, 1, 2, 3–10, 11–99, 100+


def test_an_operator_billing_in_cfa_francs_shows_whole_fcfa_in_every_language():
    # The CFA franc has no minor unit (ISO 4217 exponent 0): amounts are whole francs, rounded half up.
    assert format_money(1250, "fr", currency="XAF") == "1\u00a0250\u00a0FCFA"
    assert format_money("1518.50", "ar", currency="XAF") == "1\u00a0519\u00a0FCFA"
    assert format_money(-1250, "ar", currency="XAF") == "\u200e-1\u00a0250\u00a0FCFA"
    assert format_money(1250, "fr") == "1\u00a0250,00\u00a0DA"
    assert format_money(1250, "fr", currency="EUR") == "1\u00a0250,00\u00a0€"
    rendered = Template('{% load conventions %}{{ x|money:"XAF" }}|{{ x|money }}').render(Context({"x": 5}))
    assert rendered.endswith("5\u00a0FCFA|5,00\u00a0DA") or rendered.endswith("5\u00a0FCFA|5,00\u00a0دج")
