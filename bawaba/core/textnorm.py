"""One normaliser for search and routing: French accents, Arabic diacritics and letter variants, Darija.

Arabic: remove tashkeel and tatweel, unify alef forms (أ إ آ ٱ -> ا), ى -> ي, ة -> ه, ؤ -> و, ئ -> ي,
Arabic-Indic digits -> ASCII. Latin: lower-case, strip accents. Darija written in Latin letters uses
digits for Arabic sounds (3 = ع, 7 = ح, 9 = ق); they are kept as letters-in-words, not split off.
"""

import re
import unicodedata

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "’": "'",
    }
)
_TOKEN = re.compile(r"[\w']+", re.UNICODE)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS).lower()
    decomposed = unicodedata.normalize("NFD", text)
    # Strip combining marks from Latin letters only; Arabic marks were handled above.
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", text)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))
