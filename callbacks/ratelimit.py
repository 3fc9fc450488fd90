"""The account-wide call rate, as a token bucket in Redis.

Twilio limits calls per second per account, so the budget is shared by every
worker: it lives in Redis and is taken atomically by a Lua script using
Redis's clock. Without Redis (run mode on one machine) there is no limit.
"""

from functools import cache

import redis
from django.conf import settings

KEY = "hoshii:callbacks:bucket"

# Refill at ``rate`` tokens a second up to ``burst``; take one if there is
# one (returns "0"), else return how many seconds until there will be.
TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""


@cache
def _client(url: str) -> redis.Redis:
    # One connection pool per process for the configured URL; it holds no
    # data, only connections.
    return redis.Redis.from_url(url)


def take_call_token() -> float:
    """0 if a call may start now, else the seconds to wait for the budget."""
    if not settings.REDIS_URL:
        return 0.0
    client = _client(settings.REDIS_URL)
    wait = client.eval(
        TAKE, 1, KEY, settings.CALLBACKS_CALLS_PER_SECOND, settings.CALLBACKS_CALL_BURST
    )
    return float(wait)
