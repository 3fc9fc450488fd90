"""The shop's name and domain, from settings, wherever Django or allauth asks.

django.contrib.sites keeps them in a database row (``example.com`` until
someone edits it), and allauth reads that row for its emails. The settings
are the truth: the row is brought in line after every ``migrate``, which
``make run`` and every deployment run before they start.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


@dataclass(frozen=True)
class SiteIdentity:
    """What a template needs of a Site: its ``name`` and ``domain``."""

    name: str
    domain: str


def site_identity() -> SiteIdentity:
    """SITE_NAME, and the host (and port, if any) of SITE_URL."""
    return SiteIdentity(
        name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
    )


def sync_site_with_settings(*, using: str = "default", **kwargs) -> None:
    """Make the SITE_ID row say ``site_identity()`` (a post_migrate receiver;
    safe to run any number of times)."""
    from django.contrib.sites.models import Site

    identity = site_identity()
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"name": identity.name, "domain": identity.domain},
    )
    Site.objects.clear_cache()
