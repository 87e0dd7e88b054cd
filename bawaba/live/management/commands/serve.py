"""`bawaba serve [address:port]`: the platform on uvicorn (config.asgi), pages and push streams together.

What scripts/dev runs: one process, the embedded default. Production runs gunicorn for the pages and an ASGI
server for the streams (docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError


def parse_address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"not an address:port: {value!r}")
    return (host.strip("[]") or "127.0.0.1"), int(port)


class Command(BaseCommand):
    help = "Serve Bawaba with uvicorn (ASGI: pages, API and the desk's push streams)."

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="address:port (127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, address, workers, **options):
        import uvicorn

        host, port = parse_address(address)
        # Streams stay open for as long as a desk is: stopping the server ends them after 2 s rather than
        # waiting for every agent to close the tab.
        uvicorn.run("config.asgi:application", host=host, port=port, workers=workers, lifespan="off",
                    timeout_graceful_shutdown=2, log_level="info")
