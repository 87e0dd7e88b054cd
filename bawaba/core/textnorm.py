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


# Darija written in Latin letters ("Arabizi") spells one word many ways: digits stand for Arabic letters
# (3 = ع, 7 = ح, 9 = ق, 5 = خ, 8 = غ, 2 = ء), "ch"/"sh", "ou"/"u", "k"/"q"/"c" and the vowels vary
# ("temchich", "tamchich"; "sar9oli", "sarkouli"). The consonant skeleton lets those spellings meet.
_ARABIZI_SOUNDS = (("sh", "C"), ("ch", "C"), ("kh", "X"), ("5", "X"), ("gh", "G"), ("8", "G"), ("dj", "j"),
                   ("th", "t"), ("dh", "d"), ("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("9", "k"),
                   ("x", "ks"), ("7", "h"))
_ARABIZI_DROPPED = str.maketrans("", "", "aeiouyw23")
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def arabizi_skeleton(word: str) -> str:
    """The consonant skeleton of one word of Darija in Latin letters, so that its spelling variants meet:
    normalised (lower case, no accents); ch/sh, kh/5 and gh/8 each become one sound; c, q and 9 become k,
    7 becomes h, dj j; then vowels (and y, w, 2 = ء, 3 = ع) are dropped and doubled letters collapse.
    "temchich" and "tamchich" give "tmc"; "sar9oli" and "sarkouli" give "srkl"; "internet" and
    "anternet" give "ntrnt". "" for anything that is not one Latin word."""
    word = normalise(word)
    if not _LATIN_WORD.fullmatch(word):
        return ""
    for spelling, sound in _ARABIZI_SOUNDS:
        word = word.replace(spelling, sound)
    skeleton = word.translate(_ARABIZI_DROPPED).lower()
    return re.sub(r"(.)\1+", r"\1", skeleton)


# The commonest short words of French and English, which hardly ever appear in the other language: enough
# to tell a French e-mail from an English one (Darija in Latin letters reads as French: the answer then
# comes in French, which such writers read).
_FRENCH_MARKERS = frozenset({"le", "la", "les", "des", "est", "et", "je", "vous", "pour", "pas", "une", "dans", "que",
                             "qui", "sur", "avec", "mon", "ma", "mes", "ne", "bonjour"})
_ENGLISH_MARKERS = frozenset({"the", "and", "is", "are", "you", "my", "for", "not", "with", "have", "this", "that",
                              "was", "please", "hello", "from"})
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u017F]")


def guess_language(text: str, *, declared: str = "") -> str:
    """"ar", "fr" or "en": the declared language when it is one of those (an e-mail's Content-Language),
    else Arabic if most letters are Arabic, else whichever of French and English has more of its common
    words; "" when the text gives nothing to go on."""
    declared = (declared or "").split(",")[0].strip().lower()[:2]
    if declared in ("ar", "fr", "en"):
        return declared
    sample = (text or "")[:4000]
    arabic, latin = len(_ARABIC_LETTER.findall(sample)), len(_LATIN_LETTER.findall(sample))
    if arabic + latin == 0:
        return ""
    if arabic > latin:
        return "ar"
    words = re.findall(r"[a-zà-ÿ]+", sample.lower())
    french = sum(word in _FRENCH_MARKERS for word in words)
    english = sum(word in _ENGLISH_MARKERS for word in words)
    return "en" if english > french else "fr"
