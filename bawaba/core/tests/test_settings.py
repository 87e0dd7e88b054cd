"""Settings read from the environment: the embedded default's secret key and the deployment checks."""

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRINT_KEY = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


def run_python(var_dir, code, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update(BAWABA_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings", **extra_env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_processes_started_together_share_one_private_key(tmp_path):
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: run_python(tmp_path, PRINT_KEY), range(4)))
    keys = {result.stdout.strip() for result in results}
    assert all(result.returncode == 0 for result in results), [r.stderr for r in results]
    assert len(keys) == 1 and len(keys.pop()) >= 50
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert run_python(tmp_path, PRINT_KEY).stdout.strip() == key_file.read_text().strip()  # kept on restart


def test_key_from_the_environment_wins_and_writes_no_file(tmp_path):
    result = run_python(tmp_path, PRINT_KEY, SECRET_KEY="k" * 60)
    assert result.stdout.strip() == "k" * 60
    assert not (tmp_path / "secret_key").exists()


def test_deploy_check_warns_when_the_key_is_not_from_the_environment(tmp_path):
    check = "import django; django.setup(); from django.core.management import call_command; " \
            "call_command('check', deploy=True)"
    assert "bawaba.W001" in run_python(tmp_path, check).stderr
    assert "bawaba.W001" not in run_python(tmp_path, check, SECRET_KEY="k" * 60).stderr


@pytest.mark.django_db
def test_the_embedded_database_writes_every_commit_to_disk_before_answering():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the embedded default only")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


PRODUCTION = {
    "SECRET_KEY": "Zq8-vT3rW!kP0sLm7Yd2Xc9Nb4Jh6Gf1Ae5Ru8Io3Up7Ty2Re9Wq4",
    "ALLOWED_HOSTS": "bawaba.example.dz", "DEBUG": "0", "HTTPS": "1",
    "SECURE_HSTS_PRELOAD": "1", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def test_deploy_check_is_clean_with_the_production_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, timeout=120,
        # Only what production sets: nothing of this test process (e.g. the browser tests' async switch).
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(tmp_path)),
             "BAWABA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings", **PRODUCTION},
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


SHOW_HTTPS = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
              "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)")


def test_https_settings_come_from_the_environment(tmp_path):
    shown = run_python(tmp_path, SHOW_HTTPS, **PRODUCTION).stdout.split(None, 6)
    assert shown == ["True", "31536000", "True", "True", "True", "True", "('HTTP_X_FORWARDED_PROTO', 'https')\n"]
    shown = run_python(tmp_path, SHOW_HTTPS, HTTPS="1", SECURE_HSTS_SECONDS="300", SECURE_SSL_REDIRECT="0").stdout
    assert shown.split()[:2] == ["False", "300"]


def test_the_embedded_default_serves_plain_http(tmp_path):
    """No HTTPS variable: no redirect to https, no HSTS, cookies sent over http (DEBUG off as in `bawaba serve`)."""
    shown = run_python(tmp_path, SHOW_HTTPS, DEBUG="0").stdout.split()
    assert shown[:6] == ["False", "0", "False", "False", "False", "False"]
