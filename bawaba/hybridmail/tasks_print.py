"""Print jobs (Huey): build print runs from the letters waiting at each centre, and reconcile runs past their
time (pieces not reported are declared missing and printed again). Imported by HybridMailConfig.ready()."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"))
def build_print_runs():
    from .runs import build_runs

    result = build_runs()
    if result.runs or result.skipped:
        log.info("print runs: %d built, %d letters waiting for a reason", len(result.runs), len(result.skipped))
    return len(result.runs)


@db_periodic_task(crontab(minute="5"))
def reconcile_print_runs():
    from .reconcile import reconcile

    return reconcile()
