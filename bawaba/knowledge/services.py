"""The knowledge base's public interface: save/delete articles (keeping the search index in step) and
search them. Other apps call search_articles and suggest_articles; nothing else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from . import lexicon, search
from .models import Article

MAX_QUERY_CHARS = 200  # a search box query; longer input is cut, not refused
MAX_PROBLEM_CHARS = 5000  # a citizen's problem description
MAX_LIMIT = 100
SUGGEST_TERMS = 16


def _check_actor(actor, organisation_ids: set[int]) -> None:
    if actor is None or actor.is_platform_admin:
        return
    if not actor.is_org_admin or organisation_ids - {actor.organisation_id}:
        raise PermissionDenied


def do_save_article(article: Article, *, actor=None) -> Article:
    """Create or update an article and its search document in one transaction.

    `actor` (a User) limits organisation admins to their own organisation's articles; None is the
    system (demo loader, imports). Validation errors (model rules) raise ValidationError.
    """
    with transaction.atomic():
        touched = {article.organisation_id}
        if article.pk:
            previous = Article.objects.select_for_update().filter(pk=article.pk).values_list(
                "organisation_id", flat=True).first()
            if previous is not None:
                touched.add(previous)
        _check_actor(actor, touched)
        if not article.slug:
            article.slug = slugify(article.title, allow_unicode=True)[:120].strip("-") or "article"
        article.full_clean()
        article.save()
        search.index_article(article)
    return article


def do_delete_article(article: Article, *, actor=None) -> None:
    with transaction.atomic():
        _check_actor(actor, {article.organisation_id})
        article_id = article.pk
        article.delete()
        search.unindex_article(article_id)


def _languages(language: str | None) -> tuple[str, ...]:
    return (language,) if language in search.LANGUAGES else search.LANGUAGES


def _window(limit: int, offset: int = 0) -> tuple[int, int]:
    try:
        return max(0, min(int(limit), MAX_LIMIT)), max(0, int(offset))
    except (TypeError, ValueError):
        return 0, 0


def search_articles(
    query: str,
    *,
    language: str | None = None,
    first_language: str | None = None,
    organisation_ids: list[int] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Article]:
    """Published articles for a search-box query, best first.

    The query may be French, English, Arabic (standard or Darija) or Darija in Latin letters: its words
    are also searched as their equivalents in the domain lexicon in each article language (see
    lexicon.py), so "makanch internet" finds the Arabic article about internet outages. Every word must
    match (accents, Arabic letter variants and word endings ignored); when no article has them all,
    articles with any of them are returned instead. `language` None (or unknown) means all languages;
    `first_language` puts that language's articles first. `organisation_ids` None means every
    organisation. `limit` is capped at 100.
    """
    limit, offset = _window(limit, offset)
    terms = search.query_terms(str(query or "")[:MAX_QUERY_CHARS])
    if not terms or not limit:
        return []
    languages = _languages(language)
    slots = lexicon.expand(terms, languages)
    options = {"languages": languages, "organisation_ids": organisation_ids,
               "first_language": first_language if first_language in search.LANGUAGES else None}
    results = search.search(slots, mode=search.ALL, limit=limit, offset=offset, **options)
    if results or len(slots) == 1:
        return results
    if offset and search.search(slots, mode=search.ALL, limit=1, offset=0, **options):
        return []  # past the last page of a query that did match
    return search.search(slots, mode=search.ANY, limit=limit, offset=offset, **options)


def suggest_articles(
    text: str,
    *,
    language: str | None = None,
    organisation_ids: list[int] | None = None,
    limit: int = 5,
) -> list[Article]:
    """Articles likely to answer a free problem description (French, Arabic, Darija, English).

    The description's informative words (no stop words, no bare numbers, longest first, at most 16),
    each with its lexicon equivalents, are OR-ed; articles matching more of them rank first. Empty or
    unusable text gives [].
    """
    limit, _offset = _window(limit)
    if not isinstance(text, str) or not limit:
        return []
    terms = search.query_terms(text[:MAX_PROBLEM_CHARS], max_terms=SUGGEST_TERMS, informative=True)
    if not terms:
        return []
    languages = _languages(language)
    return search.search(lexicon.expand(terms, languages), mode=search.ANY, languages=languages,
                         organisation_ids=organisation_ids, limit=limit)
