"""Shared call budgets in Redis, each taken atomically by a Lua script that
uses Redis's clock, so every web process and worker draws on the same one.

- The account-wide call rate: a token bucket, because Twilio limits calls
  per second per account. Without Redis (run mode) there is no limit.
- Call requests per hour: per number (across every account), per customer
  and for the whole shop, as sliding windows. Without Redis the services
  count rows instead (run mode is one machine).
"""

import secrets
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


REQUESTS_KEY = "hoshii:callbacks:requests:"
WINDOW = 3600  # seconds: the budgets are per rolling hour

# KEYS are sorted sets of request times, ARGV[1] the window, ARGV[2] a unique
# member, ARGV[3..] each key's limit. If any window is full, return its
# 1-based index and take nothing; else add the request to every window.
TAKE_SLOT = """
local window = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[i + 2]) then
    return i
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('EXPIRE', key, math.ceil(window))
end
return 0
"""


def take_request_slot(*, budgets: list[tuple[str, int]]) -> str | None:
    """Count one call request against every ``(name, limit)`` budget, all or
    none; return the name of the first full budget, or None if it was taken.

    Atomic across processes: two requests at the same moment can never both
    take the last slot. Raises ``RuntimeError`` without Redis.
    """
    if not settings.REDIS_URL:
        raise RuntimeError("request budgets need Redis")
    client = _client(settings.REDIS_URL)
    full = client.eval(
        TAKE_SLOT,
        len(budgets),
        *(REQUESTS_KEY + name for name, _limit in budgets),
        WINDOW,
        secrets.token_hex(8),
        *(limit for _name, limit in budgets),
    )
    return budgets[int(full) - 1][0] if int(full) else None
