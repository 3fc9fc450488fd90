"""allauth's account adapter: its emails speak for the shop named in settings.

allauth puts the database's Site row in every email's context as
``current_site``; here it is the site the settings name (SITE_NAME,
the domain of SITE_URL), so no email can say ``example.com`` even if the
row was never brought in line.
"""

from allauth.account.adapter import DefaultAccountAdapter

from core.sites import site_identity


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {"current_site": site_identity(), **context}
        super().send_mail(template_prefix, email, context)
