import datetime as dt
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

from bawaba.servicedesk import services
from bawaba.servicedesk.models import EventKind, Notification
from bawaba.servicedesk.tasks import sweep_sla_breaches

ALGIERS = ZoneInfo("Africa/Algiers")
MONDAY_9AM = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ALGIERS)




def test_first_response_breach_raises_priority_and_mails_supervisors(
    make_request, at_supervisor, smtp_server, django_capture_on_commit_callbacks
):
    request = make_request(priority="normal", now=MONDAY_9AM)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.escalate_breaches(now=MONDAY_9AM + dt.timedelta(hours=5))
    assert count == 1
    request.refresh_from_db()
    assert request.priority == "high" and request.first_response_escalated_at is not None
    event = request.events.get(kind=EventKind.ESCALATED)
    assert event.data["deadlines"] == ["first_response"]
    assert Notification.objects.get(recipient=at_supervisor).request == request

    recipients, mail = smtp_server.messages[0]
    assert recipients == [at_supervisor.email]
    assert request.reference in str(make_header(decode_header(mail["Subject"])))


def test_each_supervisor_reads_the_notice_in_their_own_language(
    make_request, at_supervisor, smtp_server, django_capture_on_commit_callbacks
):
    from bawaba.accounts.models import User
    from bawaba.accounts.services import do_set_roles

    at_supervisor.preferred_language = "ar"
    at_supervisor.save(update_fields=["preferred_language"])
    french = User.objects.create_user("at.sup.fr", email="sup.fr@example.dz", organisation=at_supervisor.organisation)
    do_set_roles(french, ["desk.supervisor"])
    request = make_request(priority="normal", now=MONDAY_9AM)
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_breaches(now=MONDAY_9AM + dt.timedelta(hours=5))
    arabic_text = Notification.objects.get(recipient=at_supervisor).text
    french_text = Notification.objects.get(recipient=french).text
    assert request.reference in arabic_text and request.reference in french_text
    assert "target" not in arabic_text and any("\u0600" <= ch <= "\u06ff" for ch in arabic_text)
    assert "priorité" in french_text
    subjects = {tuple(to): str(make_header(decode_header(mail["Subject"]))) for to, mail in smtp_server.messages}
    assert subjects[(french.email,)].startswith("Délai dépassé")
    assert subjects[(at_supervisor.email,)] != subjects[(french.email,)]


def test_each_deadline_escalates_once(make_request, at_supervisor):
    make_request(priority="urgent", now=MONDAY_9AM)
    later = MONDAY_9AM + dt.timedelta(hours=1)
    assert services.escalate_breaches(now=later) == 1
    assert services.escalate_breaches(now=later) == 0
    # The resolution deadline (8 business hours) passes the next day: a second, separate escalation.
    assert services.escalate_breaches(now=MONDAY_9AM + dt.timedelta(days=1, hours=2)) == 1


def test_answered_requests_escalate_only_on_resolution(make_request, at_agent, at_supervisor):
    request = make_request(priority="normal", now=MONDAY_9AM)
    services.do_reply(request, "Bonjour, nous regardons.", actor=at_agent, now=MONDAY_9AM)
    assert services.escalate_breaches(now=MONDAY_9AM + dt.timedelta(hours=5)) == 0


def test_unreachable_mail_server_does_not_undo_the_escalation(
    make_request, at_supervisor, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    request = make_request(priority="normal", now=MONDAY_9AM)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_breaches(now=MONDAY_9AM + dt.timedelta(hours=5)) == 1
    request.refresh_from_db()
    assert request.priority == "high"


def test_the_periodic_worker_task_runs_the_sweep(make_request, at_supervisor):
    make_request(priority="urgent", now=MONDAY_9AM - dt.timedelta(days=7))
    assert sweep_sla_breaches.call_local() == 1
    assert sweep_sla_breaches.task_class().validate_datetime(dt.datetime(2026, 11, 23, 10, 17))  # every minute


def test_the_next_breach_is_the_earliest_deadline_a_sweep_would_still_act_on(make_request, at_supervisor):
    assert services.next_breach_at() is None  # nothing open
    request = make_request(priority="normal", now=MONDAY_9AM)
    first = services.next_breach_at()
    assert first == request.first_response_due_at < request.resolution_due_at
    assert services.escalate_breaches(now=first) == 0  # a deadline is breached only once passed
    assert services.escalate_breaches(now=first + dt.timedelta(seconds=1)) == 1
    request.refresh_from_db()
    # The first response is escalated: next comes the resolution deadline, moved by nothing since.
    assert services.next_breach_at() == request.resolution_due_at
    request.sla_paused_at = request.resolution_due_at
    request.save(update_fields=["sla_paused_at"])
    assert services.next_breach_at() is None  # a paused clock breaches nothing
