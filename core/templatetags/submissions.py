"""``{% submission_field %}``: the hidden key that makes a form safe to send
twice (see ``core.submissions``)."""

from django import template
from django.utils.html import format_html

from core import submissions

register = template.Library()


@register.simple_tag
def submission_field(key: str = "") -> str:
    """A hidden input with ``key``, or with a new key when none is given
    (a form re-shown after an error passes its posted key back, so fixing
    the error and sending again still counts as the same submission)."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">',
        submissions.FIELD,
        key or submissions.new_key(),
    )
