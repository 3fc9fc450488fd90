"""Production settings served over plain HTTP on loopback, for benchmarks.

Everything else is production's: DEBUG off, cached templates, persistent
database connections, Redis. Only TLS is left to the (absent) proxy.
"""

from .production import *

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# A request carrying X-Count-Queries is answered with X-Queries: how many SQL
# queries it ran. Outermost, so the session and user queries count too.
MIDDLEWARE = ["benchmarks.querycount.QueryCountMiddleware", *MIDDLEWARE]
