"""kombu's Redis transport, with one client per connection pool.

kombu's Redis channel builds a new ``redis.Redis`` for every command it sends
outside the worker's consuming connection (``Channel._create_client``, through
``conn_or_acquire``): each task published, each acknowledgement, each
unacknowledged message's bookkeeping. redis-py builds every client's table of
response callbacks in its ``__init__``: a quarter of ``apply_async``'s CPU
here (docs/benchmarks.md). A ``redis.Redis`` is a thread-safe handle on its
pool, so one per pool serves every command, as ``config.cache`` does for
Django's cache. Pipelines are still made per use, and the asynchronous
client (the worker's consuming connection, fanout) is kombu's own.

Named for ``redis://`` brokers by ``config.brokers.transport``.
"""

from kombu.transport import redis


class Channel(redis.Channel):
    _sync_client = None

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool
        client = self._sync_client
        if client is None or client.connection_pool is not pool:
            # The first command, or the pool was made again (after close).
            client = self._sync_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
