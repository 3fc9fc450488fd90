from django.urls import path

from gifts import views

app_name = "gifts"

urlpatterns = [
    # Through the list's share token, never an item id alone: ids are
    # sequential, and an unlisted list's link is its only secret.
    path("<str:token>/add/<int:item_id>/", views.buy_as_gift, name="buy"),
    path("checkout/<str:token>/", views.checkout, name="checkout"),
    path(
        "checkout/<str:token>/remove/<int:product_id>/",
        views.remove_from_gift_cart,
        name="remove",
    ),
    path("received/", views.received, name="received"),
    path("received/<int:pk>/", views.received_detail, name="received_detail"),
    path("received/<int:pk>/thanks/", views.thank, name="thank"),
    path("received/<int:pk>/return/", views.request_return, name="return"),
    path("sent/", views.sent, name="sent"),
    path("slip/<int:shipment_id>/", views.slip, name="slip"),
]
