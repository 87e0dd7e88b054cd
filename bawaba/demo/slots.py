"""Variable details that turn one hand-written base text into many requests: numbers, places, dates."""

from __future__ import annotations

import datetime as dt
import random
import string

from .people import AREA_CODES, MOBILE_PREFIXES, MONTHS

SLOT_NAMES = ("days", "hours", "weeks", "n", "years", "amount", "amount_small", "line", "mobile", "ccp",
              "tracking", "place", "date", "month", "morning", "daytime", "evening", "gb", "speed")


def mobile_number(rng: random.Random) -> str:
    digits = rng.choice(MOBILE_PREFIXES) + "".join(rng.choices(string.digits, k=6))
    return f"0{digits}"


def fixed_number(rng: random.Random, wilaya_code: str | None) -> str:
    area = AREA_CODES.get(wilaya_code or "", rng.choice(list(AREA_CODES.values())))
    # Subscriber numbers do not start with 0 or 1.
    return f"0{area}" + str(rng.randint(2, 9)) + "".join(rng.choices(string.digits, k=5))


def spaced(number: str) -> str:
    """`0550123456` -> `0550 12 34 56`; `021234567` -> `021 23 45 67`, as Algerians write them."""
    head = number[:4] if len(number) == 10 else number[:3]
    rest = number[len(head):]
    return " ".join([head, *[rest[i:i + 2] for i in range(0, len(rest), 2)]])


def amount(rng: random.Random, low: int, high: int, step: int = 50) -> str:
    value = rng.randrange(low, high, step)
    return f"{value:,}".replace(",", " ")


def make_slots(rng: random.Random, language: str, *, place: str, wilaya_code: str | None,
               created_at: dt.datetime) -> dict[str, str]:
    months = MONTHS[language]
    last_month = (created_at.replace(day=1) - dt.timedelta(days=1)).month
    past_day = created_at - dt.timedelta(days=rng.randint(1, 20))

    def clock(hours: list[int]) -> str:
        hour, minutes = rng.choice(hours), rng.choice([0, 0, 30])
        if language == "en":
            return f"{hour % 12 or 12}{':30' if minutes else ''} {'am' if hour < 12 else 'pm'}"
        return f"{hour}h{minutes:02d}" if minutes else f"{hour}h"

    ccp_key = rng.randint(10, 99)
    ccp_word = {"en": "key", "ar": "مفتاح"}.get(language, "clé")
    tracking = (rng.choice(["RR", "CP", "EE", "LP", "RB"]) + "".join(rng.choices(string.digits, k=9))
                + rng.choice(["DZ", "DZ", "DZ", "CN", "FR"]))
    return {
        "days": str(rng.randint(2, 12)),
        "hours": str(rng.choice([3, 5, 6, 8, 12, 24, 36, 48])),
        "weeks": str(rng.randint(2, 6)),
        "n": str(rng.randint(2, 5)),
        "years": str(rng.randint(3, 15)),
        "amount": amount(rng, 1200, 18000),
        "amount_small": amount(rng, 100, 1000),
        "line": spaced(fixed_number(rng, wilaya_code)),
        "mobile": spaced(mobile_number(rng)),
        "ccp": f"00{rng.randint(10_000_000, 99_999_999)} {ccp_word} {ccp_key}",
        "tracking": tracking,
        "place": place,
        "date": past_day.strftime("%d/%m"),
        "month": months[last_month - 1],
        "morning": clock([7, 8, 9, 10]),
        "daytime": clock([13, 14, 15, 16]),
        "evening": clock([19, 20, 21, 22]),
        "gb": str(rng.choice([5, 10, 15, 20, 30, 50, 100])),
        "speed": str(rng.choice([10, 20, 50, 100, 300])),
    }


def fill(template: str, slots: dict[str, str]) -> str:
    return template.format_map(slots)
