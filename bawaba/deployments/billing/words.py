"""Amounts in words on the statements, in French and in Arabic ("arrêté le présent décompte à la somme de …")."""

from __future__ import annotations

from decimal import Decimal

from ..common.money import DEFAULT_CURRENCY, currency_exponent, currency_quantum, money

# Arabic forms of the units in the order num2words' Num2Word_AR takes them: singular (genitive, after 100, 1 000…),
# dual, plural (after 3 to 10), singular accusative (after 11 to 99); the adjective agrees with the noun.
DINAR_AR = ("دينار جزائري", "ديناران جزائريان", "دنانير جزائرية", "ديناراً جزائرياً")
CENTIME_AR = ("سنتيم", "سنتيمان", "سنتيمات", "سنتيماً")
# The CFA franc (XAF in Central Africa, XOF in West Africa: both "franc CFA" in French); no subunit in use
# (ISO 4217 minor unit 0). The Arabic name ("الفرنك الإفريقي") and its forms are ours: check them with the
# operator's accounting services before an Arabic document is sent.
FRANC_AR = ("فرنك إفريقي", "فرنكان إفريقيان", "فرنكات إفريقية", "فرنكاً إفريقياً")

# French (singular, plural) of each currency's unit and, when the currency has one, of its subunit;
# Arabic forms likewise (see DINAR_AR). A currency not listed is written with its ISO 4217 code.
UNITS = {
    "DZD": (("dinar algérien", "dinars algériens"), ("centime", "centimes"), DINAR_AR, CENTIME_AR),
    "XAF": (("franc CFA", "francs CFA"), None, FRANC_AR, None),
    "XOF": (("franc CFA", "francs CFA"), None, FRANC_AR, None),
}


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


def amount_in_words(amount: Decimal, lang: str, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount in words, French or Arabic (lang "ar"), in the contract's currency, as printed on a statement.

    Algerian dinars (DZD, the default) with their centimes. French: "deux millions de dinars algériens", "deux
    millions un dinars algériens", "un dinar algérien et cinquante centimes" ("de" when the units end in a
    whole million or milliard). Arabic: the unit agrees with the number (see _arabic_count): "ثلاثة دنانير
    جزائرية", "أحد عشر ديناراً جزائرياً", "مائة دينار جزائري"; the centimes likewise after "و". CFA francs (XAF,
    XOF: no decimals, ISO 4217) in whole francs: "un million de francs CFA", "deux mille cinq cents francs CFA".
    Negative amounts start with "moins" / "ناقص". The amount is first rounded to the currency's minor unit.
    """
    from num2words import num2words

    currency = (currency or DEFAULT_CURRENCY).upper()
    code_units = ((currency, currency), (currency, currency) if currency_exponent(currency) else None,
                  (currency,) * 4, (currency,) * 4 if currency_exponent(currency) else None)
    unit_fr, sub_fr, unit_ar, sub_ar = UNITS.get(currency, code_units)
    amount = money(amount, currency_quantum(currency))
    negative = amount < 0
    amount = abs(amount)
    units = int(amount)
    exponent = currency_exponent(currency)
    fraction = int((amount - units).scaleb(exponent)) if exponent else 0
    if lang == "ar":
        text = _arabic_count(units, unit_ar)
        if fraction and sub_ar:
            text += f" و {_arabic_count(fraction, sub_ar)}"
        return ("ناقص " if negative else "") + text
    # "un million de dinars", "trois milliards de francs CFA"
    unit = f"de {unit_fr[1]}" if units and units % 1_000_000 == 0 else unit_fr[0] if units <= 1 else unit_fr[1]
    text = f"{num2words(units, lang='fr')} {unit}"
    if fraction and sub_fr:
        text += f" et {num2words(fraction, lang='fr')} {sub_fr[1] if fraction > 1 else sub_fr[0]}"
    return ("moins " if negative else "") + text
