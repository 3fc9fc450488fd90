"""Query counting that shows the queries when a count is wrong."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import rows


def sql_of(query: dict) -> str:
    """A captured query's statement: a prepared one's text (core.rows runs
    its statements by name), any other as it ran."""
    return rows.statement_sql(query["sql"])


def queries_for(client, url: str, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return [sql_of(query) for query in captured.captured_queries]


def assert_same_queries(small: list[str], large: list[str]) -> None:
    """The page costs the same number of queries at both sizes."""
    if len(small) != len(large):
        listing = "\n".join(f"  {sql}" for sql in large)
        raise AssertionError(
            f"{len(small)} queries with few items, {len(large)} with many:\n{listing}"
        )
