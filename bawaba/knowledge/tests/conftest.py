import pytest

from bawaba.knowledge.demo import load_demo_articles
from bawaba.knowledge.models import Article
from bawaba.knowledge.services import do_save_article


@pytest.fixture
def demo_articles(orgs):
    assert load_demo_articles() >= 36
    return Article.objects.all()


@pytest.fixture
def make_article(orgs):
    counter = iter(range(1, 10_000))

    def make(organisation="algerie-telecom", **fields):
        values = {
            "language": "fr",
            "title": f"Article {next(counter)}",
            "summary": "Un résumé.",
            "body": "Un texte.",
            "is_published": True,
        }
        values.update(fields)
        return do_save_article(Article(organisation=orgs[organisation], **values))

    return make
