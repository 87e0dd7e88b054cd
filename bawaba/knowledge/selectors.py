"""Reads of the knowledge base that pages and other apps share. Only published articles of active
organisations are ever returned."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Article


def published_articles(language: str | None = None, organisation_ids: list[int] | None = None) -> QuerySet:
    qs = Article.objects.filter(is_published=True, organisation__is_active=True)
    if language:
        qs = qs.filter(language=language)
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    return qs.select_related("organisation", "service").order_by("title", "id")


def translations_of(article: Article) -> list[Article]:
    """The same article in the other languages (published ones), French, Arabic, English order."""
    if not article.translation_key:
        return []
    others = published_articles().filter(translation_key=article.translation_key).exclude(pk=article.pk)
    order = {"fr": 0, "ar": 1, "en": 2}
    return sorted(others, key=lambda other: order.get(other.language, 9))


def related_articles(article: Article, limit: int = 3) -> list[Article]:
    """Other articles of the same service (or organisation) in the same language."""
    qs = published_articles(article.language).exclude(pk=article.pk)
    if article.service_id:
        qs = qs.filter(service_id=article.service_id)
    else:
        qs = qs.filter(organisation_id=article.organisation_id)
    return list(qs[:limit])
