from django.urls import path

from . import views_public as views

app_name = "lifeproof_verify"
urlpatterns = [
    path("", views.verify_form, name="form"),
    path("key.pem", views.public_key, name="key"),
    path("<str:code>", views.verify_page, name="page"),
]
