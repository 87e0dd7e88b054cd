"""Amounts in words printed on payment statements (review finding 11).

French puts "de" before the unit when the dinars end in a whole million or milliard. In Arabic the unit agrees
with the number, by its last two digits: 1 دينار واحد (noun first), 2 ديناران (dual alone), 3–10 plural
دنانير, 11–99 singular accusative ديناراً, 100, 1 000, 10^6… singular genitive دينار; the adjective جزائري
agrees with the noun, and the centimes (سنتيم) follow the same rule.
"""

from decimal import Decimal

import pytest

from bawaba.deployments.billing.words import amount_in_words

CASES = [
    ("0", "zéro dinar algérien", "صفر دينار جزائري"),
    ("1", "un dinar algérien", "دينار جزائري واحد"),
    ("2", "deux dinars algériens", "ديناران جزائريان"),
    ("3", "trois dinars algériens", "ثلاثة دنانير جزائرية"),
    ("10", "dix dinars algériens", "عشرة دنانير جزائرية"),
    ("11", "onze dinars algériens", "أحد عشر ديناراً جزائرياً"),
    ("99", "quatre-vingt-dix-neuf dinars algériens", "تسعة و تسعون ديناراً جزائرياً"),
    ("100", "cent dinars algériens", "مائة دينار جزائري"),
    ("101", "cent un dinars algériens", "مائة و واحد دينار جزائري"),
    ("103", "cent trois dinars algériens", "مائة و ثلاثة دنانير جزائرية"),
    ("111", "cent onze dinars algériens", "مائة و أحد عشر ديناراً جزائرياً"),
    ("3000", "trois mille dinars algériens", "ثلاثة آلاف دينار جزائري"),
    ("1000000", "un million de dinars algériens", "مليون دينار جزائري"),
    ("2000000", "deux millions de dinars algériens", "مليونا دينار جزائري"),
    ("2000001", "deux millions un dinars algériens", "مليونان و واحد دينار جزائري"),
    ("1000000000", "un milliard de dinars algériens", "مليار دينار جزائري"),
    ("3000000000", "trois milliards de dinars algériens", "ثلاثة مليارات دينار جزائري"),
    ("2500000.50", "deux millions cinq cent mille dinars algériens et cinquante centimes",
     "مليونان و خمسمائة ألف دينار جزائري و خمسون سنتيماً"),
    ("1000000.01", "un million de dinars algériens et un centime", "مليون دينار جزائري و سنتيم واحد"),
    ("1.01", "un dinar algérien et un centime", "دينار جزائري واحد و سنتيم واحد"),
    ("2.02", "deux dinars algériens et deux centimes", "ديناران جزائريان و سنتيمان"),
    ("3.05", "trois dinars algériens et cinq centimes", "ثلاثة دنانير جزائرية و خمسة سنتيمات"),
    ("12.25", "douze dinars algériens et vingt-cinq centimes", "اثنا عشر ديناراً جزائرياً و خمسة و عشرون سنتيماً"),
    ("0.50", "zéro dinar algérien et cinquante centimes", "صفر دينار جزائري و خمسون سنتيماً"),
    ("25778.00", "vingt-cinq mille sept cent soixante-dix-huit dinars algériens",
     "خمسة و عشرون ألفاً و سبعمائة و ثمانية و سبعون ديناراً جزائرياً"),
]


@pytest.mark.parametrize(("amount", "french", "arabic"), CASES, ids=[case[0] for case in CASES])
def test_amount_in_words(amount, french, arabic):
    assert amount_in_words(Decimal(amount), "fr") == french
    assert amount_in_words(Decimal(amount), "ar") == arabic


def test_negative_amounts_of_credit_corrections():
    assert amount_in_words(Decimal("-2000000"), "fr") == "moins deux millions de dinars algériens"
    assert amount_in_words(Decimal("-11"), "ar") == "ناقص أحد عشر ديناراً جزائرياً"


def test_amounts_are_rounded_to_the_centime_first():
    assert amount_in_words(Decimal("1999999.999"), "fr") == "deux millions de dinars algériens"
    assert amount_in_words(Decimal("2.004"), "ar") == "ديناران جزائريان"
