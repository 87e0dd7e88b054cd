"""Entry point of the processes that issue monthly statements in parallel (billing.do_issue_monthly_statements).

Kept apart from billing.py and free of model imports at module level: a spawned process imports this module
to find the function before Django is set up.
"""


def issue_ids_in_process(ids: list[int], period_end, actor_pk, now) -> list[int]:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from .billing import _issue_ids

    actor = get_user_model().objects.get(pk=actor_pk) if actor_pk else None
    try:
        return [statement.pk for statement in _issue_ids(ids, period_end, actor, now)]
    finally:
        connections.close_all()
