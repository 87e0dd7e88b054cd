"""`bawaba evidence verify <file>` and the public verification page."""

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from bawaba.cli import main
from bawaba.evidence import services

from .helpers import FLOW, bundle, record_flow, tampered

pytestmark = pytest.mark.django_db


@pytest.fixture
def proof_pdf():
    record_flow("letter:A", FLOW[:3])
    services.stamp_pending()
    return services.proof_for("letter:A", language="ar")


def test_cli_verifies_a_proof_pdf(proof_pdf, tmp_path, capsys):
    path = tmp_path / "proof.pdf"
    path.write_bytes(proof_pdf)
    assert main(["bawaba", "evidence", "verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "VALID" in out and "#3 ConsignmentNotification" in out


def test_cli_reports_exactly_what_failed(proof_pdf, tmp_path, capsys):
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(tampered(bundle("letter:A"), lambda b: b["records"][1]["body"].update(event="X"))))
    with pytest.raises(SystemExit) as exit_:
        main(["bawaba", "evidence", "verify", str(path)])
    assert exit_.value.code == 2
    out = capsys.readouterr().out
    assert "FAILED [hash] Record #2 was altered" in out and out.strip().endswith("INVALID")


def test_cli_missing_or_unreadable_file_is_one_line_error(tmp_path, capsys):
    assert main(["bawaba", "evidence", "verify", str(tmp_path / "nothing.pdf")]) == 1
    assert capsys.readouterr().err.startswith("bawaba: error:")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(SystemExit):
        main(["bawaba", "evidence", "verify", str(junk)])
    assert "FAILED [format]" in capsys.readouterr().out


def test_cli_writes_a_proof_and_audits(proof_pdf, tmp_path, capsys):
    # call_command: `bawaba` (run_from_argv) closes the database connection when a command ends
    target = tmp_path / "letter-a.pdf"
    call_command("evidence", "proof", "letter:A", "-o", str(target), "--language", "fr")
    assert target.read_bytes().startswith(b"%PDF-")
    call_command("evidence", "audit")
    assert "log sound" in capsys.readouterr().out


def _post(client, name, data, content_type="application/octet-stream"):
    return client.post(reverse("evidence:verify"), {"proof": SimpleUploadedFile(name, data, content_type=content_type)})


def test_public_page_verifies_an_uploaded_proof(client, proof_pdf):
    cache.clear()
    assert client.get(reverse("evidence:verify")).status_code == 200
    response = _post(client, "proof.pdf", proof_pdf, "application/pdf")
    assert response.status_code == 200
    assert response.context["report"].ok
    assert "Valid" in response.content.decode() or "Valide" in response.content.decode()


def test_public_page_shows_what_failed(client, proof_pdf):
    cache.clear()
    data = json.dumps(tampered(bundle("letter:A"), lambda b: b["records"].pop(0))).encode()
    response = _post(client, "proof.json", data, "application/json")
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok and {"chain", "head"} <= {f.code for f in report.failures}


@pytest.mark.parametrize(("name", "data"), [
    ("empty.pdf", b""),
    ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    ("other.json", b'{"hello": "world"}'),
    ("broken.pdf", b"%PDF-1.7\n%%EOF"),
])
def test_public_page_refuses_a_bad_upload_with_400(client, name, data):
    cache.clear()
    response = _post(client, name, data)
    assert response.status_code == 400
    assert response.context["error"]


def test_public_page_refuses_a_pdf_without_evidence_and_a_file_too_large(client, settings, proof_pdf):
    import io

    from reportlab.pdfgen.canvas import Canvas

    cache.clear()
    buffer = io.BytesIO()
    Canvas(buffer).save()
    response = _post(client, "plain.pdf", buffer.getvalue(), "application/pdf")
    assert response.status_code == 400 and "evidence.json" in response.context["error"]
    settings.EVIDENCE_UPLOAD_MAX_BYTES = 1000
    assert _post(client, "proof.pdf", proof_pdf, "application/pdf").status_code == 400
    assert client.post(reverse("evidence:verify"), {}).status_code == 400


def test_public_page_is_rate_limited(client, settings, proof_pdf, still_clock):
    cache.clear()
    settings.PUBLIC_FORM_RATE = "2/m"
    assert _post(client, "a.json", b"{}").status_code == 400
    assert _post(client, "a.json", b"{}").status_code == 400
    assert _post(client, "a.json", b"{}").status_code == 429
    cache.clear()


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", "La preuve n° 2 a été altérée"),
    ("ar", "الإثبات رقم 2 معدَّل"),
])
def test_public_page_speaks_french_and_arabic(client, proof_pdf, language, expected):
    cache.clear()
    data = json.dumps(tampered(bundle("letter:A"), lambda b: b["records"][1]["body"].update(event="X"))).encode()
    client.cookies["django_language"] = language
    page = _post(client, "proof.json", data, "application/json").content.decode()
    assert expected in page
    assert ('dir="rtl"' in page) == (language == "ar")
