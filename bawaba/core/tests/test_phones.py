import pytest
from django.core.exceptions import ValidationError

from bawaba.core.phones import display, to_e164


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0550 12 34 56", "+213550123456"),
        ("0661-12-34-56", "+213661123456"),
        ("+213 7 70 12 34 56", "+213770123456"),
        ("00213550123456", "+213550123456"),
        ("021 23 45 67", "+21321234567"),  # Algiers fixed line
        ("+242 06 612 3456", "+242066123456"),  # Congo-Brazzaville mobile
        ("00242 05 512 3456", "+242055123456"),
    ],
)
def test_algerian_and_congolese_numbers_are_stored_in_e164(raw, expected):
    assert to_e164(raw) == expected


def test_congolese_local_format_with_congo_as_default_region():
    assert to_e164("06 612 3456", default_region="CG") == "+242066123456"


@pytest.mark.parametrize("raw", ["", "   ", "12", "0550 12", "abcdefghij", "+213 99 99"])
def test_invalid_numbers_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as error:
        to_e164(raw)
    assert error.value.messages[0]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+33 6 12 34 56 78", "+33612345678"),  # France, mobile
        ("0033 6 12 34 56 78", "+33612345678"),
        ("00 33 6 12 34 56 78", "+33612345678"),
        ("+1 202 555 0143", "+12025550143"),  # United States
        ("+49 30 901820", "+4930901820"),  # Germany, Berlin fixed line
    ],
)
def test_international_numbers_of_citizens_abroad_are_accepted(raw, expected):
    assert to_e164(raw) == expected


def test_an_invalid_number_says_how_to_write_one_from_abroad():
    from django.utils import translation

    for language, expected in [("fr", "indicatif pays"), ("ar", "رمز البلد"), ("en", "country code")]:
        with pytest.raises(ValidationError) as error:
            to_e164("+33 6 12")
        assert error.value.code == "invalid"
        with translation.override(language):  # the message is translated when shown
            assert expected in error.value.messages[0], language


def test_foreign_numbers_can_be_limited_to_algeria_and_congo():
    with pytest.raises(ValidationError) as error:
        to_e164("+33 6 12 34 56 78", allow_foreign=False)
    assert error.value.code == "region"
    assert to_e164("0550 12 34 56", allow_foreign=False) == "+213550123456"


def test_display_is_international_format():
    assert display("+213550123456") == "+213 550 12 34 56"
