"""Citizen phone numbers: accepted as people write them, stored in E.164.

National formats of Algeria and Congo (0550 12 34 56, 06 612 3456) and any international number
(+33 6 12 34 56 78, 00 1 202 555 0143): citizens abroad give the number they can be reached at.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ACCEPTED_REGIONS = ("DZ", "CG")


def to_e164(raw: str, default_region: str = "DZ", *, allow_foreign: bool = True) -> str:
    """`0550 12 34 56`, `+213550123456`, `00242 06 612 3456`, `+33 6 12 34 56 78` -> E.164, or ValidationError.

    A number without a country code is read as Algerian, then Congolese (`default_region` first).
    `allow_foreign=False` keeps only Algerian and Congolese numbers (a number found in an e-mail signature).
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if text.startswith("00"):
        text = "+" + text[2:].lstrip()
    regions = (default_region, *[r for r in ACCEPTED_REGIONS if r != default_region])
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            if not allow_foreign and phonenumbers.region_code_for_number(number) not in ACCEPTED_REGIONS:
                raise ValidationError(
                    _("Only Algerian and Congolese phone numbers are accepted."), code="region"
                )
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if text.startswith("+"):
            break  # an international number is parsed the same way whatever the default region
    raise ValidationError(
        _("“%(value)s” is not a valid phone number. Write an Algerian number (0550 12 34 56) or, from abroad, "
          "the number with its country code (+33 6 12 34 56 78 or 0033 6 12 34 56 78)."),
        code="invalid", params={"value": raw})


def display(e164: str) -> str:
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164
