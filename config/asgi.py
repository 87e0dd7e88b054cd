"""ASGI entry point: every page, and the desk's push streams (Server-Sent Events, bawaba.live; docs/live.md).

    uvicorn config.asgi:application                  # the embedded default (scripts/dev)
    granian --interface asgi config.asgi:application  # the same, measured in docs/benchmarks.md

The streams are async views: an open desk costs no thread and no worker; sync views run in a thread each."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
