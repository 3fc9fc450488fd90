"""Make the thumbnails of product photos that have none yet.

Photos get theirs when they are stored; this is for photos moved over by a
migration, or after a change of ``shop.images.WIDTHS`` (with ``--all``).
"""

from django.core.management.base import BaseCommand

from shop import services
from shop.models import ProductImage


class Command(BaseCommand):
    help = "Make missing product photo thumbnails (--all: make them all again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Make every photo's thumbnails again."
        )

    def handle(self, *args, all: bool = False, **options):
        photos = ProductImage.objects.all() if all else None
        made = services.make_missing_thumbnails(product_images=photos)
        self.stdout.write(f"Thumbnails made for {made} photos.")
