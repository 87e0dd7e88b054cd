"""Mounted at /tmf-api/troubleTicket/v4/ (config/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("troubleTicket", views.trouble_tickets, name="tmf621-tickets"),
    path("troubleTicket/<str:ticket_id>", views.trouble_ticket, name="tmf621-ticket"),
    path("hub", views.hub, name="tmf621-hub"),
    path("hub/<str:subscription_id>", views.hub_item, name="tmf621-hub-item"),
    path("swagger.json", views.swagger, name="tmf621-swagger"),
    path("", views.not_found),
    path("<path:rest>", views.not_found),
]
