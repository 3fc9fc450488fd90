"""Emails rendered from templates, in the recipient's language: a plain-text
body and an HTML alternative in the shop's design, sent as one
multipart/alternative message."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated(
    *,
    template: str,
    context: dict,
    to: str | list[str],
    recipient: AbstractBaseUser | None = None,
) -> None:
    """Send ``<template>_subject.txt``, ``<template>.txt`` and
    ``<template>.html`` (paths under ``templates/``, e.g.
    "<app>/email/receipt") as one multipart/alternative email: the text part
    first, the HTML part (which extends ``emails/layout.html``) after it, so
    a client that can show HTML shows that and any other shows the text.

    Written in ``recipient``'s language (words, dates and prices), the
    ``language`` the user model keeps for them: emails mostly leave from a
    worker, where no request says which language to use. Both parts get the
    same context, so whatever privacy rule a context keeps (such as
    ``Order.buyer_destination``) holds in both. ``to`` is one address, or
    several who all get the same message (staff alarms); an address under
    ``.invalid`` (a closed account's) is left out, and if none is left
    nothing is sent.
    """
    # RFC 2606 reserves ".invalid": an address there (a closed account's)
    # can reach no one, so nothing is sent to it, and nothing bounces.
    to = [to] if isinstance(to, str) else to
    to = [address for address in to if not address.lower().endswith(".invalid")]
    if not to:
        return
    language = getattr(recipient, "language", "") or translation.get_language()
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", {**context, "subject": subject})
    message = EmailMultiAlternatives(subject, body, None, to)
    message.attach_alternative(html, "text/html")
    message.send()
