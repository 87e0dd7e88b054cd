"""UPU S10 item identifiers: ``AA 12345678 9 CC``.

Two letters of service indicator, an eight-digit serial number, a check digit and the ISO 3166-1 alpha-2
code of the issuing postal operator's country. Plain functions, no database: the counter, scans, the API,
partners' files and ``bawaba postal s10-check`` all validate through :func:`parse`.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from django.utils.translation import gettext_lazy as _

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

# First letters S10 keeps out of use (refused wherever they come from).
RESERVED_FIRST_LETTERS = frozenset("JKSTW")

# What a service indicator means (S10, annex on service indicators): the first letter gives the mail class.
# Indicators not listed here are left by S10 to bilateral or domestic use: valid, but of no known class.
INDICATOR_CLASSES = {
    "E": _("EMS"),
    "R": _("Registered letter"),
    "V": _("Insured letter"),
    "L": _("Letter post express"),
    "U": _("Letter post item (not registered)"),
    "C": _("Parcel"),
    "H": _("E-commerce parcel"),
}
# Two-letter indicators with a meaning of their own inside their class.
INDICATOR_SPECIFIC = {
    "CV": _("Insured parcel"),
}

_SPACES = re.compile(r"[\s\-]+")
_SHAPE = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")


class S10Error(ValueError):
    """An identifier S10 refuses; ``code`` is stable (for APIs and files), ``str()`` is translated."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclasses.dataclass(frozen=True)
class S10:
    indicator: str
    serial: str
    check: int
    country: str

    def __str__(self) -> str:
        return f"{self.indicator}{self.serial}{self.check}{self.country}"

    @property
    def spaced(self) -> str:
        """As printed under a barcode: ``RR 473124829 CG`` groups serial and check digit (S10's human form)."""
        return f"{self.indicator} {self.serial[:3]} {self.serial[3:6]} {self.serial[6:]}{self.check} {self.country}"

    @property
    def mail_class(self):
        return INDICATOR_SPECIFIC.get(self.indicator) or INDICATOR_CLASSES.get(self.indicator[0])


def check_digit(serial: str) -> int:
    """S10 check digit of an eight-digit serial: 11 − (Σ digit × weight mod 11); 10 gives 0 and 11 gives 5."""
    if len(serial) != 8 or not serial.isdigit():
        raise S10Error("bad_serial", _("The serial number must be exactly eight digits."))
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


@functools.cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def normalise(text: str) -> str:
    """What a person typed or a scanner sent, without spaces or hyphens, in capitals."""
    return _SPACES.sub("", text or "").upper()


def parse(text: str) -> S10:
    """The identifier in ``text`` (spaces and hyphens allowed), or :class:`S10Error` saying what is wrong."""
    compact = normalise(text)
    if not compact:
        raise S10Error("empty", _("No identifier was given."))
    if len(compact) != 13:
        raise S10Error(
            "bad_length",
            _("An S10 identifier has 13 characters (2 letters, 9 digits, 2 letters); this one has %(n)d.")
            % {"n": len(compact)},
        )
    match = _SHAPE.match(compact)
    if not match:
        raise S10Error("bad_format", _("An S10 identifier is 2 letters, 9 digits and 2 letters, e.g. RR 473124829 CG."))
    indicator, serial, check, country = match.groups()
    if indicator[0] in RESERVED_FIRST_LETTERS:
        raise S10Error(
            "reserved_indicator",
            _("Service indicators starting with %(letter)s are reserved by the UPU and never issued.")
            % {"letter": indicator[0]},
        )
    expected = check_digit(serial)
    if int(check) != expected:
        raise S10Error("bad_check_digit", _("The check digit is wrong: the number was mistyped or misread."))
    if country not in _countries():
        raise S10Error("unknown_country", _("%(code)s is not a country code (ISO 3166-1).") % {"code": country})
    return S10(indicator, serial, expected, country)


def build(indicator: str, serial: int, country: str) -> S10:
    """A new identifier for an allocated serial (the range was validated when it was created)."""
    digits = f"{serial:08d}"
    return S10(indicator, digits, check_digit(digits), country)


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except S10Error:
        return False
    return True


# A number inside free text (a citizen's message, an e-mail subject): letters, digits, optional spaces.
_IN_TEXT = re.compile(r"\b([A-Za-z]{2})\s?(\d{3})\s?(\d{3})\s?(\d{3})\s?([A-Za-z]{2})\b")


def find_in_text(text: str) -> list[S10]:
    """Every valid S10 identifier written in ``text`` (as citizens write them: spaced or not, any case)."""
    found: list[S10] = []
    for match in _IN_TEXT.finditer(text or ""):
        try:
            item = parse("".join(match.groups()))
        except S10Error:
            continue
        if item not in found:
            found.append(item)
    return found
