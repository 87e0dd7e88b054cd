"""Cheaper flush and restore for transactional tests (docs/testing.md, "Keeping the suite under 20 minutes").

After every transactional test Django empties every table (`flush`) and, with serialized rollback, puts the
migrations' data (wilayas, communes, content types...) back from its serialized copy. Measured on PostgreSQL
(2 shared cores): the flush, one TRUNCATE of all 140 tables, took 6-7 s of server time, and the restore, one
`save()` per row (an UPDATE then an INSERT each), 4-8 s. Both are replaced, for the test session only, by
equivalents that leave the database in the same state:

* flush: only the tables that hold rows are emptied (one query finds them), with DELETE on PostgreSQL
  (the foreign keys Django creates are deferred to the commit, so the order does not matter);
* restore: the serialized objects are parsed once per database and inserted model by model in batches, raw
  (no `auto_now`, no signals: what Django's raw `save()` does), rows already present left alone (the
  database has not been flushed since it was created or last restored: the same rows).
"""

from __future__ import annotations

from io import StringIO

_parsed: dict[tuple[str, int], tuple[str, list]] = {}


def non_empty_tables(connection, tables) -> list[str]:
    if not tables:
        return []
    qn = connection.ops.quote_name
    # Table names from Django's introspection, quoted: nothing comes from outside.
    query = " UNION ALL ".join(f"SELECT {index} WHERE EXISTS (SELECT 1 FROM {qn(table)})"  # noqa: S608
                               for index, table in enumerate(tables))
    with connection.cursor() as cursor:
        cursor.execute(query)
        return [tables[row[0]] for row in cursor.fetchall()]


def sql_flush(style, connection, reset_sequences=True, allow_cascade=False):
    """django.core.management.sql.sql_flush, limited to the tables that hold rows."""
    from django.core.management import sql

    if reset_sequences or allow_cascade:  # sequences of empty tables too, or cascading: Django's own
        return sql.sql_flush(style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    tables = non_empty_tables(connection,
                              connection.introspection.django_table_names(only_existing=True, include_views=False))
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        return [f"DELETE FROM {qn(table)};" for table in tables]  # noqa: S608
    return connection.ops.sql_flush(style, tables, reset_sequences=False, allow_cascade=False)


def _objects(connection, data):
    """The serialized contents as [(model, [instances], [(instance, m2m name, values)])], parsed once."""
    from django.core import serializers

    key = (connection.alias, id(data))
    cached = _parsed.get(key)
    if cached is not None and cached[0] is data:
        return cached[1]
    groups = []
    for deserialized in serializers.deserialize("json", StringIO(data), using=connection.alias):
        instance = deserialized.object
        if not groups or groups[-1][0] is not type(instance):
            groups.append((type(instance), [], []))
        groups[-1][1].append(instance)
        for name, values in (deserialized.m2m_data or {}).items():
            if values:
                groups[-1][2].append((instance, name, values))
    _parsed[key] = (data, groups)
    return groups


def deserialize_db_from_string(self, data):
    """BaseDatabaseCreation.deserialize_db_from_string in batches (see the module's docstring)."""
    from django.db.models.constants import OnConflict
    from django.db.transaction import atomic

    connection = self.connection
    table_names = set()
    with atomic(using=connection.alias):
        with connection.constraint_checks_disabled():
            for model, instances, many in _objects(connection, data):
                fields = model._meta.local_concrete_fields
                manager = model._base_manager.db_manager(connection.alias)
                size = max(1, min(500, connection.ops.bulk_batch_size(fields, instances)))
                for start in range(0, len(instances), size):
                    manager._insert(instances[start:start + size], fields=fields, raw=True,
                                    using=connection.alias, on_conflict=OnConflict.IGNORE)
                for instance, name, values in many:
                    getattr(instance, name).set(values)
                table_names.add(model._meta.db_table)
        connection.check_constraints(table_names=table_names)


def no_commit_flush():
    """PostgreSQL: the test connections do not wait for the write-ahead log to reach the disk at each commit
    (`synchronous_commit = off`: what a crash of the server would lose, nothing a test checks). Transactional
    tests commit at every write; on the shared machine a commit waited up to 2 s for the disk. The setting
    changes no result and no isolation: a committed row is visible to every other connection at once."""
    from django.conf import settings

    database = settings.DATABASES.get("default", {})
    if database.get("ENGINE") == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c synchronous_commit=off").strip()


def install():
    from django.core.management.commands import flush
    from django.db.backends.base.creation import BaseDatabaseCreation

    flush.sql_flush = sql_flush
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_db_from_string


TEMPLATES_VARIABLE = "BAWABA_TEST_DB_TEMPLATES"


def _template_key(connection) -> str:
    """What the migrated database depends on: the migration files, the apps, Django's version."""
    import hashlib
    from pathlib import Path

    import django
    from django.apps import apps

    digest = hashlib.sha256(f"{django.__version__} {connection.vendor}".encode())
    for app in apps.get_app_configs():
        digest.update(app.name.encode())
        folder = Path(app.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """SQLite in memory: migrate once per `scripts/test` run (the first worker to get here), keep a copy of the
    result in a file, and copy that file into every later worker's database (sqlite3's backup) instead of
    running the 80-odd migrations again (about 22 CPU seconds each). The serialized contents (for serialized
    rollback) are kept beside it, as Django made them."""
    import fcntl
    import os
    import sqlite3
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    original = _original_create_test_db
    test_database_name = self._get_test_db_name()
    if keepdb or not self.is_in_memory_db(test_database_name):
        return original(self, verbosity, autoclobber, serialize, keepdb)
    folder = Path(os.environ[TEMPLATES_VARIABLE])
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / f"sqlite-{_template_key(self.connection)}.sqlite3"
    contents = template.with_suffix(".json")
    with open(template.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits for the first one's migrations
        if not (template.exists() and contents.exists()):
            name = original(self, verbosity, autoclobber, serialize=True, keepdb=False)
            partial = template.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            copy = sqlite3.connect(partial)
            self.connection.ensure_connection()
            self.connection.connection.backup(copy)
            copy.close()
            contents.write_text(self.connection._test_serialized_contents, encoding="utf-8")
            partial.rename(template)
            if not serialize:
                del self.connection._test_serialized_contents
            return name
    if verbosity >= 1:
        where = self._get_database_display_str(verbosity, test_database_name)
        self.log(f"Copying the migrated test database for alias {where} from {template}...")
    self._create_test_db(verbosity, autoclobber, keepdb)
    self.connection.close()
    settings.DATABASES[self.connection.alias]["NAME"] = test_database_name
    self.connection.settings_dict["NAME"] = test_database_name
    self.connection.ensure_connection()
    source = sqlite3.connect(template)
    source.backup(self.connection.connection)
    source.close()
    if serialize:
        self.connection._test_serialized_contents = contents.read_text(encoding="utf-8")
    call_command("createcachetable", database=self.connection.alias)
    self.connection.ensure_connection()
    return test_database_name


_original_create_test_db = None
_original_create_postgresql_test_db = None


def create_postgresql_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """PostgreSQL: the first worker migrates its own test database as Django does, then copies it into a
    template database of this run (CREATE DATABASE ... TEMPLATE, which needs no connection to the source: ours is
    closed for that moment); every later worker creates its database from that template in about a second
    instead of running the migrations again (measured 64 s per worker with both migrating at once). The
    serialized contents are kept in the run's folder as for SQLite; scripts/test drops the template at the end
    of the stage (drop_postgresql_templates)."""
    import fcntl
    import os
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    original = _original_create_postgresql_test_db
    if keepdb:
        return original(self, verbosity, autoclobber, serialize, keepdb)
    folder = Path(os.environ[TEMPLATES_VARIABLE])
    folder.mkdir(parents=True, exist_ok=True)
    test_database_name = self._get_test_db_name()
    key = _template_key(self.connection)
    template = postgresql_template_name(self.connection.settings_dict, key)
    contents = folder / f"postgresql-{template}.json"
    quote = self.connection.ops.quote_name
    with open(contents.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits for the first one's migrations
        if not contents.exists():
            name = original(self, verbosity, autoclobber, serialize=True, keepdb=False)
            serialized = self.connection._test_serialized_contents
            self.connection.close()
            with self._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(template)}")
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(name)}")
            contents.write_text(serialized, encoding="utf-8")
            if not serialize:
                del self.connection._test_serialized_contents
            self.connection.ensure_connection()
            return name
    if verbosity >= 1:
        where = self._get_database_display_str(verbosity, test_database_name)
        self.log(f"Creating test database for alias {where} from the template {template}...")
    self.connection.close()
    with self._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_database_name)}")
        cursor.execute(f"CREATE DATABASE {quote(test_database_name)} TEMPLATE {quote(template)}")
    settings.DATABASES[self.connection.alias]["NAME"] = test_database_name
    self.connection.settings_dict["NAME"] = test_database_name
    if serialize:
        self.connection._test_serialized_contents = contents.read_text(encoding="utf-8")
    call_command("createcachetable", database=self.connection.alias)
    self.connection.ensure_connection()
    return test_database_name


def postgresql_template_name(settings_dict, key: str) -> str:
    """The run's template database: the test database's base name (TEST_DATABASE_NAME, one per scripts/test run)
    and the migrations' key, within PostgreSQL's 63 characters."""
    import re

    base = settings_dict.get("TEST", {}).get("NAME") or f"test_{settings_dict['NAME']}"
    base = re.sub(r"_gw\d+$", "", base)  # pytest-xdist's worker suffix: one template for all workers
    return f"{base[:40]}_template_{key}"


def drop_postgresql_templates(url: str, base: str) -> list[str]:
    """Drop the template databases this run made (scripts/test calls it after the PostgreSQL stage)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{base[:40]}_template_%"])]
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return names


def install_templates():
    """Only when scripts/test names a folder of its own for this run (BAWABA_TEST_DB_TEMPLATES): a copy is never
    reused by a later run, whose code may differ."""
    import os

    from django.db.backends.postgresql.creation import DatabaseCreation as PostgreSQLCreation
    from django.db.backends.sqlite3.creation import DatabaseCreation

    global _original_create_test_db, _original_create_postgresql_test_db
    if os.environ.get(TEMPLATES_VARIABLE) and _original_create_test_db is None:
        _original_create_test_db = DatabaseCreation.create_test_db
        DatabaseCreation.create_test_db = create_test_db
        _original_create_postgresql_test_db = PostgreSQLCreation.create_test_db
        PostgreSQLCreation.create_test_db = create_postgresql_test_db
