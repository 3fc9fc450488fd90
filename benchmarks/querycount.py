"""Counts the SQL queries of one request, for the page benchmarks.

Enabled by ``config.settings.bench`` only. A request that carries
``X-Count-Queries`` gets an ``X-Queries`` header with the number of queries
it ran, session and user included (this middleware is the outermost); every
other request, such as the load itself, pays nothing.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse


class QueryCountMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "x-count-queries" not in request.headers:
            return self.get_response(request)
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
