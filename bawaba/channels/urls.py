from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("sms", views.sms, name="sms"),
    path("ussd", views.ussd, name="ussd"),
]
