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


# Within one web request the generation is read from the shared cache once, not at each look-up: creating a
# request through the API looked up five kinds of reference data (token, services, rules, calendar, SLA), five
# round trips to Redis, a tenth of its CPU. Outside a request (jobs, commands, tests calling services) every
# look-up reads it, as before. A change made by this request (`changed`) is seen by its next look-up.
_request = threading.local()


def request_started(*_args, **_kwargs) -> None:
    _request.active, _request.generation = True, None


def request_finished(*_args, **_kwargs) -> None:
    _request.active, _request.generation = False, None


def _generation() -> str:
    if getattr(_request, "active", False) and _request.generation is not None:
        return _request.generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY) or ""
    if getattr(_request, "active", False):
        _request.generation = generation
    return generation


def changed(*_args, **_kwargs) -> None:
    """Reference data changed: every process recomputes what it keeps (usable as a signal receiver)."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    _request.generation = None
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _connect_request_signals() -> None:
    from django.core import signals

    signals.request_started.connect(request_started, dispatch_uid="refdata-request-started")
    signals.request_finished.connect(request_finished, dispatch_uid="refdata-request-finished")


_connect_request_signals()


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
