import re
from collections import Counter

import pytest

from bawaba.knowledge.demo import load_demo_articles
from bawaba.knowledge.models import Article
from bawaba.knowledge.services import search_articles

pytestmark = pytest.mark.django_db


def test_demo_articles_load_once(orgs):
    created = load_demo_articles()
    assert created >= 36
    assert load_demo_articles() == 0  # idempotent
    assert Article.objects.count() == created


def test_every_demo_topic_exists_in_three_languages(demo_articles):
    per_key = Counter(Article.objects.values_list("translation_key", flat=True))
    assert len(per_key) >= 12
    assert set(per_key.values()) == {3}
    for article in Article.objects.select_related("service"):
        assert article.is_published
        assert article.service is None or article.service.organisation_id == article.organisation_id


def test_demo_articles_invent_no_phone_numbers_or_addresses(demo_articles):
    for article in Article.objects.all():
        text = " ".join([article.title, article.summary, article.body, article.tags])
        assert not re.search(r"https?://|www\.|\b\d[\d .]{5,}\d\b", text), article.title


def test_demo_articles_are_searchable(demo_articles):
    assert search_articles("BaridiMob", language="fr")[0].translation_key == "baridimob-activation"


def test_changed_demo_file_updates_articles(orgs, tmp_path):
    import json

    from bawaba.knowledge.demo import DATA

    load_demo_articles()
    entries = json.loads(DATA.read_text(encoding="utf-8"))
    entries[0]["title"] = "Titre modifié pour le test"
    path = tmp_path / "articles.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    assert load_demo_articles(path) == 1
    assert search_articles("modifié")[0].title == "Titre modifié pour le test"
