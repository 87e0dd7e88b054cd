"""The acceptance rules engine: pure functions, tested at the edges of each window."""

import datetime as dt

import pytest
from django.utils import translation

from bawaba.deployments.common import rules as common_rules
from bawaba.deployments.common.rules import ACCEPTED, DOUBTFUL, REJECTED, Evidence, PhotoEvidence, Requirements

SITE = (36.7753, 3.0597)
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def evidence(**overrides) -> Evidence:
    values = {
        "requirements": Requirements(min_photos=1, requires_position=True, requires_ont_serial=True,
                                     checks_rx_power=True, checks_link_loss=True, checks_splice_loss=True),
        "site_latitude": SITE[0], "site_longitude": SITE[1],
        "latitude": SITE[0], "longitude": SITE[1], "gps_accuracy_m": 5.0,
        "ont_serial": "HWTC1A2B3C4D", "ont_rx_power_dbm": -20.0, "link_loss_db": 20.0,
        "splice_losses_db": (0.02, 0.05), "photos": (PhotoEvidence(taken_at=NOW - dt.timedelta(hours=1)),),
        "reported_at": NOW,
    }
    values.update(overrides)
    return Evidence(**values)


def codes(decision):
    return [r["code"] for r in decision.reasons]


def test_complete_evidence_is_accepted():
    decision = common_rules.evaluate(evidence())
    assert decision.outcome == ACCEPTED
    assert decision.reasons == []


@pytest.mark.parametrize(("rx", "outcome"), [
    (-8.0, ACCEPTED), (-27.0, ACCEPTED), (-7.99, REJECTED), (-27.01, REJECTED), (-17.5, ACCEPTED), (-3.0, REJECTED),
])
def test_rx_power_window_is_inclusive_class_b_plus(rx, outcome):
    decision = common_rules.evaluate(evidence(ont_rx_power_dbm=rx))
    assert decision.outcome == outcome
    if outcome == REJECTED:
        assert codes(decision) == ["rx_power_out_of_window"]


@pytest.mark.parametrize(("loss", "outcome"), [
    (13.0, ACCEPTED), (28.0, ACCEPTED), (12.99, REJECTED), (28.01, REJECTED),
])
def test_link_loss_budget(loss, outcome):
    assert common_rules.evaluate(evidence(link_loss_db=loss)).outcome == outcome


@pytest.mark.parametrize(("splices", "outcome"), [
    ((0.1,), ACCEPTED), ((0.0, 0.1, 0.05), ACCEPTED), ((0.101,), REJECTED), ((0.02, 0.3, 0.12), REJECTED),
])
def test_splice_loss_two_way_average(splices, outcome):
    decision = common_rules.evaluate(evidence(splice_losses_db=splices))
    assert decision.outcome == outcome


def test_splice_reason_names_the_worst_splice_and_count():
    decision = common_rules.evaluate(evidence(splice_losses_db=(0.02, 0.3, 0.12)))
    reason = decision.reasons[0]
    assert reason["code"] == "splice_loss_too_high"
    assert reason["params"]["count"] == 2 and reason["params"]["splice"] == 2


def offset_north(metres):
    # One degree of latitude is ~111.2 km.
    return SITE[0] + metres / 111_195.0


@pytest.mark.parametrize(("metres", "outcome"), [
    (0, ACCEPTED), (49.5, ACCEPTED), (51, DOUBTFUL), (99, DOUBTFUL), (101, REJECTED), (5000, REJECTED),
])
def test_position_tolerance_then_doubt_then_rejection(metres, outcome):
    decision = common_rules.evaluate(evidence(latitude=offset_north(metres)))
    assert decision.outcome == outcome


def test_tolerance_comes_from_the_rule_set_version():
    params = common_rules.merged_params({"position_tolerance_m": 200})
    assert common_rules.evaluate(evidence(latitude=offset_north(150)), params).outcome == ACCEPTED
    assert common_rules.evaluate(evidence(latitude=offset_north(150))).outcome == REJECTED


def test_haversine_matches_a_known_distance():
    # Algiers Grande Poste to Oran city hall is about 355 km in a straight line.
    assert 350_000 < common_rules.haversine_m(36.7753, 3.0597, 35.6987, -0.6349) < 360_000


@pytest.mark.parametrize("missing", ["photos", "position", "ont_serial", "rx", "link", "splice"])
def test_missing_evidence_is_rejected(missing):
    overrides = {
        "photos": {"photos": ()}, "position": {"latitude": None, "longitude": None},
        "ont_serial": {"ont_serial": ""}, "rx": {"ont_rx_power_dbm": None}, "link": {"link_loss_db": None},
        "splice": {"splice_losses_db": ()},
    }[missing]
    decision = common_rules.evaluate(evidence(**overrides))
    assert decision.outcome == REJECTED
    assert len(decision.reasons) == 1


def test_items_that_need_no_measurement_ignore_them():
    decision = common_rules.evaluate(evidence(requirements=Requirements(min_photos=1), ont_rx_power_dbm=None,
                                       link_loss_db=None, splice_losses_db=(), ont_serial=""))
    assert decision.outcome == ACCEPTED


def test_reused_photo_and_serial_are_rejected_with_both_reasons():
    decision = common_rules.evaluate(evidence(photos=(PhotoEvidence(reused=True),), ont_serial_used_elsewhere=True))
    assert decision.outcome == REJECTED
    assert set(codes(decision)) == {"photo_reused", "ont_serial_reused"}


def test_imprecise_gps_and_old_or_distant_photos_are_doubtful():
    assert common_rules.evaluate(evidence(gps_accuracy_m=45)).outcome == DOUBTFUL
    old = PhotoEvidence(taken_at=NOW - dt.timedelta(days=8))
    assert codes(common_rules.evaluate(evidence(photos=(old,)))) == ["photo_old"]
    far = PhotoEvidence(latitude=offset_north(500), longitude=SITE[1])
    assert codes(common_rules.evaluate(evidence(photos=(far,)))) == ["photo_far_from_site"]


def test_a_rejection_keeps_the_doubts_as_extra_reasons():
    decision = common_rules.evaluate(evidence(ont_rx_power_dbm=-30.0, gps_accuracy_m=45))
    assert decision.outcome == REJECTED
    assert codes(decision) == ["rx_power_out_of_window", "gps_imprecise"]


def test_reasons_read_in_the_user_language():
    decision = common_rules.evaluate(evidence(ont_rx_power_dbm=-30.0))
    with translation.override("en"):
        assert decision.texts == ["ONT receive power -30 dBm is outside -27 to -8 dBm (GPON class B+)."]


def test_unknown_reason_codes_from_newer_rule_sets_are_shown_as_is():
    assert common_rules.reason_text("future_rule", {}) == "future_rule"


@pytest.mark.parametrize(("ahead_s", "outcome"), [
    (None, ACCEPTED), (0, ACCEPTED), (600, ACCEPTED), (601, DOUBTFUL), (3 * 86400, DOUBTFUL),
])
def test_a_device_clock_ahead_of_the_server_sends_the_item_to_an_inspector(ahead_s, outcome):
    decision = common_rules.evaluate(evidence(device_clock_ahead_s=ahead_s))
    assert decision.outcome == outcome
    if outcome == DOUBTFUL:
        assert decision.reasons == [{"code": "device_clock_ahead",
                                     "params": {"minutes": ahead_s // 60, "limit": 10}}]


def test_device_clock_tolerance_comes_from_the_rule_set_and_reads_in_the_user_language():
    params = common_rules.merged_params({"device_clock_ahead_max_min": 60})
    assert common_rules.evaluate(evidence(device_clock_ahead_s=45 * 60), params).outcome == ACCEPTED
    decision = common_rules.evaluate(evidence(device_clock_ahead_s=95 * 60, ont_rx_power_dbm=-30.0), params)
    assert decision.outcome == REJECTED and codes(decision) == ["rx_power_out_of_window", "device_clock_ahead"]
    with translation.override("en"):
        assert decision.texts[1] == ("The device clock was 95 min ahead of the server (limit 60 min): the times of "
                                     "the report and of its photos cannot be trusted.")


def test_a_required_position_without_its_gps_accuracy_goes_to_an_inspector():
    # A position typed by hand, or copied from the planned site the API publishes, carries no accuracy.
    decision = common_rules.evaluate(evidence(gps_accuracy_m=None))
    assert decision.outcome == DOUBTFUL
    assert decision.reasons == [{"code": "gps_accuracy_missing", "params": {}}]
    with translation.override("en"):
        assert decision.texts == ["The GPS position was sent without its accuracy (typed rather than measured?), so "
                                  "it cannot prove where the work was done."]


def test_a_missing_accuracy_is_a_doubt_kept_beside_a_rejection_but_not_beside_a_missing_position():
    decision = common_rules.evaluate(evidence(gps_accuracy_m=None, ont_rx_power_dbm=-30.0))
    assert decision.outcome == REJECTED and codes(decision) == ["rx_power_out_of_window", "gps_accuracy_missing"]
    decision = common_rules.evaluate(evidence(gps_accuracy_m=None, latitude=None, longitude=None))
    assert codes(decision) == ["position_missing"]


def test_items_that_need_no_position_need_no_accuracy():
    requirements = Requirements(min_photos=1, requires_position=False)
    assert common_rules.evaluate(evidence(requirements=requirements, gps_accuracy_m=None)).outcome == ACCEPTED
    assert common_rules.evaluate(evidence(requirements=requirements, gps_accuracy_m=None, latitude=None,
                                   longitude=None)).outcome == ACCEPTED


def test_the_accuracy_requirement_is_a_rule_set_parameter():
    assert common_rules.DEFAULT_PARAMS["gps_accuracy_required"] == 1.0
    # A rule set published before the parameter existed (its snapshot lacks the key) gets the check.
    older = {key: value for key, value in common_rules.DEFAULT_PARAMS.items() if key != "gps_accuracy_required"}
    assert common_rules.evaluate(evidence(gps_accuracy_m=None), common_rules.merged_params(older)).outcome == DOUBTFUL
    # A version published without it judges the position on its distance alone.
    params = common_rules.merged_params({"gps_accuracy_required": 0})
    assert common_rules.evaluate(evidence(gps_accuracy_m=None), params).outcome == ACCEPTED
    assert common_rules.evaluate(evidence(gps_accuracy_m=None, latitude=offset_north(70)), params).outcome == DOUBTFUL
