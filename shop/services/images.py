"""Adding and removing a product's photos; their thumbnails are made here,
once, when the photo is stored."""

from django.core.files import File
from django.db import transaction
from django.db.models import Max
from PIL import Image

from shop import images
from shop.models import Product, ProductImage


def add_product_image(
    *,
    product: Product,
    image_file: File,
    alt: str,
    alt_ja: str = "",
    position: int | None = None,
    source: Image.Image | None = None,
) -> ProductImage:
    """Store a photo of ``product`` after its others (or at ``position``)
    and make its thumbnails. ``source`` is the decoded image when the caller
    already has it, so it is not read back from storage."""
    with transaction.atomic():
        if position is None:
            last = product.images.aggregate(last=Max("position"))["last"]
            position = 0 if last is None else last + 1
        photo = ProductImage(product=product, position=position, alt=alt, alt_ja=alt_ja)
        photo.image.save(image_file.name, image_file, save=False)
        photo.save()
        images.make_renditions(photo, source=source)
    return photo


def make_missing_thumbnails(*, product_images=None) -> int:
    """Make thumbnails for photos that have none (photos from before
    thumbnails, or whose making failed). Returns how many were made."""
    queryset = (
        ProductImage.objects.filter(renditions=[])
        if product_images is None
        else product_images
    )
    made = 0
    for photo in queryset.iterator():
        images.make_renditions(photo)
        made += 1
    return made


def remove_product_image(*, photo: ProductImage) -> None:
    """Delete a photo, and its files once the deletion is committed."""
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: images.delete_files(photo))
