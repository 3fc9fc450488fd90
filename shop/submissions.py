"""One key per form submission, so that a form sent twice has one effect.

A form that changes something carries a hidden ``submission`` field with a
random key made when the form was shown (``{% submission_field %}`` from the
``submissions`` template library). The service that does the work stores the
key on the row it writes, under a unique constraint scoped to the person who
acts, so a second request with the same key (a double click, a browser
retry, a second tab re-posting) finds the first one's row instead of doing
the work again; a concurrent one waits on the unique index until the first
commits, then finds it. A request without a valid key gets a fresh one: it
still works, it just has no twin to be recognised by.
"""

import re
import secrets
from collections.abc import Mapping

FIELD = "submission"
_VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_key() -> str:
    return secrets.token_urlsafe(16)


def key_from(data: Mapping[str, str]) -> str:
    """The submission key posted in ``data``, or a fresh one if it is missing
    or malformed."""
    value = data.get(FIELD, "")
    if isinstance(value, str) and _VALID.match(value):
        return value
    return new_key()
