"""Product photos: thumbnails made once when a photo is stored, one
``{% product_picture %}`` that every page renders them with, the admin's
inline, the demo's drawn photos, and where media is stored."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from PIL import Image

from config.settings.media import media_settings
from shop import demo, images, services
from shop.management.demo_catalog import PRODUCTS
from shop.models import Product, ProductImage
from tests.wishlist.factories import WishListItemFactory

from .factories import (
    ProductFactory,
    ProductImageFactory,
    cart_with,
    placed_order,
)

pytestmark = pytest.mark.django_db


def _upload(size=(1000, 800), mode="RGB", fmt="JPEG", name="photo.jpg"):
    picture = Image.new(mode, size, (200, 80, 40, 128)[: len(mode)])
    buffer = io.BytesIO()
    picture.save(buffer, fmt)
    return ContentFile(buffer.getvalue(), name=name)


def _render(product, arguments: str) -> str:
    return Template(
        "{% load shop %}{% product_picture product " + arguments + " %}"
    ).render(Context({"product": product}))


# --- Thumbnails, made once -----------------------------------------------


def test_a_stored_photo_gets_4_by_3_webp_and_jpeg_thumbnails(settings):
    product = ProductFactory(sku="KIT-9")
    photo = services.add_product_image(
        product=product, image_file=_upload(), alt="A kettle", alt_ja="やかん"
    )
    assert (photo.width, photo.height) == (1000, 800)
    # The preset widths below its own, and its own (the sharpest there is).
    assert [r["width"] for r in photo.renditions] == [96, 192, 320, 640, 960, 1000]
    media = Path(settings.MEDIA_ROOT)
    for rendition in photo.renditions:
        assert rendition["height"] == rendition["width"] * 3 // 4
        with Image.open(media / rendition["jpeg"]) as jpeg:
            assert jpeg.format == "JPEG"
            assert jpeg.size == (rendition["width"], rendition["height"])
        with Image.open(media / rendition["webp"]) as webp:
            assert webp.format == "WEBP"
            assert webp.size == (rendition["width"], rendition["height"])
    assert photo.image.name.startswith("products/KIT-9/")
    # The second photo goes after the first.
    second = services.add_product_image(
        product=product, image_file=_upload(), alt="Its lid"
    )
    assert (photo.position, second.position) == (0, 1)
    assert list(product.images.all()) == [photo, second]


def test_a_small_or_transparent_photo_is_framed_not_stretched(settings):
    photo = services.add_product_image(
        product=ProductFactory(),
        image_file=_upload((300, 500), "RGBA", "PNG", "cut-out.png"),
        alt="A cut-out",
    )
    # Cropped to 4:3 from the middle; never enlarged past its own width.
    assert [(r["width"], r["height"]) for r in photo.renditions] == [
        (96, 72),
        (192, 144),
        (300, 225),
    ]
    with Image.open(Path(settings.MEDIA_ROOT) / photo.renditions[-1]["jpeg"]) as jpeg:
        assert jpeg.mode == "RGB"


def test_make_thumbnails_makes_the_missing_ones_only(settings):
    product = ProductFactory()
    photo = ProductImage(product=product, alt="Moved over by the migration")
    photo.image.save("old.jpg", _upload(), save=True)
    assert photo.renditions == []
    assert services.make_missing_thumbnails() == 1
    photo.refresh_from_db()
    assert photo.renditions
    assert services.make_missing_thumbnails() == 0


def test_removing_a_photo_removes_its_files(
    settings, django_capture_on_commit_callbacks
):
    photo = services.add_product_image(
        product=ProductFactory(), image_file=_upload(), alt="Gone soon"
    )
    names = [photo.image.name] + [r["jpeg"] for r in photo.renditions]
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_product_image(photo=photo)
    assert not any((Path(settings.MEDIA_ROOT) / name).exists() for name in names)


# --- One way to show a photo ---------------------------------------------


def test_a_card_is_a_responsive_lazy_picture_with_its_size_and_alt():
    photo = ProductImageFactory(alt="Kettle, front", alt_ja="やかん 正面")
    html = _render(photo.product, '"card"')
    webp = re.search(
        r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', html
    )
    assert webp, html
    assert webp.group(1).split(", ") == [
        f"/media/{photo.image.name[:-4]}.w{w}.webp {w}w" for w in (192, 320, 640)
    ]
    img = re.search(r"<img [^>]+>", html).group(0)
    assert f'src="/media/{photo.image.name[:-4]}.w320.jpg"' in img
    assert ".w640.jpg 640w" in img
    assert 'width="320" height="240"' in img
    assert 'loading="lazy"' in img
    assert 'decoding="async"' in img
    assert 'sizes="(min-width: 48rem) 20rem, 45vw"' in img
    assert 'alt="Kettle, front"' in img
    with translation.override("ja"):
        assert 'alt="やかん 正面"' in _render(photo.product, '"card"')


def test_the_first_photo_above_the_fold_is_not_lazy():
    photo = ProductImageFactory()
    html = _render(photo.product, '"gallery" eager=True')
    assert 'fetchpriority="high"' in html
    assert 'loading="lazy"' not in html
    assert 'width="640" height="480"' in html


def test_a_product_without_photos_gets_a_placeholder_of_the_same_size():
    product = ProductFactory(name="Plain thing")
    html = _render(product, '"thumb"')
    assert "<picture" not in html
    assert 'width="96" height="72"' in html
    assert 'role="img" aria-label="Plain thing"' in html


def test_beside_its_name_a_photo_does_not_make_a_screen_reader_say_it_twice():
    product = ProductFactory(name="Kettle")
    named = ProductImageFactory(product=product, alt="Kettle")
    described = ProductImageFactory(product=product, alt="Kettle, lid open")

    def card(photo) -> str:
        return Template(
            "{% load shop %}"
            "{% product_picture product 'card' photo=p beside_name=True %}"
        ).render(Context({"product": product, "p": photo}))

    assert 'alt=""' in card(named)
    assert 'alt="Kettle, lid open"' in card(described)  # it says more: kept
    # Alone (the product page's gallery), the photo is named by its alt.
    assert 'alt="Kettle"' in _render(product, '"gallery" photo=None')


def test_beside_its_name_a_placeholder_is_hidden_from_screen_readers():
    product = ProductFactory(name="Plain thing")
    html = _render(product, '"thumb" beside_name=True')
    assert 'aria-hidden="true"' in html
    assert "aria-label" not in html


def test_pages_read_the_photo_rows_and_never_the_files(client):
    # The factory's photos have no files at all: a page that opened one
    # would fail.
    photo = ProductImageFactory(alt="Shown from its row")
    ProductImageFactory(product=photo.product, alt="Second photo")
    listing = client.get(reverse("shop:product_list")).content.decode()
    assert 'alt="Shown from its row"' in listing
    assert "Second photo" not in listing
    page = client.get(photo.product.get_absolute_url()).content.decode()
    first, second = re.findall(r"<img [^>]+>", page)[:2]
    assert 'alt="Shown from its row"' in first and 'fetchpriority="high"' in first
    assert 'alt="Second photo"' in second and 'loading="lazy"' in second


def test_cart_orders_and_lists_show_thumbnails(client, buyer):
    photo = ProductImageFactory(alt="In the cart")
    client.force_login(buyer)
    cart_with(buyer, (photo.product, 1))
    assert 'alt="In the cart"' in client.get(reverse("shop:cart")).content.decode()
    order = placed_order(buyer, (photo.product, 1))
    for url in (reverse("shop:order_list"), order.get_absolute_url()):
        html = client.get(url).content.decode()
        assert 'alt="In the cart"' in html and 'width="96"' in html, url
    item = WishListItemFactory(product=photo.product)
    html = client.get(item.wishlist.get_share_url()).content.decode()
    assert 'alt="In the cart"' in html


def test_a_changed_photo_renews_the_cached_catalog(
    client, django_capture_on_commit_callbacks
):
    photo = ProductImageFactory(alt="Before")
    assert 'alt="Before"' in client.get(reverse("shop:product_list")).content.decode()
    photo.alt = "After"
    with django_capture_on_commit_callbacks(execute=True):
        photo.save()
    html = client.get(reverse("shop:product_list")).content.decode()
    assert 'alt="After"' in html


def test_email_thumbnail_url_is_an_absolute_jpeg(settings):
    settings.SITE_URL = "https://shop.example"
    photo = ProductImageFactory()
    url = images.email_thumbnail_url(photo.product)
    assert url == f"https://shop.example/media/{photo.image.name[:-4]}.w192.jpg"
    assert images.email_thumbnail_url(ProductFactory()) is None


# --- The admin -----------------------------------------------------------


def test_staff_add_photos_in_the_product_inline_and_see_thumbnails(staff_client):
    product = ProductFactory()
    url = reverse("admin:shop_product_change", args=[product.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["category"] = product.category_id
    upload = SimpleUploadedFile("new.jpg", _upload().read(), content_type="image/jpeg")
    data |= {
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-0-image": upload,
        "images-0-alt": "Seen from above",
        "images-0-alt_ja": "上から見たところ",
        "images-0-position": "0",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    photo = product.images.get()
    assert photo.alt_ja == "上から見たところ"
    assert photo.renditions, "thumbnails are made when the photo is saved"
    changelist = staff_client.get(reverse("admin:shop_product_changelist"))
    assert 'alt="Seen from above"' in changelist.content.decode()
    change = staff_client.get(url).content.decode()
    assert re.search(r'<picture class="photo photo-thumb">', change)


def test_the_admin_product_list_costs_the_same_for_more_products(staff_client):
    from tests.queries import assert_same_queries, queries_for

    from .factories import photographed

    url = reverse("admin:shop_product_changelist")
    photographed(ProductFactory.create_batch(3))
    small = queries_for(staff_client, url)
    photographed(ProductFactory.create_batch(30))
    assert_same_queries(small, queries_for(staff_client, url))


# --- Demo photos -----------------------------------------------------------


def test_every_demo_product_gets_its_own_drawn_photo(settings):
    demo._catalog(io.StringIO())
    demo._photos(io.StringIO())
    photos = ProductImage.objects.select_related("product")
    assert photos.count() == len(PRODUCTS)
    digests = set()
    for photo in photos:
        assert photo.alt == photo.product.name and photo.alt_ja == photo.product.name_ja
        assert photo.renditions
        digests.add(hashlib.sha256(photo.image.read()).hexdigest())
    assert len(digests) == len(PRODUCTS)
    # Seeding again keeps them.
    demo._photos(io.StringIO())
    assert ProductImage.objects.count() == len(PRODUCTS)
    assert not Product.objects.filter(images__isnull=True).exists()


# --- Where photos are stored -----------------------------------------------


def test_without_a_bucket_photos_are_files_served_here():
    chosen = media_settings({})
    assert chosen["storage"]["BACKEND"].endswith("FileSystemStorage")
    assert chosen["media_url"] == "media/"
    assert chosen["origin"] is None


def test_a_bucket_means_s3_with_public_urls_and_no_request_to_build_them():
    from storages.backends.s3 import S3Storage

    chosen = media_settings(
        {
            "AWS_STORAGE_BUCKET_NAME": "hoshii-media",
            "AWS_S3_REGION_NAME": "ap-northeast-1",
        }
    )
    assert chosen["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = chosen["storage"]["OPTIONS"]
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    domain = "hoshii-media.s3.ap-northeast-1.amazonaws.com"
    assert chosen["origin"] == f"https://{domain}"
    assert chosen["media_url"] == f"https://{domain}/media/"
    url = S3Storage(**options).url("products/a.w320.jpg")
    assert url == f"https://{domain}/media/products/a.w320.jpg"


def test_a_cdn_domain_or_another_s3_service_is_used_as_given():
    cdn = media_settings(
        {"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_CUSTOM_DOMAIN": "img.hoshii.jp",
         "AWS_LOCATION": ""}
    )  # fmt: skip
    assert cdn["media_url"] == "https://img.hoshii.jp/"
    assert cdn["origin"] == "https://img.hoshii.jp"
    minio = media_settings(
        {"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ENDPOINT_URL": "http://minio:9000"}
    )
    assert minio["storage"]["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert minio["media_url"] == "http://minio:9000/b/media/"
    assert minio["origin"] == "http://minio:9000"


def test_the_content_security_policy_allows_the_media_host(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "hoshii-media")
    monkeypatch.setenv("AWS_S3_CUSTOM_DOMAIN", "img.hoshii.jp")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.STORAGES["default"]["BACKEND"].endswith("S3Storage")
        img_src = reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
        assert "https://img.hoshii.jp" in img_src
    finally:
        monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME")
        monkeypatch.delenv("AWS_S3_CUSTOM_DOMAIN")
        importlib.reload(base)


def test_run_mode_serves_stored_photos_from_media_root(settings, rf):
    from core.views import serve_media

    photo = services.add_product_image(
        product=ProductFactory(), image_file=_upload(), alt="Served"
    )
    name = photo.renditions[0]["webp"]
    response = serve_media(rf.get(f"/media/{name}"), name)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"


def test_gift_pages_show_thumbnails_but_a_surprise_shows_no_photo(client):
    from django.test import Client

    from tests.gifts.factories import give

    photo = ProductImageFactory(alt="The gift itself")
    item = WishListItemFactory(product=photo.product)
    gift = give(item)
    giver = Client()
    giver.force_login(gift.giver)
    assert 'alt="The gift itself"' in giver.get(reverse("gifts:sent")).content.decode()
    client.force_login(gift.recipient)
    # Still a surprise: not even its picture gives it away.
    for url in (reverse("gifts:received"), gift.get_absolute_url()):
        assert "The gift itself" not in client.get(url).content.decode(), url
    item.wishlist.surprise_protection = False
    item.wishlist.save()
    for url in (reverse("gifts:received"), gift.get_absolute_url()):
        assert 'alt="The gift itself"' in client.get(url).content.decode(), url
