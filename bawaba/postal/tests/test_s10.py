"""S10 identifiers: check digit, parsing and the `bawaba postal s10-check` command."""

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.postal import s10

# Published examples: the UPU's own (EE 47110815 1 FR) and the barcode writers' (RR 47312482 9 GB).
KNOWN = ["EE471108151FR", "RR473124829GB", "RR473124829CG"]


@pytest.mark.parametrize("number", KNOWN)
def test_known_identifiers_are_valid(number):
    assert str(s10.parse(number)) == number


def test_check_digit_rules_for_ten_and_eleven():
    # 11 − (S mod 11): a remainder of 1 gives 10, written 0; a remainder of 0 gives 11, written 5.
    zero = next(f"{n:08d}" for n in range(10_000) if _raw(f"{n:08d}") == 10)
    five = next(f"{n:08d}" for n in range(1, 10_000) if _raw(f"{n:08d}") == 11)
    assert s10.check_digit(zero) == 0
    assert s10.check_digit(five) == 5


@given(st.integers(0, 99_999_999), st.sampled_from(["RR", "EE", "CP", "CV", "LX", "UA"]), st.sampled_from(["DZ", "CG"]))
def test_every_built_identifier_parses_back(serial, indicator, country):
    built = s10.build(indicator, serial, country)
    assert s10.parse(str(built)) == built
    assert s10.parse(built.spaced) == built


def _raw(digits: str) -> int:
    return 11 - sum(int(d) * w for d, w in zip(digits, s10.WEIGHTS, strict=True)) % 11


@given(st.integers(0, 99_999_999), st.integers(0, 7), st.integers(1, 9))
def test_a_single_digit_error_is_caught_unless_s10_folds_it(serial, position, delta):
    # Weights and changes are non-zero modulo 11, so the raw value always changes; S10 writes 11 as 5, so
    # only a change between raw 5 and raw 11 goes unseen — a known limit of the standard's check digit.
    digits = f"{serial:08d}"
    good = s10.build("RR", serial, "DZ")
    wrong = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1:]
    assert _raw(wrong) != _raw(digits)
    if {_raw(wrong), _raw(digits)} == {5, 11}:
        assert s10.is_valid(f"RR{wrong}{good.check}DZ")
    else:
        with pytest.raises(s10.S10Error) as error:
            s10.parse(f"RR{wrong}{good.check}DZ")
        assert error.value.code == "bad_check_digit"


@given(st.integers(0, 99_999_998), st.integers(0, 6))
def test_adjacent_transpositions_are_caught_unless_s10_folds_them(serial, i):
    digits = f"{serial:08d}"
    swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
    if digits[i] == digits[i + 1] or {_raw(swapped), _raw(digits)} <= {5, 11}:
        return
    assert not s10.is_valid(f"RR{swapped}{s10.build('RR', serial, 'DZ').check}DZ")


@pytest.mark.parametrize("text, code", [
    ("", "empty"),
    ("RR47312482CG", "bad_length"),
    ("R1473124829CG", "bad_format"),
    ("JJ473124829CG", "reserved_indicator"),
    ("KA473124829CG", "reserved_indicator"),
    ("SA473124829CG", "reserved_indicator"),
    ("TA473124829CG", "reserved_indicator"),
    ("WA473124829CG", "reserved_indicator"),
    ("RR473124828CG", "bad_check_digit"),
    ("RR473124829XX", "unknown_country"),
])
def test_refusals_say_why(text, code):
    with pytest.raises(s10.S10Error) as error:
        s10.parse(text)
    assert error.value.code == code
    assert str(error.value)


def test_spaces_hyphens_and_case_are_tolerated():
    assert str(s10.parse(" rr 473 124 829-cg ")) == "RR473124829CG"


def test_mail_class_follows_the_indicator():
    from django.utils import translation

    with translation.override("en"):
        assert str(s10.parse("EE471108151FR").mail_class) == "EMS"
        assert str(s10.build("CV", 1, "DZ").mail_class) == "Insured parcel"
        assert str(s10.build("CP", 1, "DZ").mail_class) == "Parcel"
        assert s10.build("AA", 1, "DZ").mail_class is None  # left to bilateral use


def test_numbers_are_found_in_citizens_text():
    text = "Bonjour, mon colis rr 473124829 cg n'arrive pas (et RR473124828CG est faux)"
    assert [str(n) for n in s10.find_in_text(text)] == ["RR473124829CG"]


def test_s10_check_command_prints_json_lines(db):
    from django.core.management import call_command

    out = io.StringIO()
    stdin = io.StringIO("RR 473124829 CG\n\nrr473124828cg\n")
    import sys

    real = sys.stdin
    sys.stdin = stdin
    try:
        call_command("postal", "s10-check", stdout=out)
    finally:
        sys.stdin = real
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {"id": "RR473124829CG", "valid": True}
    assert lines[1]["id"] == "RR473124828CG" and lines[1]["valid"] is False
    assert lines[1]["code"] == "bad_check_digit" and lines[1]["reason"]


def test_s10_check_through_the_bawaba_command():
    import subprocess
    import sys
    from pathlib import Path

    command = Path(sys.executable).with_name("bawaba")  # the installed entry point, as an operator runs it
    result = subprocess.run([str(command), "postal", "s10-check"], input="EE 47110815 1 FR\nJJ1\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {"id": "EE471108151FR", "valid": True}
    assert second["valid"] is False
