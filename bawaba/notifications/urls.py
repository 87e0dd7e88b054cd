from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("dlr/kannel", views.kannel_dlr, name="dlr-kannel"),
    path("dlr/http", views.http_dlr, name="dlr-http"),
    path("outbox/", views.outbox, name="outbox"),
    path("stop/<str:token>/", views.stop, name="stop"),
]
