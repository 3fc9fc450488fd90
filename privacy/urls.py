from django.urls import path

from privacy import views_closure

app_name = "privacy"

urlpatterns = [
    # Closing an account
    path("close/", views_closure.close_account, name="close_account"),
    path("closed/", views_closure.closed, name="closed"),
]
