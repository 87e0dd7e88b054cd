from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
]
