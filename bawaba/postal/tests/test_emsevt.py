"""EMSEVT-style exchange: export a post's international events, import a partner's file whole or not at all."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from bawaba.postal import emsevt
from bawaba.postal.models import TrackingEvent
from bawaba.postal.tracking import EventInput, EventsRefused, record_events

pytestmark = pytest.mark.django_db


def test_an_export_reads_back_as_the_same_events(poste, make_item, network, tmp_path):
    outbound = make_item(destination_country="FR")
    domestic = make_item()
    now = timezone.now()
    record_events(poste, [EventInput(outbound.number, "EMA", now - dt.timedelta(hours=30), "16001"),
                          EventInput(outbound.number, "EMC", now - dt.timedelta(hours=10), "DZALGA",
                                     details={"next_office": "FRCDGA"}),
                          EventInput(domestic.number, "EMA", now - dt.timedelta(hours=9), "16001")])
    out = io.StringIO()
    call_command("postal", "emsevt-export", "--organisation", "algerie-poste", "--since",
                 (now - dt.timedelta(days=1)).isoformat(), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1] == "|".join(emsevt.FIELDS) and len(lines) == 4
    assert lines[3].startswith(f"{outbound.number}|EMC|") and "|DZALGA|FRCDGA|" in lines[3]
    assert domestic.number not in out.getvalue()
    inputs, errors = emsevt.read(lines)
    assert not errors and [(e.code, e.occurred_at) for _, e in inputs] == [
        (e.code, e.occurred_at.replace(microsecond=0)) for e in TrackingEvent.objects.filter(item=outbound)
        .order_by("recorded_at", "id")]


def test_a_partners_file_is_recorded_with_its_own_office_and_reason_codes(poste, make_item, network, tmp_path):
    inbound = make_item(origin_country="FR", delivery="delivery")
    when = timezone.localtime(timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    path = tmp_path / "from-la-poste.txt"
    path.write_text(
        "reason_code|item_id|event_code|event_time|office\n"
        f"|{inbound.number}|EMC|{(when - dt.timedelta(hours=5)).isoformat()}|FRCDGA\n"
        f"|{inbound.number}|EMD|{when.isoformat()}|DZALGA\n"
        f"X9|{inbound.number}|EMH|{(when + dt.timedelta(hours=3)).isoformat()}|16001-DIST\n", encoding="utf-8")
    out = io.StringIO()
    call_command("postal", "emsevt-import", "--organisation", "algerie-poste", str(path), stdout=out)
    assert "3 events recorded" in out.getvalue()
    events = {e.code: e for e in TrackingEvent.objects.filter(item=inbound)}
    assert events["EMC"].office_id is None and events["EMC"].office_code == "FRCDGA"
    assert events["EMD"].office == network["exchange"] and events["EMH"].reason_code == "X9"
    assert {e.source for e in events.values()} == {"partner"}
    call_command("postal", "emsevt-import", "--organisation", "algerie-poste", str(path), stdout=out)
    assert TrackingEvent.objects.filter(item=inbound).count() == 3  # the same file twice: nothing new


def test_a_faulty_partner_file_is_refused_whole_with_its_lines(poste, make_item):
    item = make_item(origin_country="FR")
    when = timezone.now().replace(microsecond=0)
    lines = ["item_id|event_code|event_time|office",
             f"{item.number}|EMC|{(when - dt.timedelta(hours=5)).isoformat()}|FRCDGA",
             f"{item.number}|EMD|2026-03-01 10:00|DZALGA",
             f"RR473124829CG|EMD|{when.isoformat()}|DZALGA",
             f"{item.number}|ZZZ|{when.isoformat()}|DZALGA"]
    with translation.override("en"), pytest.raises(EventsRefused) as refused:
        emsevt.do_import(poste, lines)
    assert [(e.row, e.code) for e in refused.value.errors] == [(3, "bad_time"), (4, "unknown_item"),
                                                               (5, "unknown_code")]
    assert not TrackingEvent.objects.exists()
    with pytest.raises(EventsRefused) as refused:
        emsevt.do_import(poste, ["number|code\n", "x|y\n"])
    assert refused.value.errors[0].code == "bad_header"
