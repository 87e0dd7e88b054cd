"""Amounts in words on the statements, in French and in Arabic ("arrêté le présent décompte à la somme de …")."""

from __future__ import annotations

from decimal import Decimal

from ..common.money import money

# Arabic forms of the units in the order num2words' Num2Word_AR takes them: singular (genitive, after 100, 1 000…),
# dual, plural (after 3 to 10), singular accusative (after 11 to 99); the adjective agrees with the noun.
DINAR_AR = ("دينار جزائري", "ديناران جزائريان", "دنانير جزائرية", "ديناراً جزائرياً")
CENTIME_AR = ("سنتيم", "سنتيمان", "سنتيمات", "سنتيماً")


def _arabic_count(number: int, forms: tuple[str, str, str, str]) -> str:
    """A whole number of a unit in Arabic, the unit agreeing with the number.

    Num2Word_AR chooses the form from the last two digits (3–10: plural, 11–99: singular accusative, otherwise
    the singular: مائة دينار, مليونا دينار, مائة و واحد دينار). 0, 1 and 2 alone are written here, because there
    Arabic puts the noun alone or first (دينار جزائري واحد, ديناران جزائريان) where num2words would write
    "واحد دينار", "اثنان ديناران".
    """
    from num2words.lang_AR import Num2Word_AR

    if number == 0:
        return f"صفر {forms[0]}"
    if number == 1:
        return f"{forms[0]} واحد"
    if number == 2:
        return forms[1]
    converter = Num2Word_AR()  # one per call: convert() keeps its state on the instance
    converter.currency_unit = forms
    converter.isCurrencyNameFeminine = False
    return " ".join(converter.convert(number).split())


def amount_in_words(amount: Decimal, lang: str) -> str:
    """Amount in Algerian dinars and centimes in words, French or Arabic (lang "ar"), as printed on a statement.

    French: "deux millions de dinars algériens", "deux millions un dinars algériens", "un dinar algérien et
    cinquante centimes" ("de" when the dinars end in a whole million or milliard). Arabic: the unit agrees with
    the number (see _arabic_count): "ثلاثة دنانير جزائرية", "أحد عشر ديناراً جزائرياً", "مائة دينار جزائري"; the
    centimes likewise after "و". Negative amounts start with "moins" / "ناقص".
    """
    from num2words import num2words

    amount = money(amount)
    negative = amount < 0
    amount = abs(amount)
    dinars = int(amount)
    centimes = int((amount - dinars) * 100)
    if lang == "ar":
        text = _arabic_count(dinars, DINAR_AR)
        if centimes:
            text += f" و {_arabic_count(centimes, CENTIME_AR)}"
        return ("ناقص " if negative else "") + text
    if dinars and dinars % 1_000_000 == 0:  # "un million de dinars", "trois milliards de dinars"
        unit = "de dinars algériens"
    else:
        unit = "dinar algérien" if dinars <= 1 else "dinars algériens"
    text = f"{num2words(dinars, lang='fr')} {unit}"
    if centimes:
        text += f" et {num2words(centimes, lang='fr')} centime{'s' if centimes > 1 else ''}"
    return ("moins " if negative else "") + text
