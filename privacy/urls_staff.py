"""Staff pages, under /admin/ so they ask for the staff second factor
(``core.middleware``) like the rest of the admin."""

from django.urls import path

from privacy import views_closure

app_name = "privacy_staff"

urlpatterns = [
    # Closing an account on a customer's written request
    path("close/", views_closure.staff_find_customer, name="find"),
    path("close/<int:user_id>/", views_closure.staff_close, name="close"),
]
