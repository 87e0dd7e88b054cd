"""Print jobs (Huey): build print runs from the letters waiting at each centre, and reconcile runs past their
time (pieces not reported are declared missing and printed again). Imported by HybridMailConfig.ready()."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"))
def build_print_runs():
    """Plan the runs of every centre and queue one task per run: the workers build them side by side."""
    from .runs import queue_runs

    queued = queue_runs()
    if queued:
        log.info("print runs: %d queued", queued)
    return queued


RUN_PRIORITY = 20  # before the mail-merge chunks (10) and the notices (0), after the evidence stamper (30)


@db_task(retries=1, retry_delay=30, priority=RUN_PRIORITY)
def build_print_run(centre_id: int, letter_ids: list[int]):
    from .runs import build_planned_run

    result = build_planned_run(centre_id, letter_ids)
    if result.runs or result.skipped:
        log.info("print run %s: %d letters, %d waiting for a reason",
                 result.runs[0].number if result.runs else "-", result.runs[0].pieces if result.runs else 0,
                 len(result.skipped))
    return [run.number for run in result.runs]


@db_periodic_task(crontab(minute="5"))
def reconcile_print_runs():
    from .reconcile import reconcile

    return reconcile()
