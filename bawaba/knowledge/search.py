"""Full-text search of the knowledge base on two backends with the same text analysis.

Text analysis, shared by documents and queries:
  1. bawaba.core.textnorm.normalise: lower case, French accents off, Arabic diacritics off, Arabic
     letter variants unified (أ إ آ -> ا, ى -> ي, ة -> ه), Arabic-Indic digits -> ASCII;
  2. split into words of letters and digits (apostrophes, hyphens and underscores separate words);
  3. drop stop words (stopwords.py), for queries and documents alike;
  4. light Arabic stemming: the article and its glued prepositions (ال وال بال فال كال لل) and the final
     ه (ة once normalised) or plural ات are removed, so فاتورة, الفاتوره and الفواتير meet;
  5. the Snowball stemmer of the article's language (french, arabic, english).

Backends, chosen by the database vendor:
  * SQLite: an FTS5 table `knowledge_article_fts` (rowid = article id; columns title, tags, summary,
    body) holds the stemmed words computed here in Python (snowballstemmer, the same Snowball
    algorithms PostgreSQL uses), ranked with bm25 weights title 10, tags 4, summary 4, body 1.
  * PostgreSQL: the column `knowledge_article.search_vector` holds
    setweight(to_tsvector(cfg, title), 'A') || setweight(to_tsvector(cfg, tags + summary), 'B') ||
    setweight(to_tsvector(cfg, body), 'C') of the text after steps 1-4, cfg being the regconfig of the
    article's language ('french', 'arabic', 'english'); PostgreSQL applies step 5. A GIN index covers
    it; results are ranked with ts_rank (weights A 1.0 > B 0.4 > C 0.2).

A query is a list of slots (lexicon.expand): for each article language, the phrases any of which
satisfies the slot (the query word itself and its equivalents in that language's words). Each article
language is matched with its own stemmer: one FTS5 MATCH (SQLite) or one to_tsquery (PostgreSQL) per
language. Query words are matched as prefixes of stems when the stem has at least 4 letters ("factu"
finds "facturation"). In "all" mode every slot must match; in "any" mode one is enough and articles
matching more (and rarer, on SQLite) words rank higher. Articles of `first_language` come first.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable

import snowballstemmer
from django.contrib.postgres.search import SearchVector
from django.db import DatabaseError, connection, transaction
from django.db.models import Value

from bawaba.core import rows
from bawaba.core.textnorm import normalise

from .models import Article, Language
from .stopwords import STOP_WORDS

log = logging.getLogger(__name__)

ALL = "all"
ANY = "any"
LANGUAGES = tuple(Language.values)
FTS_TABLE = "knowledge_article_fts"
PG_CONFIG = {"fr": "french", "ar": "arabic", "en": "english"}
SNOWBALL = {"fr": "french", "ar": "arabic", "en": "english"}
BM25_WEIGHTS = (10.0, 4.0, 4.0, 1.0)  # title, tags, summary, body
PREFIX_MIN = 4  # stems at least this long also match longer words
MAX_WORD = 40  # longer "words" are noise (pasted links, keys): ignored
MAX_DOCUMENT_CHARS = 100_000

_WORD = re.compile(r"[^\W_]+")
_ARABIC = re.compile("[\u0600-\u06ff]")
_ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال")


def light_arabic_stem(word: str) -> str:
    """Remove the Arabic article (with a glued preposition) and the feminine/plural ending."""
    if not _ARABIC.search(word):
        return word
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix):]
            break
    if word.endswith("ات") and len(word) >= 5:
        word = word[:-2]
    elif word.endswith("ه") and len(word) >= 4:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """Steps 1-4 of the analysis: normalised, stop words dropped, Arabic lightly stemmed."""
    result = []
    for word in _WORD.findall(normalise((text or "")[:MAX_DOCUMENT_CHARS])):
        if word in STOP_WORDS or len(word) > MAX_WORD:
            continue
        result.append(light_arabic_stem(word))
    return result


_stemmers = threading.local()


def _stemmer(language: str):
    """This thread's stemmer: a Snowball stemmer keeps the word it is working on in itself, so two threads
    of a web worker sharing one would corrupt each other's words (and crash it)."""
    mine = _stemmers.__dict__.setdefault("by_language", {})
    if language not in mine:
        mine[language] = snowballstemmer.stemmer(SNOWBALL[language])
    return mine[language]


@functools.lru_cache(maxsize=65536)
def stem(language: str, word: str) -> str:
    """The word's Snowball stem, remembered: the same words come back in every query (the lexicon's lookup
    stems each query word and phrase in three languages), and Snowball in pure Python was half of the desk's
    request page the first time it was opened (docs/desk.md)."""
    return _stemmer(language).stemWord(word)


def query_terms(text: str, *, max_terms: int = 12, informative: bool = False) -> list[str]:
    """The distinct words of a query. `informative`: for free problem descriptions, keep words of two
    letters or more that are not bare numbers (phone numbers, amounts, dates), longest first."""
    seen: dict[str, None] = {}
    for word in words(text):
        if informative and (len(word) < 2 or word.isdigit()):
            continue
        seen.setdefault(word, None)
    terms = list(seen)
    if informative:
        terms.sort(key=len, reverse=True)
    return terms[:max_terms]


# --- Index maintenance -------------------------------------------------------------------------------


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def index_article(article: Article) -> None:
    """Write the article's search document (call inside the transaction that saved it)."""
    if _is_postgres():
        config = PG_CONFIG[article.language]
        fields = (
            (article.title, "A"),
            (f"{article.tags} {article.summary}", "B"),
            (article.body, "C"),
        )
        vector = None
        for text, weight in fields:
            part = SearchVector(Value(" ".join(words(text))), config=config, weight=weight)
            vector = part if vector is None else vector + part
        Article.objects.filter(pk=article.pk).update(search_vector=vector)
        return
    language = article.language

    def document(text: str) -> str:
        return " ".join(stem(language, word) for word in words(text))

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, tags, summary, body) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [article.pk, document(article.title), document(article.tags), document(article.summary),
             document(article.body)],
        )


def unindex_article(article_id: int) -> None:
    if _is_postgres():
        return  # the vector lives in the article's row
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])  # noqa: S608


def rebuild_index() -> int:
    """Re-index every article (after a bulk import that bypassed the services). Returns the count."""
    count = 0
    with transaction.atomic():
        if not _is_postgres():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        for article in Article.objects.iterator():
            index_article(article)
            count += 1
    return count


# --- Queries -----------------------------------------------------------------------------------------


Slot = dict[str, list[tuple[str, ...]]]  # article language -> phrases, any of which satisfies the slot


def _sqlite_word(language: str, word: str) -> str:
    stemmed = stem(language, word)
    if not stemmed:
        return ""
    return f'"{stemmed}"*' if len(stemmed) >= PREFIX_MIN else f'"{stemmed}"'


def _sqlite_match(slots: list[Slot], mode: str, language: str) -> str:
    """The FTS5 expression for the articles of one language: quoted stems only, no user syntax."""
    groups = []
    for slot in slots:
        options = []
        for phrase in slot.get(language, []):
            parts = [part for part in (_sqlite_word(language, word) for word in phrase) if part]
            if not parts:
                continue
            option = parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"
            if option not in options:
                options.append(option)
        if options:
            groups.append("(" + " OR ".join(options) + ")")
    return (" AND " if mode == ALL else " OR ").join(groups)


def _pg_query_text(slots: list[Slot], mode: str, language: str) -> str | None:
    """The raw to_tsquery expression for the articles of one language (quoted words only, no user syntax)."""
    groups = []
    for slot in slots:
        options = []
        for phrase in slot.get(language, []):
            parts = [f"'{word}'" + (":*" if len(stem(language, word)) >= PREFIX_MIN else "") for word in phrase]
            if parts:
                options.append(parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")")
        if options:
            groups.append("(" + " | ".join(options) + ")")
    if not groups:
        return None
    return (" & " if mode == ALL else " | ").join(groups)


# The matching articles are read by plain SQL and made into Article objects here (bawaba.core.rows), with their
# organisation and service from the reference data in memory: the ORM's in_bulk(...) with select_related cost
# 1.1-1.4 ms of CPU for five articles, a tenth of the desk's request page the first time it is opened
# (docs/desk.md); this, 0.2 ms. The search vector (PostgreSQL) is left out: nothing reads it in Python.
_NOT_READ = ("search_vector",)


def _article_columns(alias: str) -> str:
    return rows.columns(Article, alias, exclude=_NOT_READ)


def _articles_of_rows(found) -> list[Article]:
    """Articles from rows of `_article_columns`, each with its organisation and service attached."""
    articles = [rows.instance(Article, row, exclude=_NOT_READ) for row in found]
    _attach_organisations_and_services(articles)
    return articles


def _attach_organisations_and_services(articles: list[Article]) -> None:
    from bawaba.orgs.models import Organisation, Service
    from bawaba.orgs.services import every_service

    services = {service.pk: service for service in every_service()}
    organisations = {service.organisation_id: service.organisation for service in services.values()}
    missing_services = {a.service_id for a in articles if a.service_id and a.service_id not in services}
    if missing_services:
        services.update(Service.objects.select_related("organisation").in_bulk(missing_services))
    missing_organisations = {a.organisation_id for a in articles if a.organisation_id not in organisations}
    if missing_organisations:
        organisations.update(Organisation.objects.in_bulk(missing_organisations))
    for article in articles:
        if article.organisation_id in organisations:  # else read when used, as usual
            Article.organisation.field.set_cached_value(article, organisations[article.organisation_id])
        if article.service_id is None or article.service_id in services:
            Article.service.field.set_cached_value(article, services.get(article.service_id))


def _search_postgres(slots, mode, languages, first_language, organisation_ids, limit, offset) -> list[Article]:
    """The matching articles in one plain SQL query (the same filter and order as the ORM would build:
    to_tsquery per article language, ts_rank, the first language's articles first, then title and id). Built
    by hand because the ORM's version of this query (a CASE of ts_rank per language) cost about 5 ms of CPU to
    compile, for a suggestion on every new request the desk opens (docs/desk.md)."""
    matches, ranks, match_params, rank_params = [], [], [], []
    for language in languages:
        text = _pg_query_text(slots, mode, language)
        if text is None:
            continue
        matches.append("(a.language = %s AND a.search_vector @@ to_tsquery(%s::regconfig, %s))")
        match_params += [language, PG_CONFIG[language], text]
        ranks.append("WHEN a.language = %s THEN ts_rank(a.search_vector, to_tsquery(%s::regconfig, %s))")
        rank_params += [language, PG_CONFIG[language], text]
    if not matches:
        return []
    article_table = connection.ops.quote_name(Article._meta.db_table)
    org_table = connection.ops.quote_name(Article._meta.get_field("organisation").related_model._meta.db_table)
    where_org = ""
    org_params: list = []
    if organisation_ids is not None:
        where_org = f"AND a.organisation_id IN ({', '.join(['%s'] * len(organisation_ids))})"
        org_params = [int(pk) for pk in organisation_ids]
    sql = f"""
        SELECT {_article_columns("a")} FROM {article_table} a JOIN {org_table} o ON o.id = a.organisation_id
        WHERE a.is_published AND o.is_active AND a.language IN ({', '.join(['%s'] * len(languages))}) {where_org}
          AND ({' OR '.join(matches)})
        ORDER BY CASE WHEN a.language = %s THEN 0 ELSE 1 END, CASE {' '.join(ranks)} ELSE 0.0 END DESC, a.title, a.id
        LIMIT %s OFFSET %s"""  # noqa: S608 - identifiers are ours, every value is a parameter
    params = [*languages, *org_params, *match_params, first_language or "", *rank_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _articles_of_rows(cursor.fetchall())


def _search_sqlite(slots, mode, languages, first_language, organisation_ids, limit, offset) -> list[Article]:
    """One FTS5 MATCH per article language (each with its own stems), UNION ALL, the first language's
    articles first, then by bm25."""
    article_table = Article._meta.db_table
    org_table = Article._meta.get_field("organisation").related_model._meta.db_table
    where_org = ""
    org_params: list = []
    if organisation_ids is not None:
        where_org = f"AND a.organisation_id IN ({', '.join(['%s'] * len(organisation_ids))})"
        org_params = [int(pk) for pk in organisation_ids]
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    selects, params = [], []
    for language in languages:
        match = _sqlite_match(slots, mode, language)
        if not match:
            continue
        selects.append(f"""
            SELECT a.id AS id, a.title AS title, a.language = %s AS in_first, bm25({FTS_TABLE}, {weights}) AS score
            FROM {FTS_TABLE}
            JOIN {article_table} a ON a.id = {FTS_TABLE}.rowid
            JOIN {org_table} o ON o.id = a.organisation_id
            WHERE {FTS_TABLE} MATCH %s AND a.is_published AND o.is_active AND a.language = %s {where_org}
        """)  # noqa: S608 - identifiers are ours, every value is a parameter
        params.extend([first_language or "", match, language, *org_params])
    if not selects:
        return []
    sql = " UNION ALL ".join(selects) + " ORDER BY in_first DESC, score, title, id LIMIT %s OFFSET %s"
    params.extend([limit, offset])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        cursor.execute(f"SELECT {_article_columns('a')} FROM {article_table} a "  # noqa: S608 - ours
                       f"WHERE a.id IN ({', '.join(['%s'] * len(ids))})", ids)
        found = {article.pk: article for article in _articles_of_rows(cursor.fetchall())}
    return [found[pk] for pk in ids if pk in found]


def search(
    slots: list[Slot],
    *,
    mode: str = ALL,
    languages: Iterable[str] = LANGUAGES,
    first_language: str | None = None,
    organisation_ids: list[int] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Article]:
    """Published articles matching the query `slots` (built by lexicon.expand): in ALL mode
    every slot, in ANY mode at least one. Articles in `first_language` come first, then best first.
    Never raises on odd input: a query the database refuses is logged and gives no result."""
    languages = [language for language in languages if language in LANGUAGES]
    if not slots or not languages or limit <= 0 or (organisation_ids is not None and not organisation_ids):
        return []
    backend = _search_postgres if _is_postgres() else _search_sqlite
    try:
        with transaction.atomic():  # a savepoint: a refused query must not break the caller's transaction
            return backend(slots, mode, languages, first_language, organisation_ids, limit, max(offset, 0))
    except DatabaseError:
        log.warning("knowledge search failed for slots %r", slots, exc_info=True)
        return []
