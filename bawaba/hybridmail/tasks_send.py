"""Jobs of the send part: a mail merge is made into letters in chunks (senders.CHUNK rows each), one job per chunk,
so two workers share a 100,000-letter batch and a failed chunk is retried alone (a chunk already stored is
skipped). Registered through bawaba/hybridmail/tasks.py (Huey finds `tasks` modules)."""

import logging

from huey.contrib.djhuey import db_task

log = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=10)
def make_merge_chunk(batch_id: int, index: int) -> int:
    from .senders import make_chunk

    made = make_chunk(batch_id, index)
    log.info("hybrid mail: batch %s chunk %s: %s letters", batch_id, index, made)
    return made
