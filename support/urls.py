from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.help_home, name="help"),
    path("orders/<int:order_id>/", views.get_help, name="get_help"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/message/", views.case_message, name="message"),
    path("cases/<int:pk>/call/", views.call, name="call"),
    path("cases/<int:pk>/call/cancel/", views.cancel_call, name="cancel_call"),
    path("cases/<int:pk>/call.json", views.call_status, name="call_status"),
]
