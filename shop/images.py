"""Product photos: the thumbnails made once when a photo is stored, and what
a page needs to show them.

Thumbnails are made with Pillow by ``make_renditions`` when a photo is added
(the admin, ``add_product_image``, the demo seed, ``make_thumbnails``): every
photo is cropped to the catalog's 4:3 frame and saved at a few widths, as
JPEG and as WebP, next to the original. Their names and sizes are kept on
the ``ProductImage`` row, so rendering a page reads a row and never opens,
decodes or checks an image file (docs/photos.md says why not a library).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import OuterRef, Prefetch, Subquery
from PIL import Image, ImageOps

from shop.models import Product, ProductImage

# The catalog's frame: every thumbnail is 4:3, so a page knows its height.
ASPECT = (4, 3)
# The widths thumbnails are made at (narrower than the photo only).
WIDTHS = (96, 192, 320, 640, 960, 1280)
JPEG_QUALITY = 82
WEBP_QUALITY = 78


@dataclass(frozen=True)
class Preset:
    """How one kind of place shows a photo: its box in CSS pixels (the
    ``width``/``height`` attributes that keep the page from shifting), the
    ``sizes`` the browser picks a width with, and the widths offered."""

    width: int
    height: int
    sizes: str
    widths: tuple[int, ...]


PRESETS = {
    # Cart, checkout, orders, gifts, list rows, the admin.
    "thumb": Preset(96, 72, "4rem", (96, 192)),
    # Product grid and wish-list cards.
    "card": Preset(320, 240, "(min-width: 48rem) 20rem, 45vw", (192, 320, 640)),
    # The product page.
    "gallery": Preset(
        640, 480, "(min-width: 48rem) 40rem, 100vw", (320, 640, 960, 1280)
    ),
}


def with_first_image(lookup: str = "images") -> Prefetch:
    """Prefetch each product's first photo only, as ``first_images``: one
    query for a page of any length. ``lookup`` reaches the products' images
    from the queried model (``"product__images"`` from cart lines)."""
    return Prefetch(
        lookup,
        queryset=ProductImage.objects.order_by("position", "pk")[:1],
        to_attr="first_images",
    )


def first_image_key(product: Product) -> tuple:
    """What a cached card shows of ``product``'s first photo: which photo,
    and as it was last saved (its alt texts, its thumbnails); from
    ``first_image_key_columns`` when the product was read with them."""
    if hasattr(product, "first_image_pk"):
        at = product.first_image_at
        return (product.first_image_pk, at.isoformat() if at else None)
    photo = product.first_image
    return (photo.pk, photo.updated_at.isoformat()) if photo else (None, None)


def first_image_key_columns(product_ref: str = "product") -> dict:
    """``first_image_key`` as annotations, for reads that build no models."""
    first = ProductImage.objects.filter(product=OuterRef(product_ref)).order_by(
        "position", "pk"
    )[:1]
    return {
        "first_image_pk": Subquery(first.values("pk")),
        "first_image_at": Subquery(first.values("updated_at")),
    }


def _frame(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        # Transparent PNGs land on white, as they would on the page.
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.convert("RGBA").getchannel("A"))
        image = background
    image = image.convert("RGB")
    width, height = image.size
    target = width * ASPECT[1] // ASPECT[0]
    if target <= height:
        top = (height - target) // 2
        return image.crop((0, top, width, top + target))
    target_w = height * ASPECT[0] // ASPECT[1]
    left = (width - target_w) // 2
    return image.crop((left, 0, left + target_w, height))


def _widths(source_width: int) -> list[int]:
    widths = [w for w in WIDTHS if w <= source_width]
    if source_width < WIDTHS[-1] and source_width not in widths:
        widths.append(source_width)
    return widths


def make_renditions(photo: ProductImage, source: Image.Image | None = None) -> list:
    """Make and store ``photo``'s thumbnails, and save their names on it.
    ``source`` is the decoded photo when the caller has it (the demo seed),
    else the stored file is read once. Returns the renditions."""
    if source is None:
        with photo.image.open("rb") as stored:
            source = Image.open(stored)
            source.load()
    framed = _frame(source)
    stem = photo.image.name.rsplit(".", 1)[0]
    storage = photo.image.storage
    renditions = []
    resized = framed
    # Widest first, each made from the one before: as sharp, far quicker.
    for width in sorted(_widths(framed.width), reverse=True):
        height = round(width * ASPECT[1] / ASPECT[0])
        resized = resized.resize((width, height), Image.Resampling.LANCZOS)
        names = {}
        for fmt, extension, options in (
            ("JPEG", "jpg", {"quality": JPEG_QUALITY, "optimize": True,
                             "progressive": True}),
            # method 3: a third of method 4's time, files ~3% larger.
            ("WEBP", "webp", {"quality": WEBP_QUALITY, "method": 3}),
        ):  # fmt: skip
            buffer = io.BytesIO()
            resized.save(buffer, fmt, **options)
            names[extension] = storage.save(
                f"{stem}.w{width}.{extension}", ContentFile(buffer.getvalue())
            )
        renditions.append(
            {"width": width, "height": height, "jpeg": names["jpg"],
             "webp": names["webp"]}
        )  # fmt: skip
    photo.renditions = renditions[::-1]
    photo.save(update_fields=["renditions", "updated_at"])
    return renditions


def delete_files(photo: ProductImage) -> None:
    """Remove a deleted photo's file and thumbnails from storage."""
    storage = photo.image.storage
    for rendition in photo.renditions:
        storage.delete(rendition["jpeg"])
        storage.delete(rendition["webp"])
    if photo.image.name:
        storage.delete(photo.image.name)


def _srcset(renditions: list, key: str) -> str:
    return ", ".join(f"{default_storage.url(r[key])} {r['width']}w" for r in renditions)


def picture(photo: ProductImage | None, preset_name: str) -> dict:
    """What ``{% product_picture %}`` renders, read from the row alone."""
    preset = PRESETS[preset_name]
    context = {"width": preset.width, "height": preset.height}
    if photo is None:
        return context
    renditions = photo.renditions
    if not renditions:
        # A photo whose thumbnails are not made yet (``make_thumbnails``
        # makes them): the original, scaled into the same box.
        return {**context, "src": photo.image.url, "alt": photo.display_alt}
    offered = [r for r in renditions if r["width"] in preset.widths] or renditions
    fallback = next((r for r in offered if r["width"] >= preset.width), offered[-1])
    return {
        **context,
        "alt": photo.display_alt,
        "src": default_storage.url(fallback["jpeg"]),
        "srcset": _srcset(offered, "jpeg"),
        "webp_srcset": _srcset(offered, "webp"),
        "sizes": preset.sizes,
    }


def absolute_media_url(name: str) -> str:
    url = default_storage.url(name)
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def email_thumbnail_url(product: Product) -> str | None:
    """An absolute URL of a JPEG thumbnail of ``product``'s first photo (about
    192 px wide, for emails, which show no WebP), or None if it has none."""
    photo = product.first_image
    if photo is None:
        return None
    if not photo.renditions:
        return absolute_media_url(photo.image.name)
    rendition = next(
        (r for r in photo.renditions if r["width"] >= 192), photo.renditions[-1]
    )
    return absolute_media_url(rendition["jpeg"])
