from django.urls import path

from . import views_staff as views

app_name = "lifeproof"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("attempts/<int:pk>/review", views.review, name="review"),
    path("attempts/<int:pk>/reference.jpg", views.reference_photo, name="reference_photo"),
    path("attempts/<int:pk>/frames/<int:index>.jpg", views.frame_image, name="frame"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/export.csv", views.campaign_export, name="campaign_export"),
    path("import/", views.import_pensioners, name="import"),
    path("counter/", views.counter, name="counter"),
    path("counter/capture/", views.counter_capture, name="counter_capture"),
    path("counter/enrol/", views.counter_enrol, name="counter_enrol"),
]
