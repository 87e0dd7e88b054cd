"""A Content-Security-Policy on every page: our own scripts and styles only, no inline script, no framing."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Files people download and open on their own (an access export): self-contained, never served as a page.
STANDALONE = {"bawaba/privacy/templates/privacy/export.html"}
TEMPLATES = [path for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("bawaba/*/templates/**/*.html")]
             if str(path.relative_to(ROOT)) not in STANDALONE]


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {name: set(values) for name, *values in (part.split() for part in header.split(";") if part.strip())}


def assert_strict(response):
    policy = directives(response)
    assert policy["default-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["form-action"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert "script-src" not in policy and "style-src" not in policy  # both fall back to 'self': nothing inline
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/", "/submit/", "/track/", "/kb/", "/accounts/login/", "/admin/login/", "/healthz", "/api/v1/docs",
    "/api/v1/openapi.json", "/fibre/api/v1/openapi.json", "/no-such-page/",
])
def test_every_kind_of_public_page_sends_the_policy(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_strict(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/desk/queue/", "/desk/dashboard/", "/fibre/", "/fibre/dashboard/", "/admin/"])
def test_staff_pages_send_the_policy(client, at_admin, url):
    client.force_login(at_admin)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_error_pages_send_the_policy(client, at_agent):
    client.force_login(at_agent)
    assert_strict(client.get("/admin/"))  # refused or redirected: headers all the same
    assert_strict(client.get("/desk/r/XX-0000-0000/"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_style(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", text), \
        "inline <script>: move it to a static file"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler (onclick=...): use a static script"
    assert not re.search(r"\sstyle\s*=", text), "style attribute: use a class in a style sheet"
    assert "<style" not in text, "<style> block: use a style sheet"
