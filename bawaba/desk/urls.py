from django.urls import path

from . import live, views

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("live/", live.stream, name="live"),
    path("call/", views.call, name="call"),
    path("new/", views.call, name="new"),
    path("call/lookup/", views.caller_lookup, name="caller_lookup"),
    path("r/<str:reference>/", views.request_detail, name="request"),
    path("r/<str:reference>/assign/", views.request_assign, name="assign"),
    path("r/<str:reference>/reply/", views.request_reply, name="reply"),
    path("r/<str:reference>/note/", views.request_note, name="note"),
    path("r/<str:reference>/status/", views.request_status, name="status"),
    path("r/<str:reference>/priority/", views.request_priority, name="priority"),
    path("r/<str:reference>/transfer/", views.request_transfer, name="transfer"),
    path("r/<str:reference>/merge/", views.request_merge, name="merge"),
    path("r/<str:reference>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
