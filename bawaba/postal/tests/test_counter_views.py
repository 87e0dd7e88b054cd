"""The counter and network pages: the flow a clerk follows, bad input, and who may open what."""

import io

import pytest
from django.urls import reverse

from bawaba.postal.models import Item, S10Range


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def form_data(network, **changes):
    commune = network["delivery"].commune
    data = {"product": "registered", "weight_g": "80", "declared_value": "", "payment_method": "cash",
            "sender_name": "Samir Ouali", "sender_phone": "0550123456", "sender_address": "",
            "recipient_name": "Nadia Belkacem", "recipient_phone": "0661234567",
            "recipient_street": "12 rue Didouche Mourad", "recipient_postcode": commune.postal_code,
            "recipient_commune": "", "token": "t-1", "action": "quote"}
    data.update(changes)
    return data


def test_enter_shows_the_price_then_enter_accepts_and_offers_label_and_receipt(clerk_client, network, ranges):
    url = reverse("postal:counter")
    page = clerk_client.get(url)
    assert page.status_code == 200 and b'autofocus' in page.content
    quoted = clerk_client.post(url, form_data(network))
    assert quoted.status_code == 200 and not Item.objects.exists()
    assert "180,00" in quoted.content.decode() and 'id="confirm"' in quoted.content.decode()
    done = clerk_client.post(url, form_data(network, action="confirm", quoted_price="180.00"))
    item = Item.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"?done={item.pk}")
    page = clerk_client.get(done["Location"]).content.decode()
    assert item.number in page and reverse("postal:counter_label", args=[item.pk]) in page
    assert clerk_client.get(reverse("postal:counter_label", args=[item.pk]))["Content-Type"] == "application/pdf"
    receipt = clerk_client.get(reverse("postal:counter_receipt", args=[item.pk]))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_the_same_confirmation_sent_twice_accepts_one_item(clerk_client, network, ranges):
    data = form_data(network, action="confirm", quoted_price="180.00")
    first = clerk_client.post(reverse("postal:counter"), data)
    second = clerk_client.post(reverse("postal:counter"), data)
    assert Item.objects.count() == 1 and first["Location"] == second["Location"]


def test_a_changed_price_is_shown_again_before_accepting(clerk_client, network, ranges):
    response = clerk_client.post(reverse("postal:counter"),
                                 form_data(network, action="confirm", quoted_price="120.00"))
    assert response.status_code == 200 and not Item.objects.exists()
    assert 'value="180.00"' in response.content.decode()


def test_a_wrong_postcode_is_a_400_naming_the_field_and_spends_no_number(clerk_client, network, ranges):
    before = list(S10Range.objects.values_list("next_serial", flat=True))
    response = clerk_client.post(reverse("postal:counter"), form_data(network, recipient_postcode="31000",
                                                                      recipient_commune=network["delivery"].commune.pk,
                                                                      action="confirm"))
    assert response.status_code == 400 and not Item.objects.exists()
    assert "is not the postcode of" in response.content.decode()
    assert list(S10Range.objects.values_list("next_serial", flat=True)) == before


def test_the_counter_page_speaks_arabic_right_to_left(clerk_client, network):
    clerk_client.cookies["django_language"] = "ar"
    response = clerk_client.get(reverse("postal:counter"))
    assert 'dir="rtl"' in response.content.decode()


def test_only_clerks_posted_at_an_office_open_the_counter(client, supervisor, postman, network):
    assert client.get(reverse("postal:counter")).status_code == 302  # sign in first
    for user in (supervisor, postman):
        client.force_login(user)
        assert client.get(reverse("postal:counter")).status_code == 403


def test_another_posts_or_another_offices_items_answer_404(client, clerk, make_item, network, sopeco):
    from bawaba.postal.tests.conftest import _postal_staff

    item = make_item()
    other_office_item = make_item(accepted_office=network["oran_delivery"])
    client.force_login(clerk)
    assert client.get(reverse("postal:counter_label", args=[item.pk])).status_code == 200
    assert client.get(reverse("postal:counter_label", args=[other_office_item.pk])).status_code == 404
    from bawaba.postal.models import Office, OfficeKind

    office = Office.objects.create(organisation=sopeco, code="BZV", name_fr="Brazzaville",
                                   kind=OfficeKind.POST_OFFICE, region_id=network["counter"].region_id)
    stranger = _postal_staff(sopeco, "sopeco.clerk", ["postal.clerk"], office=office)
    client.force_login(stranger)
    assert client.get(reverse("postal:counter_receipt", args=[item.pk])).status_code == 404


def test_supervisors_see_and_import_the_network_clerks_do_not(client, supervisor, clerk, network):
    client.force_login(clerk)
    assert client.get(reverse("postal:offices")).status_code == 403
    client.force_login(supervisor)
    page = client.get(reverse("postal:offices"), {"kind": "delivery_office"}).content.decode()
    assert "16001-DIST" in page and "31000-DIST" not in page  # region supervisor: Alger only
    export = client.get(reverse("postal:offices_export")).content.decode("utf-8-sig")
    assert export.startswith("code;kind;") and "16001-DIST" in export and "31000-DIST" not in export
    upload = io.BytesIO(b"code;kind;name_fr;region\n16999;post_office;Bab El Oued;16\n")
    upload.name = "n.csv"
    response = client.post(reverse("postal:offices_import"), {"file": upload})
    assert response.status_code == 302
    bad = io.BytesIO(b"code;kind;name_fr;region\n31999;post_office;Oran Est;31\n")
    bad.name = "n.csv"
    response = client.post(reverse("postal:offices_import"), {"file": bad})
    assert response.status_code == 400
    assert "You may import offices of your own region only." in response.content.decode()
    binary = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    binary.name = "n.csv"
    assert client.post(reverse("postal:offices_import"), {"file": binary}).status_code == 400


@pytest.mark.parametrize("language, expected", [
    ("fr", "n'est pas le code postal de"), ("ar", "ليس الرمز البريدي لبلدية")])
def test_a_wrong_postcode_is_explained_in_the_clerks_language(clerk_client, network, ranges, language, expected):
    clerk_client.cookies["django_language"] = language
    response = clerk_client.post(reverse("postal:counter"), form_data(
        network, recipient_postcode="31000", recipient_commune=network["delivery"].commune.pk))
    assert response.status_code == 400
    assert expected in response.content.decode().replace("&#x27;", "'")


def test_a_congolese_counter_asks_for_quartier_bp_landmark_and_prices_in_fcfa(client, sopeco):
    import datetime as dt
    from decimal import Decimal

    from bawaba.geo.models import Region
    from bawaba.postal.models import Office, OfficeKind, Product, TariffLine, TariffVersion
    from bawaba.postal.numbering import do_create_range
    from bawaba.postal.tests.conftest import _postal_staff

    bzv = Region.objects.get(country="CG", code="CG-BZV")
    office = Office.objects.create(organisation=sopeco, code="BZV-RP", name_fr="Brazzaville RP",
                                   kind=OfficeKind.POST_OFFICE, region=bzv)
    product = Product.objects.create(organisation=sopeco, code="registered", indicator="RR", name_fr="Recommandé")
    tariff = TariffVersion.objects.create(organisation=sopeco, label="Tarif", valid_from=dt.date(2000, 1, 1),
                                          currency="XAF")
    TariffLine.objects.create(version=tariff, product=product, max_weight_g=2000, price=Decimal("1500"))
    do_create_range(product, first=1, last=10, office=office)
    client.force_login(_postal_staff(sopeco, "sopeco.clerk", ["postal.clerk"], office=office))
    page = client.get(reverse("postal:counter")).content.decode()
    assert 'id="id_recipient_quartier"' in page and 'id="id_recipient_postcode"' not in page
    quoted = client.post(reverse("postal:counter"), {
        "product": "registered", "weight_g": "40", "payment_method": "cash", "sender_name": "Grâce Mabiala",
        "recipient_name": "Junior Nkounkou", "recipient_phone": "06 612 3456", "recipient_region": bzv.pk,
        "recipient_quartier": "Moungali", "recipient_landmark": "près du marché", "action": "quote"})
    assert quoted.status_code == 200 and "1\xa0500,00\xa0FCFA" in quoted.content.decode()


def test_the_network_and_counter_pages_cost_the_same_queries_however_many_offices(client, supervisor, clerk,
                                                                                  network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bawaba.postal.models import Office

    def count(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = (count(supervisor, reverse("postal:offices")), count(clerk, reverse("postal:counter")))
    for n in range(30):
        Office.objects.create(organisation=network["counter"].organisation, code=f"16{n:03d}-X", name_fr=f"B{n}",
                              kind="post_office", region=network["counter"].region, parent=network["sorting"],
                              commune=network["counter"].commune)
    assert (count(supervisor, reverse("postal:offices")), count(clerk, reverse("postal:counter"))) == before
