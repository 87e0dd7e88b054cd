"""ASGI entry point: every page, and the desk's push streams (Server-Sent Events, bawaba.live; docs/live.md).

    uvicorn config.asgi:application                  # the embedded default (scripts/dev)
    granian --interface asgi config.asgi:application  # the same, measured in docs/benchmarks.md

An open desk's stream is a coroutine of the ASGI server: no thread, no worker (bawaba.desk.live.asgi_stream);
every other request goes through Django's ASGI handler (sync views in a thread each)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from bawaba.desk.live import asgi_stream  # noqa: E402 - after Django is set up

STREAMS = {"/desk/live/": asgi_stream}  # served without Django's request cycle (a thread per request)


async def application(scope, receive, send):
    if scope["type"] == "http":
        path, root = scope["path"], scope.get("root_path", "")
        stream = STREAMS.get(path[len(root):] if root and path.startswith(root) else path)
        if stream is not None:
            return await stream(scope, receive, send)
    return await django_application(scope, receive, send)
