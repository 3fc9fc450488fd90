from django.urls import path

from privacy import views, views_closure

app_name = "privacy"

urlpatterns = [
    path("account/data/", views.your_data, name="your_data"),
    path("account/data/export/", views.request_export, name="request_export"),
    path(
        "account/data/<int:pk>/download/",
        views.download_export,
        name="download_export",
    ),
    # Closing an account
    path("account/close/", views_closure.close_account, name="close_account"),
    path("account/closed/", views_closure.closed, name="closed"),
]
