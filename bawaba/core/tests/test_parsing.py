import pytest

from bawaba.core.parsing import MAX_ID, positive_int


@pytest.mark.parametrize("value, expected", [
    ("1", 1), (" 42 ", 42), (7, 7), (str(MAX_ID), MAX_ID),
    ("0", None), ("-3", None), ("", None), (None, None), ("1.5", None), ("abc", None),
    ("²", None), ("٣", None), ("1²", None), (str(MAX_ID + 1), None), ("9" * 30, None),
])
def test_positive_int_reads_ascii_digits_within_bounds_only(value, expected):
    assert positive_int(value) == expected


def test_a_maximum_caps_the_number():
    assert positive_int("1000001", maximum=10**6) is None
    assert positive_int("1000000", maximum=10**6) == 10**6
