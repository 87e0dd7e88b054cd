"""Which of the three encodings our operators' CSV files come in: UTF-8, Windows-1256 (Arabic), Windows-1252 (French).

A handful of rules rather than a statistical detector, because the candidates are known and each rule can be
explained to the person whose file is refused:

1. A UTF-8 byte-order mark: UTF-8 ("CSV UTF-8" from Excel).
2. Bytes that decode as UTF-8: UTF-8. Text in the two Windows code pages practically never forms valid UTF-8
   sequences once it has any letter beyond ASCII (an accented letter followed by an ASCII letter is invalid).
3. Otherwise Windows-1256 and Windows-1252 are both tried. Either may decode any byte (1252 leaves five bytes
   undefined), so the question is which reading makes words:
   * read as Windows-1256, Arabic text is runs of Arabic letters in words without Latin letters;
   * read as Windows-1252, French text has its accented letters inside words of ASCII letters ("Algérie",
     "Cité"), while Arabic bytes read as 1252 give runs of accented capitals and symbols ("ÇáÈáíÏÉ").
   A reading is readable when every non-ASCII character fits one of these patterns (or is punctuation, a symbol
   or a space: « » ’ – … € °). Both code pages put the French lower-case letters à â ç è é ê ë î ï ô ù û ü at
   the same bytes: when the two readings are identical there is nothing to decide. Exactly one readable reading
   is chosen; anything else (a file mixing both, another encoding such as Windows-1251, binary data) is refused
   with the line where it fails and how to save the file. One character is enough: a thousand Arabic rows and one
   French row with "É" would otherwise store "ةcole".
4. The text chosen must not contain C1 control characters or U+FFFD (a sign of text garbled before us).
"""

from __future__ import annotations

import re
import unicodedata

UTF8, CP1256, CP1252 = "utf-8", "cp1256", "cp1252"
NAMES = {UTF8: "UTF-8", CP1256: "Windows-1256", CP1252: "Windows-1252"}
_SEPARATORS = re.compile(r"[\s;,\"'()\[\]/.:|!?+=*&%$#@<>{}\\0-9_-]+")
_GARBLED = re.compile("[\u0080-\u009f\ufffd]")


class UndecidableEncoding(ValueError):
    """None of the three encodings gives readable text; `line` is where the more readable reading fails (0: the
    whole file)."""

    def __init__(self, reason: str, line: int = 0):
        super().__init__(reason)
        self.line = line


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\ufb50" <= char <= "\ufefc"


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


def _word_fits(word: str) -> list[bool]:
    """For each non-ASCII character of a word: does it read as Arabic or as French (or as a sign both use)?

    Arabic: an Arabic character in a word without ASCII letters. French: a Latin letter in a word that also has
    ASCII letters ("Algérie", "École"), or in a word of at most two letters ("à", "où"). Signs: punctuation,
    symbols and spaces (« » ’ – … € ° ©, no-break space)."""
    has_ascii_letter = any(char.isascii() and char.isalpha() for char in word)
    fits = []
    for char in word:
        if char.isascii():
            continue
        if _is_arabic(char):
            fits.append(not has_ascii_letter)
        elif _is_latin_letter(char):
            fits.append(has_ascii_letter or len(word) <= 2)
        else:
            fits.append(unicodedata.category(char)[0] in "PSZ")
    return fits


def first_unreadable_line(text: str) -> int | None:
    """The first line (from 1) with a character that reads neither as Arabic nor as French, or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.isascii():
            continue
        for word in _SEPARATORS.split(line):
            if not word.isascii() and not all(_word_fits(word)):
                return number
    return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file's bytes; UndecidableEncoding when none of the three fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _checked(data[3:].decode(UTF8)), UTF8
        except UnicodeDecodeError as exc:
            raise UndecidableEncoding("a UTF-8 mark followed by other bytes",
                                      data[:exc.start + 3].count(b"\n") + 1) from exc
    try:
        return _checked(data.decode(UTF8)), UTF8
    except UnicodeDecodeError:
        pass
    arabic = data.decode(CP1256)
    try:
        latin = data.decode(CP1252)
    except UnicodeDecodeError:
        latin = None  # a byte Windows-1252 leaves undefined
    if latin == arabic:
        return _checked(latin), CP1252
    arabic_bad = first_unreadable_line(arabic)
    latin_bad = first_unreadable_line(latin) if latin is not None else 1
    if arabic_bad is None and latin_bad is not None:
        return _checked(arabic), CP1256
    if latin_bad is None and arabic_bad is not None:
        return _checked(latin), CP1252
    raise UndecidableEncoding("both readings are readable" if arabic_bad is None else
                              "no reading is readable", max(arabic_bad or 0, latin_bad or 0))


def _checked(text: str) -> str:
    found = _GARBLED.search(text)
    if found:
        raise UndecidableEncoding("control or replacement characters", text[:found.start()].count("\n") + 1)
    return text
