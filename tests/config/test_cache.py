"""The Redis cache reuses one client per connection pool (``config.cache``)."""

from django.core.cache import cache

from config.cache import RedisCacheClient


def test_every_operation_shares_one_client_and_still_round_trips():
    assert isinstance(cache._cache, RedisCacheClient)
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client
    cache.set("config-cache-test", {"n": 1}, 30)
    assert cache.get("config-cache-test") == {"n": 1}
    assert cache.get_many(["config-cache-test", "missing"]) == {
        "config-cache-test": {"n": 1}
    }
    cache.delete("config-cache-test")
    assert cache.get("config-cache-test") is None
