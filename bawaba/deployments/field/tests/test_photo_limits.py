"""Evidence photos are decoded with the platform's pixel limit: a decompression bomb or a truncated JPEG is
refused with a translated 4xx on the field report page and in the API, and nothing is stored."""

from django.core.files.uploadedfile import SimpleUploadedFile

from bawaba.core.tests.test_uploads import png_bomb, truncated_jpeg
from bawaba.deployments.models import FieldReport
from bawaba.deployments.tests.factories import make_photo
from bawaba.deployments.tests.test_api import BASE, report_form


def bomb():
    return SimpleUploadedFile("ont.png", png_bomb(), content_type="image/png")


def broken():
    return SimpleUploadedFile("ont.jpg", truncated_jpeg(), content_type="image/jpeg")


def test_the_api_refuses_a_decompression_bomb_with_422(world, as_user):
    response = as_user(world.worker).post(f"{BASE}/workOrder/WO-0001/report",
                                          {**report_form(world), "photos": [make_photo(), bomb()]},
                                          headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert any("megapixels" in message for message in response.json()["errors"]["photos"])
    assert not FieldReport.objects.exists()


def test_the_api_refuses_a_truncated_jpeg_in_french(world, as_user):
    response = as_user(world.worker).post(f"{BASE}/workOrder/WO-0001/report",
                                          {**report_form(world), "photos": [broken(), make_photo()]},
                                          headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    assert any("endommagé" in message for message in response.json()["errors"]["photos"])
    assert not FieldReport.objects.exists()


def test_the_report_page_refuses_a_bomb_with_400(world, as_user):
    from bawaba.deployments.tests.test_views import html, no_js_form

    response = as_user(world.worker).post(f"/fibre/orders/{world.work_order.pk}/report/",
                                          no_js_form(world, photos=[bomb()]), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert 'id="photo-errors"' in html(response) and "megapixels" in html(response)
    assert not FieldReport.objects.exists()
