"""Demo articles: bawaba/knowledge/data/articles.json, loaded idempotently after the demo organisations.

Each entry: organisation (slug), service (code or null), language, translation_key, title, summary,
body (a list of paragraphs), tags (a list of keywords), published (default true).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.db import transaction

from bawaba.orgs.models import Organisation, Service

from .models import Article
from .services import do_save_article

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data" / "articles.json"


def _text(value) -> str:
    return "\n\n".join(value) if isinstance(value, list) else str(value or "")


def load_demo_articles(path: Path | None = None) -> int:
    """Create or update the demo articles; returns how many were created or changed (0 on a re-run).

    Entries whose organisation does not exist yet are skipped with a warning.
    """
    entries = json.loads((path or DATA).read_text(encoding="utf-8"))
    organisations = {org.slug: org for org in Organisation.objects.all()}
    services = {service.code: service for service in Service.objects.all()}
    changed = 0
    with transaction.atomic():
        for entry in entries:
            organisation = organisations.get(entry["organisation"])
            if organisation is None:
                log.warning("demo article %s skipped: no organisation %s", entry["translation_key"],
                            entry["organisation"])
                continue
            values = {
                "organisation": organisation,
                "service": services.get(entry.get("service") or ""),
                "title": entry["title"],
                "summary": entry["summary"],
                "body": _text(entry["body"]),
                "tags": ", ".join(entry.get("tags", [])),
                "is_published": entry.get("published", True),
            }
            article = Article.objects.filter(
                translation_key=entry["translation_key"], language=entry["language"]
            ).first()
            if article is None:
                article = Article(translation_key=entry["translation_key"], language=entry["language"])
            elif all(getattr(article, name) == value for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(article, name, value)
            do_save_article(article)
            changed += 1
    return changed
