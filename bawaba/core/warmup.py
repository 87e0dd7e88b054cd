"""Load once, before the first request, what every web process would otherwise load on its first requests.

Without it a freshly started process spends its first 1.5 s or so on the first requests that need the routing
model (about 1.1 s), the URL configuration with the API schemas (about 0.4 s) and the templates: under the
desk's load, the requests queued behind them waited seconds (docs/desk.md). Called by gunicorn's
configuration (`config/gunicorn.conf.py`) in the master before it forks the workers, so the loaded objects
are shared between them. Touches no database, cache or socket: nothing that must not cross a fork.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)


def _template_names() -> list[str]:
    """Every template of the project and of our apps (not Django's own admin and forms templates)."""
    from django.conf import settings
    from django.template import engines

    root = Path(settings.BASE_DIR).resolve()
    names = []
    for directory in engines["django"].template_dirs:
        directory = Path(directory).resolve()
        if not directory.is_relative_to(root) or ".venv" in directory.parts:
            continue
        names += [path.relative_to(directory).as_posix() for path in directory.rglob("*.html")]
    return sorted(set(names))


def warm_up() -> dict[str, float]:
    """Load the URL configuration, the routing model and the compiled templates. Returns seconds per part."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    from bawaba.routing import classifier

    timings = {}
    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports every view and builds the API schemas
    timings["urls"] = time.perf_counter() - started

    started = time.perf_counter()
    try:
        classifier.get_classifier()
    except classifier.ModelUnavailable:
        log.warning("warm-up: no routing model to load yet (`bawaba routing ensure-model`)")
    timings["routing model"] = time.perf_counter() - started

    started = time.perf_counter()
    names = _template_names()
    for name in names:
        get_template(name)  # the cached loader keeps it compiled for the life of the process
    timings[f"{len(names)} templates"] = time.perf_counter() - started
    log.info("warm-up: %s", ", ".join(f"{part} {seconds * 1000:.0f} ms" for part, seconds in timings.items()))
    return timings
