"""One kept-alive connection pool per provider API (Stripe, Twilio).

Their libraries' default transports go through ``requests``, which spends
more of a call's CPU than the sending itself: it reads the whole environment
for proxy settings and merges its session's settings on every call. Every
call of a provider goes to its one API base, so the proxy for that base is
read once, here, when the pool is made, as ``requests`` would read it
(``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` and ``NO_PROXY``).
"""

import requests
import urllib3


def pool_for(base_url: str, *, ca_certs: str, maxsize: int = 10) -> urllib3.PoolManager:
    """A thread-safe pool for calls to ``base_url``: certificates checked
    against ``ca_certs``, up to ``maxsize`` connections kept alive per host
    (a worker's threads), through the environment's proxy for that base."""
    options = {"cert_reqs": "CERT_REQUIRED", "ca_certs": ca_certs, "maxsize": maxsize}
    scheme = urllib3.util.parse_url(base_url).scheme or "https"
    proxies = requests.utils.get_environ_proxies(base_url)
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return urllib3.PoolManager(**options)
    auth = urllib3.util.parse_url(proxy).auth
    headers = urllib3.util.make_headers(proxy_basic_auth=auth) if auth else None
    return urllib3.ProxyManager(proxy, proxy_headers=headers, **options)
