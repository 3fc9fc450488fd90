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
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.core.cache import cache
from django.db import IntegrityError, models, transaction

T = TypeVar("T", bound=models.Model)

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


# Pages and fragments kept in the shared cache (``core.pagecache``,
# ``core.fragments``) are served to many visitors, and to one visitor many
# times: a key stored in them would make every later submission of that form
# a "twin" of the first. They are stored with a placeholder instead, and each
# time the text is served every placeholder gets a key of its own, as the
# CSRF token does.
_INPUT = '<input type="hidden" name="{}" value="{}">'
_PLACEHOLDER = "submissionKeyFilledInEachTimeItIsServed"
PLACEHOLDER_INPUT = _INPUT.format(FIELD, _PLACEHOLDER)
_INPUT_PATTERN = re.compile(
    re.escape(_INPUT.format(FIELD, "{}")).replace(re.escape("{}"), "[A-Za-z0-9_-]+")
)


def without_keys(html: str) -> str:
    """``html`` with each submission field's key replaced by a placeholder,
    to be stored where more than one page view will read it."""
    return _INPUT_PATTERN.sub(PLACEHOLDER_INPUT, html)


def with_fresh_keys(html: str) -> str:
    """``html`` with each placeholder field holding a new key of its own."""
    if PLACEHOLDER_INPUT not in html:
        return html
    parts = html.split(PLACEHOLDER_INPUT)
    filled = [parts[0]]
    for part in parts[1:]:
        filled.append(_INPUT.format(FIELD, new_key()))
        filled.append(part)
    return "".join(filled)


def create_once(found: "models.QuerySet[T]", create: Callable[[], T]) -> tuple[T, bool]:
    """The row ``found`` finds (the first submission's), or the one
    ``create()`` writes; and whether it was written now.

    ``create`` must write a row that a unique constraint holds to the key
    ``found`` filters on. It runs in a savepoint: a concurrent twin blocks on
    the unique index until the first request commits, gets IntegrityError,
    and then reads and returns the first request's row.
    """
    existing = found.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = found.first()
        if existing is None:
            raise
        return existing, False


# A delete has no row left to find its twin by: the twin that arrives after
# the first one committed would get a 404, as for someone else's id. So the
# service that deletes notes, for an hour, that this person deleted that
# row; the view answers such a twin with the first one's result.
DELETED_SECONDS = 3600


def _deleted_key(actor_id: int, obj_label: str, pk: int) -> str:
    return f"submissions:deleted:{actor_id}:{obj_label}:{pk}"


def remember_deleted(
    *, actor_id: int, model: type[models.Model], pk: int, parent_id: int = 0
) -> None:
    """Note that ``actor_id`` deletes ``model`` row ``pk`` (shown on
    ``parent_id``'s page, if any), so a twin of the delete can be recognised.

    Noted at once, not on commit: a twin that reads between the commit and
    an on-commit callback would find neither the row nor the note. A note
    left by a delete that rolled back is never read: it is consulted only
    for a row that is gone.
    """
    cache.set(
        _deleted_key(actor_id, model._meta.label_lower, pk), parent_id, DELETED_SECONDS
    )


def deleted_by(*, actor_id: int, model: type[models.Model], pk: int) -> int | None:
    """The ``parent_id`` noted when ``actor_id`` deleted ``model`` row ``pk``
    in the last hour, or None if they did not."""
    return cache.get(_deleted_key(actor_id, model._meta.label_lower, pk))
