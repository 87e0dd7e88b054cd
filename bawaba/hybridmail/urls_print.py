"""URL list of the print part of hybrid mail (included by urls.py)."""

urlpatterns = []
