"""Entry point of the processes that issue monthly statements in parallel (statements.do_issue_monthly_statements).

Free of model imports and of imports of this package at module level: a spawned process imports this module to
find the function before Django is set up. The function to run is named by its dotted path ("module:function"),
so this module depends on nothing that calls it.
"""

import importlib


def issue_ids_in_process(target: str, ids: list[int], period_end, actor_pk, now, database: str | None = None
                         ) -> list[int]:
    """Issue the statements of these contracts in this process with target ("module:function", called with
    (ids, period_end, actor, now) and returning statements); returns the payment statements' ids.

    database: the name of the database the parent process uses. The settings give the same server and
    credentials, but under pytest the parent's connection was switched to the test database, which the
    environment does not name: without it a worker would write to the development database.
    """
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    module, _, name = target.partition(":")
    issue = getattr(importlib.import_module(module), name)
    if database:
        connection = connections["default"]
        if connection.settings_dict["NAME"] != database:
            connection.close()
            connection.settings_dict["NAME"] = database
    actor = get_user_model().objects.get(pk=actor_pk) if actor_pk else None
    try:
        return [statement.pk for statement in issue(ids, period_end, actor, now)]
    finally:
        connections.close_all()
