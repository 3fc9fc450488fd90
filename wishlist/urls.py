from django.urls import path

from wishlist import views

app_name = "wishlist"

urlpatterns = [
    path("lists/", views.my_lists, name="my_lists"),
    path("lists/new/", views.list_form, name="create"),
    path("lists/search/", views.search, name="search"),
    path("lists/<int:pk>/", views.manage, name="manage"),
    path("lists/<int:pk>/edit/", views.list_form, name="edit"),
    path("lists/<int:pk>/delete/", views.list_delete, name="delete"),
    path("lists/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("lists/add/<int:product_id>/", views.item_add, name="item_add"),
    path("lists/items/<int:pk>/", views.item_update, name="item_update"),
    path("lists/items/<int:pk>/move/", views.item_move, name="item_move"),
    path("lists/items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("l/<str:token>/", views.shared, name="shared"),
]
