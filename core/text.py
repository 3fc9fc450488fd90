"""Sentences built from values: a value that ends a sentence with its own
full stop ("2:01 a.m.", a name a person typed as "Aiko & Ren.") must not
get a second one from the sentence ("We'll call you at 2:01 a.m..")."""

import re

from django.utils.functional import Promise
from django.utils.translation import pgettext

# What may end a value and so already close the sentence it ends.
_STOPS = (".", "。", "!", "?", "！", "？")
# A stop right after one that closed a value, but not an ellipsis ("...").
_DOUBLED = re.compile(r"(?<![.。])([.。!?！？])[.。](?![.。])")


def fill(message: str | Promise, values: dict) -> str:
    """``message % values``, without a second full stop after a value that
    ends with one: only the sentence's own stop right after such a value is
    dropped, never anything inside a value."""
    text = str(message)
    for key, value in values.items():
        if str(value).endswith(_STOPS):
            text = re.sub(r"%\(" + re.escape(key) + r"\)s[.。]", f"%({key})s", text)
    return text % values


def end_once(text: str) -> str:
    """Rendered text with each doubled full stop after a value made single,
    for sentences a template builds (``{% filter end_once %}``)."""
    return _DOUBLED.sub(r"\1", text)


def then(first: str, second: str) -> str:
    """Two sentences one after the other, as the language writes them: a
    space between them in English, none after a Japanese "。"."""
    return pgettext("two sentences, one after the other", "%(first)s %(second)s") % {
        "first": first,
        "second": second,
    }
