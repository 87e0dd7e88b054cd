"""Reference data read on every new request (routing rules, services, business hours, holidays, SLA
targets), kept in each process's memory while it has not changed.

Every change to such a row moves one *generation* token kept in the shared cache (signals on save and
delete, `changed()` where rows are written in bulk), now and again at commit; a value computed under an
older generation is computed again. A process that cannot see the shared cache (the embedded default's
per-process memory with several web processes) still recomputes everything at least every minute.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "refdata:generation"
MAX_AGE_SECONDS = 60
MAX_ENTRIES = 5000  # names can come from requests (API token prefixes): memory stays bounded

_memo: dict[str, tuple[str, float, object]] = {}
_lock = threading.Lock()


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY) or ""
    return generation


def changed(*_args, **_kwargs) -> None:
    """Reference data changed: every process recomputes what it keeps (usable as a signal receiver)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def reference(name: str, compute: Callable[[], object]) -> object:
    """The value of `compute()` for `name`, from this process's memory while the reference data is
    unchanged. `compute` must read only reference data, and its result must not be changed by callers."""
    generation = _generation()
    now = time.monotonic()
    found = _memo.get(name)
    if found is not None and found[0] == generation and now - found[1] < MAX_AGE_SECONDS:
        return found[2]
    value = compute()
    with _lock:
        if len(_memo) >= MAX_ENTRIES:
            _memo.clear()
        _memo[name] = (generation, now, value)
    return value
