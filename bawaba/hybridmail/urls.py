"""/mail/: each part of hybrid mail has its own views and URL list (senders, mailboxes and counters, print)."""

from . import urls_mailbox, urls_print, urls_sender

app_name = "hybridmail"
urlpatterns = [*urls_sender.urlpatterns, *urls_mailbox.urlpatterns, *urls_print.urlpatterns]
