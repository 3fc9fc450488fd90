"""Error pages in the site's design, with a way back: as production serves
them (DEBUG off, which the test settings are)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.shop.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.error_urls")]

STYLESHEET = "/static/css/hoshii.css"


def assert_designed(html: str, heading: str) -> None:
    assert STYLESHEET in html
    assert f"<h1>{heading}</h1>" in html
    assert 'class="error-page"' in html
    # ways back: the shop (and its search), wish lists, help
    assert f'href="{reverse("shop:product_list")}"' in html
    assert f'action="{reverse("shop:product_list")}"' in html
    assert f'href="{reverse("wishlist:search")}"' in html
    assert f'href="{reverse("support:help")}"' in html


def test_a_missing_page_is_a_designed_404(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_designed(html, "We can't find that page")
    assert 'aria-label="Account"' in html  # the site's own header


def test_someone_elses_order_is_the_same_designed_404(client):
    from tests.shop.factories import placed_order

    order = placed_order()
    client.force_login(UserFactory())
    response = client.get(order.get_absolute_url())
    assert response.status_code == 404
    assert_designed(response.content.decode(), "We can't find that page")


def test_a_bug_is_a_designed_500_that_needs_no_request(client):
    client.raise_request_exception = False
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_designed(html, "Something went wrong on our side")
    assert reverse("shop:order_list") in html
    assert 'aria-label="Account"' not in html  # no user, session or cart


def test_permission_denied_is_a_designed_403(client):
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_designed(html, "You can't open this page")
    assert reverse("account_login") in html


def test_a_bad_request_is_a_designed_400(client):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    assert_designed(response.content.decode(), "Something was wrong with that request")


def test_a_form_without_its_csrf_token_gets_a_friendly_page():
    product = ProductFactory()
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        reverse("shop:cart_add", args=[product.pk]), {"quantity": 1}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert_designed(html, "This form has expired")
    assert "Hoshii needs cookies" in html  # this browser sent none

    browser.get(product.get_absolute_url())  # now it has the cookie
    response = browser.post(
        reverse("shop:cart_add", args=[product.pk]),
        {"quantity": 1, "csrfmiddlewaretoken": "x" * 64},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert_designed(html, "This form has expired")
    assert "Hoshii needs cookies" not in html
    assert 'aria-label="Account"' in html  # the site's own header


def test_error_pages_speak_the_visitors_language(client):
    client.cookies["django_language"] = "ja"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="ja">' in response.content.decode()
    client.raise_request_exception = False
    response = client.get("/test-errors/500/")
    assert '<html lang="ja">' in response.content.decode()
