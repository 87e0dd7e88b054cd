"""URL list of the sender part of hybrid mail (included by urls.py): the senders' pages and their API."""

from django.urls import path

from . import views_sender
from .api import api

urlpatterns = [
    *views_sender.urlpatterns,
    path("api/v1/", api.urls),
]
