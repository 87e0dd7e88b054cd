"""Work shared through the cache: compute a value once, even when many processes ask for it at once."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.core.cache import cache

LOCAL_ENTRIES = 512

# This process's own copies of recent values, in front of the shared cache: the keys given to cached_once
# name their content (a rendering's inputs and versions), so a copy never needs invalidating, only to
# expire with the shared entry. The desk's list is read at every poll: most reads then cost no round trip.
_local: OrderedDict[str, tuple[float, object]] = OrderedDict()
_local_lock = threading.Lock()


def _remember(key: str, value: object, timeout: int) -> None:
    with _local_lock:
        _local[key] = (time.monotonic() + timeout, value)
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _recall(key: str) -> object | None:
    found = _local.get(key)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def cached_once(key: str, compute: Callable[[], object], *, timeout: int, wait: float = 0.5) -> object:
    """The cached value of `key`, computing it if absent — once. `key` must name the value's content (two
    computations under one key give the same value), for this process keeps its own copy for `timeout`.

    When a new value is wanted by many at the same moment (a queue changed and a hundred agents poll it),
    the first to ask computes it while the others wait for its result, rather than all computing the same
    thing and slowing one another down. A waiter that sees no result within `wait` seconds computes it
    itself: a crashed or slow worker never blocks the rest."""
    value = _recall(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is not None:
        _remember(key, value, timeout)
        return value
    marker = f"{key}:computing"
    if cache.add(marker, 1, timeout=max(1, round(wait * 4))):
        try:
            value = compute()
            cache.set(key, value, timeout)
        finally:
            cache.delete(marker)
        _remember(key, value, timeout)
        return value
    deadline = time.monotonic() + wait
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.04)
        value = cache.get(key)
        if value is not None:
            _remember(key, value, timeout)
            return value
    return compute()


def forget_local_copies() -> None:
    """Drop this process's copies (tests do, with the shared cache, when their database rolls back)."""
    with _local_lock:
        _local.clear()
