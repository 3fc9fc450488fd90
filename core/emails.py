"""Plain-text emails rendered from templates, in the recipient's language."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated(
    *,
    template: str,
    context: dict,
    to: str,
    recipient: AbstractBaseUser | None = None,
) -> None:
    """Send ``<template>_subject.txt`` and ``<template>.txt`` (paths under
    ``templates/``, e.g. "<app>/email/receipt") as a plain-text email.

    Written in ``recipient``'s language (words, dates and prices), the
    ``language`` the user model keeps for them: emails mostly leave from a
    worker, where no request says which language to use.
    """
    language = getattr(recipient, "language", "") or translation.get_language()
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])
