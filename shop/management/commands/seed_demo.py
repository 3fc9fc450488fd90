"""Load the demo data of every app, in the order settings.DEMO_SEEDERS gives.

Each app keeps its own demo data in ``<app>/demo.py`` with a ``seed(stdout)``
function, so the shop needs to know nothing of the apps built on it. Safe to
run again.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from shop.demo import print_logins


class Command(BaseCommand):
    help = "Load demo products, users, orders, wish lists and gifts. Safe to run again."

    def handle(self, *args, **options) -> None:
        for path in settings.DEMO_SEEDERS:
            import_string(path)(self.stdout)
        print_logins(self.stdout, self.style)
