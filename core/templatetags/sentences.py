"""``{% filter end_once %}…{% endfilter %}``: a sentence that ends with a
value (a time, a name) ends with one full stop (see ``core.text``)."""

from django import template

from core import text

register = template.Library()


@register.filter(is_safe=True)
def end_once(value: str) -> str:
    # Safe in, safe out: only a "." or "。" goes, never part of an entity.
    return text.end_once(value)
