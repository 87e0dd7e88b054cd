"""Query expansion across languages and scripts with the domain lexicon (data/lexicon.json).

A citizen may ask in French, in Arabic (standard or Darija) or in Darija written in Latin letters, while the
article they need is written in another language. The lexicon groups the words for one meaning ("bill":
facture, فاتورة, bill, fatoura, الفاطورة...) in five columns: fr, ar, en, dz_latn (Darija in Latin letters)
and dz_arab (Darija in Arabic letters). A query word (or phrase: "mot de passe") found in a group is
searched as itself OR any word of its group, in the words each article language uses:

  French articles: the fr and dz_latn columns (Darija in Latin letters sits in French articles' tags)
  Arabic articles: the ar and dz_arab columns
  English articles: the en column

Finding a query word in the lexicon: its Snowball stem in French, Arabic or English equals a form's stem
("factures" finds "facture"), or, for a Latin word that is none of those, its Arabizi consonant skeleton
(bawaba.core.textnorm.arabizi_skeleton) equals a Darija form's skeleton ("tamchich" finds "temchich",
"sarkouli" finds "sar9oli"), or does once the Darija negation "-ch" is taken off ("nkhalsch" finds
"nkhalas"). Skeletons shorter than three letters are not used (too many words share them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bawaba.core.textnorm import arabizi_skeleton

from .search import LANGUAGES, Slot, stem, words

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.json"
COLUMNS = ("fr", "ar", "en", "dz_latn", "dz_arab")
# Which columns an article language's text uses, and which stemmer reads a column.
TARGET_COLUMNS = {"fr": ("fr", "dz_latn"), "ar": ("ar", "dz_arab"), "en": ("en",)}
COLUMN_STEMMER = {"fr": "fr", "dz_latn": "fr", "ar": "ar", "dz_arab": "ar", "en": "en"}
MIN_SKELETON = 3
NEGATION_SUFFIX = "c"  # Darija "ma ...ch" in the skeleton ("ch" -> "c"): "nkhalsch" -> "nxlsc" -> "nxls"


Phrase = tuple[str, ...]


@dataclass
class Lexicon:
    # per group, per article language: the phrases (analysed words) to search
    groups: list[dict[str, list[Phrase]]] = field(default_factory=list)
    # (stemmer language, stems of a phrase) -> groups
    keys: dict[tuple[str, Phrase], set[int]] = field(default_factory=dict)
    # Arabizi skeleton of a one-word Darija form -> groups
    skeletons: dict[str, set[int]] = field(default_factory=dict)
    longest: int = 1
    # (stemmer language, stem of the first word) of every phrase of two words or more: a longer phrase of the
    # query is looked up only when its first word starts one (most do not, and each look-up stems every word)
    firsts: set[tuple[str, str]] = field(default_factory=set)


def _key(language: str, phrase: Phrase) -> tuple[str, Phrase]:
    return language, tuple(stem(language, word) for word in phrase)


def build(data: dict) -> Lexicon:
    lexicon = Lexicon()
    for index, group in enumerate(data["groups"]):
        targets: dict[str, list[Phrase]] = {language: [] for language in LANGUAGES}
        for column in COLUMNS:
            for form in group.get(column, []):
                phrase = tuple(words(form))
                if not phrase:
                    continue  # only stop words
                key = _key(COLUMN_STEMMER[column], phrase)
                lexicon.keys.setdefault(key, set()).add(index)
                if len(phrase) > 1:
                    lexicon.firsts.add((key[0], key[1][0]))
                lexicon.longest = max(lexicon.longest, len(phrase))
                if column == "dz_latn" and len(phrase) == 1:
                    skeleton = arabizi_skeleton(phrase[0])
                    if len(skeleton) >= MIN_SKELETON:
                        lexicon.skeletons.setdefault(skeleton, set()).add(index)
                for language, columns in TARGET_COLUMNS.items():
                    if column in columns and phrase not in targets[language]:
                        targets[language].append(phrase)
        lexicon.groups.append(targets)
    return lexicon


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return build(json.loads(LEXICON_PATH.read_text(encoding="utf-8")))


def _groups_of_phrase(lex: Lexicon, phrase: Phrase) -> set[int]:
    found: set[int] = set()
    for language in LANGUAGES:
        if len(phrase) > 1 and (language, stem(language, phrase[0])) not in lex.firsts:
            continue
        found |= lex.keys.get(_key(language, phrase), set())
    return found


def _groups_of_skeleton(lex: Lexicon, word: str) -> set[int]:
    skeleton = arabizi_skeleton(word)
    if len(skeleton) < MIN_SKELETON:
        return set()
    if skeleton in lex.skeletons:
        return lex.skeletons[skeleton]
    if skeleton.endswith(NEGATION_SUFFIX) and len(skeleton) - 1 >= MIN_SKELETON + 1:
        return lex.skeletons.get(skeleton[:-1], set())
    return set()


def expand(terms: list[str], languages=LANGUAGES) -> list[Slot]:
    """The search slots of the analysed query `terms`: one per word, or per phrase found in the lexicon.
    A slot gives, for each article language, the phrases that satisfy it (the words themselves first)."""
    lex = lexicon()
    slots: list[Slot] = []
    position = 0
    while position < len(terms):
        size, groups = 1, set()
        for length in range(min(lex.longest, len(terms) - position), 0, -1):
            groups = _groups_of_phrase(lex, tuple(terms[position : position + length]))
            if groups:
                size = length
                break
        phrase = tuple(terms[position : position + size])
        if not groups and size == 1:
            groups = _groups_of_skeleton(lex, phrase[0])
        slot: Slot = {}
        for language in languages:
            alternatives = [phrase]
            for index in sorted(groups):
                alternatives.extend(p for p in lex.groups[index][language] if p not in alternatives)
            slot[language] = alternatives
        slots.append(slot)
        position += size
    return slots
