from django.urls import path

from callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("status/<str:reference>/", views.status, name="status"),
    path("answer/<str:reference>/", views.answer, name="answer"),
    path("hold/", views.hold, name="hold"),
    path("agent/<str:reference>/", views.agent, name="agent"),
    path("agent-status/<str:reference>/", views.agent_status, name="agent_status"),
    path("join/<str:reference>/", views.join, name="join"),
    path("requeue/<str:reference>/", views.requeue, name="requeue"),
]
