from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("receipt/<str:reference>/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:reference>/", views.request_detail, name="request"),
    path("track/<str:reference>/files/<int:pk>/", views.attachment, name="attachment"),
]
