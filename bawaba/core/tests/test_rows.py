"""Objects made from plain SQL rows (bawaba.core.rows) are the ones the ORM gives: every field's value and type,
on SQLite (dates as text, converted) and PostgreSQL alike; and the desk's reads built on them find what the ORM
finds."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bawaba.core import rows
from bawaba.knowledge.models import Article
from bawaba.notifications.models import OutboundMessage
from bawaba.servicedesk import selectors
from bawaba.servicedesk import services as sd
from bawaba.servicedesk.models import Notification, Request

pytestmark = pytest.mark.django_db


def read(model, pk, exclude=()):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        sql = f"SELECT {rows.columns(model, 't', exclude=exclude)} FROM {table} t WHERE t.id = %s"  # noqa: S608
        cursor.execute(sql, [pk])
        return rows.instance(model, cursor.fetchone(), exclude=exclude)


def same_values(made, expected, model, exclude=()):
    for field in model._meta.concrete_fields:
        if field.name in exclude:
            continue
        mine, theirs = getattr(made, field.attname), getattr(expected, field.attname)
        assert (mine, type(mine)) == (theirs, type(theirs)), field.name


def test_a_request_read_by_plain_sql_equals_the_orms(make_request, at_agent):
    req = make_request()
    sd.do_assign(req, at_agent, actor=at_agent)
    sd.do_reply(req, "Bonjour", actor=at_agent)  # dates set, a routing confidence (float), the assignee
    expected = Request.objects.get(pk=req.pk)
    made = read(Request, req.pk)
    same_values(made, expected, Request)
    assert made._state.adding is False and made._state.db == expected._state.db
    assert made.first_responded_at is not None and made.assignee_id == at_agent.pk


def test_a_request_locked_by_plain_sql_equals_the_orms(make_request):
    req = make_request()
    with transaction.atomic():
        same_values(sd._locked(req, None), Request.objects.get(pk=req.pk), Request)
    with transaction.atomic(), pytest.raises(Request.DoesNotExist):
        sd._locked_row(req.pk + 1000)


def test_excluded_columns_are_deferred_not_lost(orgs):
    article = Article.objects.create(organisation=orgs["algerie-telecom"], language="fr", title="Facture",
                                     summary="Payer sa facture", body="Texte", is_published=True)
    made = read(Article, article.pk, exclude=("search_vector",))
    same_values(made, Article.objects.get(pk=article.pk), Article, exclude=("search_vector",))
    assert "search_vector" in made.get_deferred_fields()


def test_the_outbox_and_unread_count_reads_match_the_orms(make_request, at_agent, at_supervisor):
    req = make_request(citizen_email="citoyen@example.org")
    sd.do_reply(req, "Bonjour", actor=at_agent)  # an SMS and an e-mail to the citizen
    sd.do_reply(req, "Encore", actor=at_agent)
    expected = list(OutboundMessage.objects.filter(topic="servicedesk.request", reference=req.reference)
                    .order_by("-created_at", "-id"))
    found = selectors_messages(req.reference)
    assert [m.pk for m in found] == [m.pk for m in expected] and found
    for made, theirs in zip(found, expected, strict=True):
        same_values(made, theirs, OutboundMessage)
    assert selectors.unread_notification_count(at_supervisor.pk) == 0
    now = timezone.now()
    notes = [Notification.objects.create(recipient=at_supervisor, request=req, text=f"n{i}", created_at=now)
             for i in range(3)]
    assert selectors.unread_notification_count(at_supervisor.pk) == 3
    sd.do_mark_notifications_read(at_supervisor, [notes[0].pk])
    assert selectors.unread_notification_count(at_supervisor.pk) == 2


def selectors_messages(reference):
    from bawaba.notifications.selectors import messages_about

    return messages_about("servicedesk.request", reference)
