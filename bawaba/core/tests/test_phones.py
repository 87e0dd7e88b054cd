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


def test_numbers_of_other_countries_are_refused():
    with pytest.raises(ValidationError) as error:
        to_e164("+33 6 12 34 56 78")
    assert error.value.code == "region"


def test_display_is_international_format():
    assert display("+213550123456") == "+213 550 12 34 56"
