"""Jobs of the send part: a mail merge is made into letters in chunks (senders.CHUNK rows each), one job per chunk,
so two workers share a 100,000-letter batch and a failed chunk is retried alone (a chunk already stored is
skipped). Registered through bawaba/hybridmail/tasks.py (Huey finds `tasks` modules)."""

import logging

from huey.contrib.djhuey import db_task

log = logging.getLogger(__name__)


# Huey priorities (higher goes first; docs/hybrid-mail-senders.md, "Queue priorities"): the evidence stamper 30
# (short, keeps records sealed within a second), print runs 20, mail-merge chunks 10, every other job 0 (the
# new-letter notices of a chunk among them: they go out once the batch's letters are made and in runs).
CHUNK_PRIORITY = 10


@db_task(retries=2, retry_delay=10, priority=CHUNK_PRIORITY)
def make_merge_chunk(batch_id: int, index: int) -> int:
    from .senders import make_chunk

    made = make_chunk(batch_id, index)
    log.info("hybrid mail: batch %s chunk %s: %s letters", batch_id, index, made)
    return made
