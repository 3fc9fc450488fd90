"""What every double-submit test checks of the two responses: no 500, no
exception, and the second shown what the first was (the same page)."""

import re
from typing import Any

from django.db.models import Model
from django.test import Client
from django.urls import reverse

from core import submissions
from tests.concurrency import post_together

_KEY = re.compile(r'name="submission" value="([A-Za-z0-9_-]+)"')


def key_on(client: Client, path: str) -> str:
    """The submission key of the (first) form on the page at ``path``, as a
    browser would post it back."""
    response = client.get(path)
    assert response.status_code == 200, response
    found = _KEY.search(response.content.decode())
    assert found, f"no submission field on {path}"
    return found.group(1)


def keys_in(html: str) -> list[str]:
    return _KEY.findall(html)


def assert_same_result(responses: list[Any], status: int = 302) -> str:
    """Both requests answered ``status`` (never a 500 or an exception) with
    the same page; returns that page's address (or body)."""
    for response in responses:
        assert not isinstance(response, BaseException), responses
        assert response.status_code == status, (response, response.content[:500])
    if status == 302:
        locations = {response["Location"] for response in responses}
        assert len(locations) == 1, locations
        return locations.pop()
    return responses[0].content.decode()


def admin_action_together(client: Client, action: str, *rows: Model) -> list[Any]:
    """The admin action ``action`` on ``rows``, sent twice at the same moment
    from their changelist (a double click on "Go"); the two responses."""
    meta = rows[0]._meta
    return post_together(
        client,
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
    )


def new_key() -> str:
    return submissions.new_key()


def messages_of(response: Any) -> list[str]:
    """The messages this request added for the next page (not those it
    was given from an earlier one)."""
    return [str(m) for m in response.wsgi_request._messages._queued_messages]
