"""Dashboard reads: progress per wilaya and former wilaya, map, scorecards, visibility, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bawaba.deployments.field import progress as field_progress
from bawaba.deployments.field import selectors as field_selectors
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import WorkOrderState
from bawaba.deployments.tests.factories import SITE_ITEMS, good_report, make_site
from bawaba.deployments.work import selectors as work_selectors
from bawaba.deployments.work import setup as work_setup
from bawaba.geo.models import Region

pytestmark = pytest.mark.django_db


def complete(world, order):
    for code, quantity in SITE_ITEMS:
        field_services.do_submit_field_report(world.worker, order, **good_report(world, code, quantity,
                                                                                 work_order=order))


def test_progress_per_wilaya_before_each_reform_and_before_any_split(world):
    ouled_djellal = Region.objects.get(country="DZ", code="51")  # created in 2019 from Biskra (07)
    el_kantara = Region.objects.get(country="DZ", code="62")  # created in 2026 from Biskra (07)
    biskra = Region.objects.get(country="DZ", code="07")
    world.contract.wilayas.add(ouled_djellal, el_kantara, biskra)
    lat, lon = Decimal("34.4200"), Decimal("5.0700")
    for code, region in (("S-51", "51"), ("S-62", "62"), ("S-07", "07")):
        site = make_site(world.programme, code, kind="hospital", region_code=region, lat=lat, lon=lon)
        order = work_setup.do_create_work_order(world.contract, site, reference=f"WO-{code}", items=SITE_ITEMS)
        complete(world, order)
    complete(world, world.site_order)
    one_site = Decimal("5000") + Decimal("45000") + 3 * Decimal("12000")

    by_wilaya = {row.region.code: row for row in field_progress.programme_progress(world.programme)}
    assert set(by_wilaya) == {"07", "16", "51", "62"}
    assert [by_wilaya[code].sites_connected for code in ("51", "62", "07")] == [1, 1, 1]
    assert by_wilaya["16"].work_orders == 2 and by_wilaya["16"].completed == 1
    assert by_wilaya["51"].accepted_amount == one_site

    # Before the 2026 reform El Kantara was part of Biskra; Ouled Djellal already stood on its own.
    before_2026 = {row.region.code: row for row in field_progress.programme_progress(world.programme, by="before_2026")}
    assert set(before_2026) == {"07", "16", "51"}
    assert before_2026["07"].sites_connected == 2 and before_2026["07"].accepted_amount == 2 * one_site
    assert before_2026["51"].sites_connected == 1

    by_former = {row.region.code: row for row in field_progress.programme_progress(world.programme, by="former_wilaya")}
    assert set(by_former) == {"07", "16"}
    assert by_former["07"].sites_connected == 3 and by_former["07"].work_orders == 3
    assert sum(row.sites_connected for row in by_former.values()) == \
        sum(row.sites_connected for row in by_wilaya.values())

    with pytest.raises(ValueError):
        field_progress.programme_progress(world.programme, by="before_2020")

    totals = field_progress.programme_totals(world.programme)
    assert totals["sites_connected"] == 4 and totals["sites_connected_target"] == 10
    assert totals["sites_connected_share"] == pytest.approx(0.4)


def test_homes_are_passed_at_the_distribution_box_and_connected_at_activation(world):
    order = world.work_order  # a 12-home building
    for code, quantity in [("SRV-01", 1), ("GC-01", 20), ("CAB-01", 120), ("EPI-01", 4), ("PBO-01", 1)]:
        field_services.do_submit_field_report(world.worker, order, **good_report(world, code, quantity))
    totals = field_progress.programme_totals(world.programme)
    assert totals["homes_passed"] == 12 and totals["homes_connected"] == 0
    for code in ("DRP-01", "ONT-01", "ACT-01"):
        field_services.do_submit_field_report(world.worker, order, **good_report(world, code))
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED
    totals = field_progress.programme_totals(world.programme)
    assert totals["homes_passed"] == 12 and totals["homes_connected"] == 1


def test_site_geojson_reflects_progress(world):
    field_services.do_submit_field_report(world.worker, world.site_order,
                                    **good_report(world, "SITE-SRV", work_order=world.site_order))
    data = field_progress.site_geojson(world.programme)
    hospital = next(f for f in data["features"] if f["properties"]["code"] == "S-0002")
    assert hospital["properties"]["step"] == "connection"
    assert hospital["properties"]["progress"] == pytest.approx(1 / 3, abs=0.001)
    assert hospital["properties"]["state"] == "inProgress"
    assert data["properties"]["attribution"] == "© OpenStreetMap contributors"
    assert field_progress.site_geojson(world.programme, user=world.other_worker)["features"] == []


def test_scorecards_count_first_time_right_rework_and_delays(world):
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01"))
    field_services.do_submit_field_report(world.worker, world.work_order,
                                    **good_report(world, "GC-01", 20, ont_rx_power_dbm="-3", photos=0))
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "GC-01", 20))
    late_site = make_site(world.programme, "S-LATE", kind="court")
    late = work_setup.do_create_work_order(world.contract, late_site, reference="WO-LATE", items=SITE_ITEMS,
                                         due_on=dt.date(2020, 1, 1))
    complete(world, late)
    cards = {card.contractor.slug: card for card in field_selectors.scorecards(world.programme)}
    card = cards["fibre-co-1"]
    assert card.rework_count == 1
    # Work items decided: SRV-01 (right first time), GC-01 (rejected then accepted), 3 on WO-LATE (right first).
    assert card.decided_items == 5
    assert card.first_time_right_rate == pytest.approx(4 / 5)
    assert card.late_work_orders == 1 and card.mean_delay_days > 2000
    assert cards["fibre-co-2"].reported_items == 0 and cards["fibre-co-2"].first_time_right_rate is None


def test_work_orders_visibility_by_role(world):
    assert set(work_selectors.contractor_orders(world.worker).values_list("reference", flat=True)) == {"WO-0001",
                                                                                                  "WO-0002"}
    assert not work_selectors.contractor_orders(world.other_worker).exists()
    assert not work_selectors.contractor_orders(world.inspector).exists()  # not a contractor
    assert work_selectors.visible_work_orders(world.operator_agent).count() == 2
    assert work_selectors.programmes_of(world.other_worker).count() == 1  # has a contract in the programme


def test_inspector_queue_does_not_grow_queries_with_its_length(world):
    def add_doubtful(n):
        for _ in range(n):
            site = make_site(world.programme, f"Q-{field_selectors.pending_inspections(world.inspector).count()}")
            order = work_setup.do_create_work_order(world.contract, site, reference=f"WO-Q{site.code}",
                                                  items=SITE_ITEMS)
            field_services.do_submit_field_report(world.worker, order, **good_report(
                world, "SITE-SRV", work_order=order, latitude=str(site.latitude + Decimal("0.00063"))))

    def render_queue():
        with CaptureQueriesContext(connection) as queries:
            for item in field_selectors.pending_inspections(world.inspector):
                _ = (item.report.work_order.site.region.code, item.work_item.price_item.label,
                     item.report.contractor.name, [p.sha256 for p in item.report.photos.all()], item.reason_texts())
        return len(queries)

    add_doubtful(1)
    one = render_queue()
    add_doubtful(4)
    assert render_queue() == one


def test_each_activated_home_of_a_building_counts_as_connected(world):
    building = make_site(world.programme, "S-0100", kind="building", homes=3)
    order = work_setup.do_create_work_order(world.contract, building, reference="WO-0100",
                                          items=[("ACT-01", 3)])
    field_services.do_submit_field_report(world.worker, order, **good_report(world, "ACT-01", 2, work_order=order))
    assert field_progress.programme_totals(world.programme)["homes_connected"] == 2  # before the order is complete
    field_services.do_submit_field_report(world.worker, order, **good_report(world, "ACT-01", 1, work_order=order))
    assert field_progress.programme_totals(world.programme)["homes_connected"] == 3


def test_a_redo_that_activates_the_same_homes_again_does_not_count_them_twice(world):
    from django.db.models import Sum

    from bawaba.deployments.models import WorkItem

    building = make_site(world.programme, "S-0101", kind="building", homes=3)
    first = work_setup.do_create_work_order(world.contract, building, reference="WO-0101", items=[("ACT-01", 3)])
    field_services.do_submit_field_report(world.worker, first, **good_report(world, "ACT-01", 3, work_order=first))
    redo = work_setup.do_create_work_order(world.contract, building, reference="WO-0102", items=[("ACT-01", 2)])
    field_services.do_submit_field_report(world.worker, redo, **good_report(world, "ACT-01", 2, work_order=redo))
    accepted = WorkItem.objects.filter(work_order__site=building).aggregate(total=Sum("accepted_quantity"))
    assert accepted["total"] == 5
    by_wilaya = {row.region.code: row for row in field_progress.programme_progress(world.programme)}
    assert by_wilaya[building.region.code].homes_connected == 3  # 5 activations accepted, 3 homes in the building
    assert field_progress.programme_totals(world.programme)["homes_connected"] == 3


def test_a_site_counts_once_in_progress_however_many_work_orders_it_has(world, client):
    from bawaba.deployments.models import WorkOrder
    from bawaba.deployments.tests.factories import FTTH_ITEMS

    # A 12-home building (world.site) with a second FTTH order (extra drops); both past the distribution box.
    extra = work_setup.do_create_work_order(world.contract, world.site, reference="WO-0003", items=FTTH_ITEMS)
    # A hospital (world.site_order's site) connected, then reworked by a second SITE order, also completed.
    redo = work_setup.do_create_work_order(world.contract, world.site_order.site, reference="WO-0004",
                                         items=SITE_ITEMS)
    # The same in El Kantara (62, split from Biskra 07 in 2026): a 7-home building and a site, two orders each.
    building = make_site(world.programme, "S-62B", kind="building", region_code="62", homes=7)
    court = make_site(world.programme, "S-62C", kind="court", region_code="62")
    world.contract.wilayas.add(Region.objects.get(country="DZ", code="62"))
    orders = [work_setup.do_create_work_order(world.contract, site, reference=f"WO-62{i}{n}", items=items)
              for i, (site, items) in enumerate(((building, FTTH_ITEMS), (court, SITE_ITEMS))) for n in (1, 2)]
    passed = work_selectors.PASSED_AFTER_STEPS
    WorkOrder.objects.filter(pk__in=[world.work_order.pk, extra.pk, orders[0].pk, orders[1].pk]).update(
        steps_done=passed)
    WorkOrder.objects.filter(pk__in=[world.site_order.pk, redo.pk, orders[2].pk, orders[3].pk]).update(
        state=WorkOrderState.COMPLETED, steps_done=3)

    by_wilaya = {row.region.code: row for row in field_progress.programme_progress(world.programme)}
    assert (by_wilaya["16"].homes_passed, by_wilaya["16"].sites_connected) == (12, 1)
    assert (by_wilaya["62"].homes_passed, by_wilaya["62"].sites_connected) == (7, 1)
    assert by_wilaya["16"].work_orders == 4 and by_wilaya["16"].completed == 2  # orders still count per order
    for by, code in (("before_2026", "07"), ("former_wilaya", "07")):
        grouped = {row.region.code: row for row in field_progress.programme_progress(world.programme, by=by)}
        assert (grouped[code].homes_passed, grouped[code].sites_connected) == (7, 1), by
        assert (grouped["16"].homes_passed, grouped["16"].sites_connected) == (12, 1), by
    totals = field_progress.programme_totals(world.programme)
    assert totals["homes_passed"] == 19 and totals["sites_connected"] == 2

    client.force_login(world.billing_admin)  # an operator administrator: the API gives the same figures
    for by in ("wilaya", "before_2026", "former_wilaya"):
        api = client.get(f"/fibre/api/v1/programme/{world.programme.code}/progress?by={by}").json()
        assert sum(row["homesPassed"] for row in api) == 19 and sum(row["sitesConnected"] for row in api) == 2, by
    # The map shows each site once too.
    codes = [f["properties"]["code"] for f in field_progress.site_geojson(world.programme)["features"]]
    assert sorted(codes) == sorted({"S-0001", "S-0002", "S-62B", "S-62C"})


def test_progress_stays_a_few_queries_whatever_the_number_of_sites(world):
    def count():
        with CaptureQueriesContext(connection) as queries:
            field_progress.programme_progress(world.programme, by="before_2026")
        return len(queries)

    before = count()
    for n in range(5):
        site = make_site(world.programme, f"S-N{n}", kind="building", homes=3, region_code=("16", "09")[n % 2])
        work_setup.do_create_work_order(world.contract, site, reference=f"WO-N{n}", items=SITE_ITEMS)
    assert count() == before
