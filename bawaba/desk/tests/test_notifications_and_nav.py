import datetime as dt
import html as htmllib

from django.urls import reverse
from django.utils import timezone

from bawaba.servicedesk.models import Notification
from bawaba.servicedesk.services import escalate_breaches


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def test_sla_escalations_appear_in_notifications_and_can_be_marked_read(login, at_supervisor, make_request):
    req = make_request(priority="urgent", now=timezone.now() - dt.timedelta(days=10))
    assert escalate_breaches() == 1
    client = login(at_supervisor)
    page = text(client.get(reverse("desk:home")))
    assert '<span id="notification-count" class="badge urgent">1<' in page

    page = text(client.get(reverse("desk:notifications")))
    note = Notification.objects.get(recipient=at_supervisor)
    assert req.reference in page and f'data-notification="{note.pk}" data-read="false"' in page

    assert client.post(reverse("desk:notifications_read"), {"notification": note.pk}).status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    assert '<span id="notification-count" class="badge">0<' in text(client.get(reverse("desk:home")))


def test_mark_all_read_touches_only_own_notifications(login, at_agent, at_supervisor, make_request):
    req = make_request()
    now = timezone.now()
    mine = [Notification.objects.create(recipient=at_agent, request=req, text=f"n{i}", created_at=now)
            for i in range(3)]
    theirs = Notification.objects.create(recipient=at_supervisor, request=req, text="x", created_at=now)
    client = login(at_agent)
    # Someone else's notification id is ignored, not marked.
    client.post(reverse("desk:notifications_read"), {"notification": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(reverse("desk:notifications_read"), follow=True)
    assert "3 notifications marked as read." in text(response)
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_bad_notification_id_is_400(login, at_agent):
    assert login(at_agent).post(reverse("desk:notifications_read"), {"notification": "x"}).status_code == 400


def test_navigation_depends_on_role(login, at_agent, at_supervisor, at_admin):
    page = text(login(at_agent).get(reverse("desk:home")))
    assert 'id="nav-queue"' in page and 'id="nav-call"' in page and 'id="nav-notifications"' in page
    assert 'id="nav-dashboard"' not in page and 'id="nav-admin"' not in page
    assert f'action="{reverse("logout")}"' in page and 'id="logout"' in page
    page = text(login(at_supervisor).get(reverse("desk:home")))
    assert 'id="nav-dashboard"' in page and 'id="nav-admin"' not in page
    page = text(login(at_admin).get(reverse("desk:home")))
    assert 'id="nav-dashboard"' in page and 'id="nav-admin"' in page


def test_logout_is_a_post(login, at_agent, client):
    login(at_agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("desk:home")).status_code == 302


def test_desk_renders_right_to_left_in_arabic(login, at_agent, make_request):
    make_request()
    client = login(at_agent)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    page = text(client.get(reverse("desk:home")))
    assert '<html lang="ar" dir="rtl">' in page and "css/desk.css" in page


def test_desk_stylesheet_uses_logical_properties_only():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "desk.css").read_text()
    for physical in ("margin-left", "margin-right", "padding-left", "padding-right", "text-align:left",
                     "text-align:right", "float:left", "float:right", "border-left", "border-right",
                     "left:", "right:"):
        assert physical not in css.replace(" ", ""), physical


def test_user_without_organisation_is_refused(client, db, django_user_model):
    django_user_model.objects.create_user("lost", password="correct horse 42")
    client.post("/accounts/login/", {"username": "lost", "password": "correct horse 42"})
    assert client.get(reverse("desk:home")).status_code == 403
