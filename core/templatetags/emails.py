"""Tags for the HTML emails: links in an email must be absolute, and the
site's address comes from ``SITE_URL`` (a worker has no request to ask)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_url() -> str:
    return settings.SITE_URL


@register.filter
def absolute_url(url: str) -> str:
    """``/orders/1/`` as ``https://shop.example/orders/1/``; a URL that is
    already absolute (media in object storage) is left as it is."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url
