from django.urls import path

from . import views_public as views

app_name = "lifeproof_public"
urlpatterns = [
    path("", views.page, name="page"),
    path("sw.js", views.service_worker, name="sw"),
    path("challenge", views.challenge, name="challenge"),
    path("attempt", views.attempt, name="attempt"),
    path("attempt/<int:pk>", views.attempt_status, name="attempt_status"),
    path("home-visit", views.home_visit, name="home_visit"),
    path("certificate.pdf", views.certificate_pdf, name="certificate"),
    path("<str:token>", views.open_link, name="open"),
]
