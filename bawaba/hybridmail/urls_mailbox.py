"""URL list of the mailbox part of hybrid mail (included by urls.py)."""

urlpatterns = []
