from django.urls import path

from . import views

app_name = "voice"
urlpatterns = [
    path("callbacks/<str:provider>/<str:secret>/", views.callback, name="callback"),
    path("phone/", views.console, name="console"),
    path("phone/bar/", views.agent_bar, name="agent_bar"),
    path("calls/<int:pk>/", views.screen, name="screen"),
    path("calls/<int:pk>/link/", views.link, name="link"),
    path("calls/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("calls/<int:pk>/recording/", views.recording, name="recording"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("staffing/", views.staffing_page, name="staffing"),
    path("staffing.csv", views.staffing_csv, name="staffing_csv"),
]
