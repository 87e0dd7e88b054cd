"""URL list of the mailbox part of hybrid mail (included by urls.py): the citizens' mailbox (/mail/box/) and the
post-office counter acting as a community access point (/mail/assist/)."""

from django.urls import path

from . import views_assist as assist
from . import views_mailbox as box
from . import views_terminals

urlpatterns = [
    path("box/", box.home, name="box-home"),
    path("box/open/", box.open_mailbox, name="box-open"),
    path("box/open/code/", box.open_code, name="box-open-code"),
    path("box/signin/", box.sign_in, name="box-signin"),
    path("box/signin/code/", box.sign_in_code, name="box-signin-code"),
    path("box/signout/", box.sign_out, name="box-signout"),
    path("box/seats/", box.seats, name="box-seats"),
    # dispatch.MAILBOX_LETTER_PATH: the link in the SMS announcing a letter.
    path("box/l/<str:reference>/", box.letter, name="box-letter"),
    path("box/l/<str:reference>/pdf/", box.letter_pdf, name="box-letter-pdf"),
    path("box/l/<str:reference>/proof/", box.letter_proof, name="box-letter-proof"),
    path("box/l/<str:reference>/file/", box.file_letter, name="box-letter-file"),
    path("box/folders/", box.folder_create, name="box-folder-create"),
    path("box/folders/<int:folder_id>/delete/", box.folder_delete, name="box-folder-delete"),
    path("box/proxies/", box.proxies, name="box-proxies"),
    path("box/proxies/<int:proxy_id>/confirm/", box.proxy_confirm, name="box-proxy-confirm"),
    path("box/proxies/<int:proxy_id>/revoke/", box.proxy_revoke, name="box-proxy-revoke"),
    path("assist/", assist.check_id, name="assist"),
    path("assist/citizen/", assist.citizen, name="assist-citizen"),
    path("assist/citizen/end/", assist.end, name="assist-end"),
    path("assist/citizen/open/", assist.open_mailbox, name="assist-open"),
    path("assist/citizen/l/<str:reference>/", assist.letter, name="assist-letter"),
    path("assist/citizen/deposit/", assist.deposit, name="assist-deposit"),
    path("assist/citizen/request/", assist.request_page, name="assist-request"),
    path("assist/terminals/", assist.terminals_page, name="assist-terminals"),
    path("assist/terminals/<int:session_id>/<str:action>/", assist.terminal_session, name="assist-terminal-session"),
    # The post-office manager's cyber-postes (bawaba.hybridmail.views_terminals).
    path("offices/terminals/", views_terminals.manage, name="terminals-manage"),
    path("offices/terminals/add/", views_terminals.add, name="terminals-add"),
    path("offices/terminals/<int:terminal_id>/retire/", views_terminals.retire, name="terminals-retire"),
    path("offices/terminals/sessions.csv", views_terminals.sessions_csv, name="terminals-csv"),
]
