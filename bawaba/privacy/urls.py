from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("register/", views.register_page, name="register"),
    path("register.<str:fmt>", views.register_export, name="register_export"),
    path("requests/", views.subject_start, name="subject_start"),
    path("requests/<int:pk>/", views.subject, name="subject"),
    path("requests/<int:pk>/export.<str:fmt>", views.subject_export, name="subject_export"),
    path("requests/<int:pk>/rectify/", views.subject_rectify, name="subject_rectify"),
    path("requests/<int:pk>/erase/", views.subject_erase, name="subject_erase"),
    path("access-log/", views.access_log, name="access_log"),
]
