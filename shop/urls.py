from django.urls import path

from shop.views import account, cart, catalog, checkout, orders, payment, test_provider

app_name = "shop"

urlpatterns = [
    path("", catalog.product_list, name="product_list"),
    path("products/<slug:slug>/", catalog.product_detail, name="product_detail"),
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/add/<int:product_id>/", cart.cart_add, name="cart_add"),
    path("cart/update/<int:product_id>/", cart.cart_update, name="cart_update"),
    path("cart/remove/<int:product_id>/", cart.cart_remove, name="cart_remove"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/pay/", payment.pay, name="order_pay"),
    path("orders/<int:pk>/paid/", payment.payment_return, name="payment_return"),
    path("orders/<int:pk>/cancel/", payment.cancel, name="order_cancel"),
    path("payments/<slug:provider>/webhook/", payment.webhook, name="payment_webhook"),
    path(
        "payments/test/checkout/<slug:session_id>/",
        test_provider.checkout_page,
        name="test_provider_page",
    ),
    path("accounts/profile/", account.profile, name="profile"),
    path("accounts/addresses/", account.address_list, name="address_list"),
    path("accounts/addresses/new/", account.address_form, name="address_create"),
    path("accounts/addresses/<int:pk>/", account.address_form, name="address_edit"),
    path(
        "accounts/addresses/<int:pk>/delete/",
        account.address_delete,
        name="address_delete",
    ),
    path(
        "accounts/addresses/<int:pk>/default/",
        account.address_make_default,
        name="address_make_default",
    ),
]
