"""The warm-up before the first request, and the gunicorn configuration that runs it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.template import engines

from bawaba.core.warmup import _template_names, warm_up
from bawaba.routing import classifier

ROOT = Path(__file__).resolve().parents[3]


def test_warm_up_loads_the_routing_model_and_every_template_without_touching_the_database():
    # No django_db mark: pytest-django makes any database access in this test raise.
    classifier.reset_cache()
    timings = warm_up()
    assert classifier._cache is not None
    names = _template_names()
    assert {"desk/_queue.html", "desk/request.html", "portal/home.html"} <= set(names)
    assert not [name for name in names if name.startswith("admin/")]
    assert f"{len(names)} templates" in timings
    # The cached loader now holds them compiled: loading one again costs no file read.
    loader = engines["django"].engine.template_loaders[0]
    assert "desk/_queue.html" in {key.split("-")[0] for key in loader.get_template_cache}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_configuration_serves_requests_with_a_preloaded_and_warmed_up_application(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(BAWABA_VAR_DIR=str(tmp_path), WEB_CONCURRENCY="2")
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--log-level", "info"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    # Warmed up once, in the master, before the two workers were forked; nothing left to load in them.
    assert text.count("warm-up: urls") == 3, text
    assert text.count("Booting worker") == 2, text
    assert "routing model loaded" in text
