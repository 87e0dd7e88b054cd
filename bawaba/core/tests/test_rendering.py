"""cached_once: a value wanted by many at the same moment is computed once."""

import contextlib
import threading
import time

from django.core.cache import cache

from bawaba.core.rendering import cached_once


def test_many_asking_at_once_compute_the_value_once():
    calls = []
    start = threading.Barrier(8)
    results = []

    def compute():
        calls.append(1)
        time.sleep(0.1)  # a rendering that takes a while, as under load
        return "rendered"

    def ask():
        start.wait()
        results.append(cached_once("test:key", compute, timeout=60))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["rendered"] * 8
    assert len(calls) == 1
    assert cache.get("test:key") == "rendered"


def test_a_waiter_computes_itself_when_the_first_never_delivers():
    cache.add("test:stuck:computing", 1, timeout=60)  # someone started and died
    started = time.monotonic()
    assert cached_once("test:stuck", lambda: "mine", timeout=60, wait=0.2) == "mine"
    assert time.monotonic() - started < 1


def test_a_failing_computation_lets_the_next_one_try():
    def broken():
        raise RuntimeError("database gone")

    with contextlib.suppress(RuntimeError):
        cached_once("test:retry", broken, timeout=60)
    started = time.monotonic()
    assert cached_once("test:retry", lambda: "ok", timeout=60) == "ok"
    assert time.monotonic() - started < 0.1  # no wait: the failed attempt released its marker
