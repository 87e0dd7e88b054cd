"""Work shared through the cache: compute a value once, even when many processes ask for it at once."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache


def cached_once(key: str, compute: Callable[[], object], *, timeout: int, wait: float = 0.5) -> object:
    """The cached value of `key`, computing it if absent — once. When a new value is wanted by many at the
    same moment (a queue changed and a hundred agents poll it), the first to ask computes it while the others
    wait for its result, rather than all computing the same thing and slowing one another down. A waiter that
    sees no result within `wait` seconds computes it itself: a crashed or slow worker never blocks the rest."""
    value = cache.get(key)
    if value is not None:
        return value
    marker = f"{key}:computing"
    if cache.add(marker, 1, timeout=max(1, round(wait * 4))):
        try:
            value = compute()
            cache.set(key, value, timeout)
        finally:
            cache.delete(marker)
        return value
    deadline = time.monotonic() + wait
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.04)
        value = cache.get(key)
        if value is not None:
            return value
    return compute()
