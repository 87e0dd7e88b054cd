"""Published rule sets and price items never change once work was decided or billed with them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import PriceItem, RuleSet
from bawaba.deployments.tests.factories import accepted_line, good_report

pytestmark = pytest.mark.django_db


def decided_rule_set(world) -> RuleSet:
    item = field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01")) \
        .report.items.get()
    return item.rule_set


def test_a_rule_set_that_decided_work_cannot_change_its_thresholds(world):
    rule_set = decided_rule_set(world)
    rule_set.params = {**rule_set.params, "rx_power_min_dbm": -30.0}
    with translation.override("en"):
        with pytest.raises(ValidationError) as cleaned:
            rule_set.full_clean()
        assert cleaned.value.messages == [
            "Rule set gpon-class-b-plus v1 has already been used to decide reported work: publish a new version "
            "instead of editing it."]
        with pytest.raises(ValidationError):
            rule_set.save()
    assert RuleSet.objects.get(pk=rule_set.pk).params["rx_power_min_dbm"] == -27.0


def test_a_used_rule_set_keeps_its_description_editable_and_a_new_version_can_be_published(world):
    rule_set = decided_rule_set(world)
    rule_set.description = "GPON class B+, 50 m tolerance (ITU-T G.984.2)"
    rule_set.full_clean()
    rule_set.save()
    newer = RuleSet.objects.create(code=rule_set.code, version=2, params={"rx_power_min_dbm": -28.0})
    newer.params = {"rx_power_min_dbm": -28.5}  # not used yet: still being prepared
    newer.full_clean()
    newer.save()
    assert RuleSet.objects.get(pk=newer.pk).params == {"rx_power_min_dbm": -28.5}


def test_saving_a_used_rule_set_unchanged_is_not_an_edit(world):
    rule_set = RuleSet.objects.get(pk=decided_rule_set(world).pk)
    rule_set.full_clean()
    rule_set.save()


def test_a_billed_price_item_cannot_change_its_price_or_its_printed_label(world):
    line = accepted_line(world, "GC-01", 10, dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC))
    price_item = PriceItem.objects.get(pk=line.price_item_id)
    for field, value in (("unit_price", Decimal("1300.00")), ("label_fr", "Tranchée"), ("min_photos", 0)):
        edited = PriceItem.objects.get(pk=price_item.pk)
        setattr(edited, field, value)
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            edited.full_clean()
        assert "Price item GC-01 has already been used for reported or billed work" in caught.value.messages[0]
        with pytest.raises(ValidationError):
            edited.save()
    assert PriceItem.objects.get(pk=price_item.pk).unit_price == Decimal("1200.00")


def test_a_price_item_reported_but_not_yet_accepted_is_frozen_too(world):
    far = good_report(world, "ONT-01", latitude=str(world.site.latitude + Decimal("0.00063")))
    assert field_services.do_submit_field_report(world.worker, world.work_order, **far).report.items.get().decision \
        == "doubtful"
    price_item = world.item("ONT-01").price_item
    price_item.unit_price = Decimal("1")
    with pytest.raises(ValidationError):
        price_item.save()


def test_a_bulk_update_cannot_change_a_used_price_or_threshold_either(world):
    far = good_report(world, "ONT-01", latitude=str(world.site.latitude + Decimal("0.00063")))
    field_services.do_submit_field_report(world.worker, world.work_order, **far)
    used = world.item("ONT-01").price_item
    unused = world.item("ACT-01").price_item
    with pytest.raises(ValidationError):
        PriceItem.objects.filter(pk__in=[used.pk, unused.pk]).update(unit_price=Decimal("1"))
    assert PriceItem.objects.get(pk=unused.pk).unit_price == unused.unit_price  # nothing written
    PriceItem.objects.filter(pk=unused.pk).update(unit_price=Decimal("2100.00"))  # not used yet: allowed
    assert PriceItem.objects.get(pk=unused.pk).unit_price == Decimal("2100.00")
    rule_set = decided_rule_set(world)
    with pytest.raises(ValidationError):
        RuleSet.objects.filter(pk=rule_set.pk).update(params={"rx_power_min_dbm": -35})
    RuleSet.objects.filter(pk=rule_set.pk).update(description="Seuils GPON B+")  # not a frozen field


def test_a_price_item_nobody_reported_can_still_be_corrected(world):
    price_item = world.item("ACT-01").price_item
    price_item.unit_price = Decimal("2100.00")
    price_item.full_clean()
    price_item.save()
    assert PriceItem.objects.get(pk=price_item.pk).unit_price == Decimal("2100.00")


def test_the_admin_shows_the_refusal_on_the_form(client, world, platform_admin):
    rule_set = decided_rule_set(world)
    platform_admin.is_superuser = True  # the fibre admin pages use Django's model permissions
    platform_admin.save(update_fields=["is_superuser"])
    client.force_login(platform_admin)
    response = client.post(reverse("admin:deployments_ruleset_change", args=[rule_set.pk]), {
        "code": rule_set.code, "version": rule_set.version, "description": rule_set.description,
        "params": '{"rx_power_min_dbm": -35}',
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert [e.code for e in errors.as_data()["__all__"]] == ["published_version_in_use"]
    assert escape(errors["__all__"][0]) in response.content.decode()
    assert RuleSet.objects.get(pk=rule_set.pk).params["rx_power_min_dbm"] == -27.0
