"""URL list of the sender part of hybrid mail (included by urls.py)."""

urlpatterns = []
