"""The full-text index, different per database (see bawaba/knowledge/search.py):

* SQLite: an FTS5 virtual table knowledge_article_fts (rowid = article id) with the stemmed words of
  title, tags, summary and body, written by the services;
* PostgreSQL: a GIN index on knowledge_article.search_vector (the tsvector the services write).
"""

from django.db import migrations

FTS = "knowledge_article_fts"


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
            "title, tags, summary, body, tokenize = 'unicode61 remove_diacritics 0')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS knowledge_article_search_gin "
            "ON knowledge_article USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS knowledge_article_search_gin")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
