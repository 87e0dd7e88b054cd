"""The Redis cache backend against a real Redis server (skipped when none listens on 127.0.0.1:6379)."""

import socket

import pytest

from bawaba.core.cache import RedisCache


def redis_listening() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


pytestmark = pytest.mark.skipif(not redis_listening(), reason="no Redis server on 127.0.0.1:6379")


def test_redis_cache_works_and_keeps_one_client_per_pool():
    cache = RedisCache("redis://127.0.0.1:6379/14", {"KEY_PREFIX": "bawaba-test-cache"})
    try:
        cache.set("k", {"a": 1}, 30)
        assert cache.get("k") == {"a": 1}
        assert cache.add("k", 2, 30) is False
        assert cache.add("fresh", 3, 30) is True
        assert cache.get_many(["k", "fresh"]) == {"k": {"a": 1}, "fresh": 3}
        client = cache._cache.get_client(write=True)
        assert cache._cache.get_client(write=True) is client
    finally:
        cache.delete_many(["k", "fresh"])
