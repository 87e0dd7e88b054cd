"""CPU per operation, in process: the desk's request page and ticket creation through the API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bawaba_bench_x REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/desk_cpu.py open [--n 300] [--profile out.prof]
    ... bench/desk_cpu.py create [--n 300] [--profile out.prof]

Measures time.process_time() of this process over N operations through Django's test client (the whole
request cycle: middleware, session, view, template), so the figure does not depend on how busy the machine is
(only on the CPU's speed), and counts SQL statements. Run it on a clone of the benchmark's seed database
(bench/desk_load.py builds it): it writes (new requests).

open: an agent of the centre opens N requests of its list, every page "cold" (its record and action forms not
in the cache: the first agent to open a request after it changed), then the same N again "warm".
create: N POST /api/v1/requests with a bearer token, routed by the classifier (as bench/desk_load.py sends them).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from bawaba.core import warmup

    if hasattr(warmup, "warm_up"):
        warmup.warm_up()


def timed(label: str, n: int, fn, profile: str | None = None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []
    walls = []
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    cpu0 = time.process_time()
    for i in range(n):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            fn(i)
        walls.append(time.perf_counter() - start)
        queries.append(len(ctx.captured_queries))
    cpu = time.process_time() - cpu0
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    walls.sort()
    print(f"{label:28s} n={n:4d}  CPU {1000 * cpu / n:6.2f} ms/op  wall p50 {1000 * walls[n // 2]:6.2f} ms  "
          f"queries {statistics.mean(queries):5.1f}/op (max {max(queries)})  load {os.getloadavg()[0]:.2f}",
          flush=True)


def bench_open(args) -> None:
    from django.core.cache import cache
    from django.test import Client

    from bawaba.accounts.models import DESK_AGENT, User
    from bawaba.core.rendering import forget_local_copies
    from bawaba.servicedesk import selectors

    agent = (User.objects.filter(grants__role=DESK_AGENT, is_active=True, organisation__slug="centre")
             .order_by("pk").first()) or User.objects.filter(grants__role=DESK_AGENT).order_by("pk").first()
    refs = list(selectors.queue_for_agent(agent).values_list("reference", flat=True)[:200])
    if not refs:
        raise SystemExit("no request in the agent's list")
    rng = random.Random(1)
    picks = [rng.choice(refs) for _ in range(args.n)]
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(agent)
    client.get(f"/desk/r/{picks[0]}/")  # imports, templates compiled

    def cold(i):
        cache.delete_many(list(_record_keys(picks[i])))  # not the session: that stays in the cache
        forget_local_copies()
        response = client.get(f"/desk/r/{picks[i]}/")
        assert response.status_code == 200, response.status_code

    def warm(i):
        response = client.get(f"/desk/r/{picks[i]}/")
        assert response.status_code == 200, response.status_code

    if args.show_queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for label, fn in (("cold", cold), ("warm", warm)):
            with CaptureQueriesContext(connection) as ctx:
                fn(0)
            print(f"-- {label}: {len(ctx.captured_queries)} queries")
            for query in ctx.captured_queries:
                print("   ", query["sql"][:400])
    for _round in range(args.rounds):
        timed(f"open request (cold) [{agent.username}]", args.n, cold, args.profile and args.profile + ".cold")
        timed("open request (warm)", args.n, warm, args.profile and args.profile + ".warm")


def _record_keys(reference):
    """The cache keys the request page fills for this request (record, actions, suggestions)."""
    import hashlib

    from django.utils.translation import override

    from bawaba.servicedesk.models import Request

    req = Request.objects.only("pk", "updated_at", "subject", "text", "organisation_id", "assignee_id").get(
        reference=reference)
    stamp = req.updated_at.isoformat()
    with override("fr"):
        for supervisor in (0, 1):
            for mine in (0, 1):
                yield f"desk:actions:{req.pk}:{stamp}:fr:{supervisor}:{mine}"
        yield f"desk:record:{req.pk}:{stamp}:fr"
        text = f"{req.subject}\n{req.text}"
        yield "desk:suggest:" + hashlib.sha256(f"{req.organisation_id}|fr|{text}".encode()).hexdigest()


def bench_create(args) -> None:
    import json

    from desk_load import Prepared, new_request_payload
    from django.test import Client

    from bawaba.api.models import ApiToken  # noqa: F401 - the app exists

    token = os.environ.get("BENCH_API_TOKEN") or _api_token()
    from bawaba.geo.models import Region

    prepared = Prepared(agents=[], session_cookie="", services=[], creators=[],
                        regions=list(Region.objects.filter(country="DZ").values_list("pk", "code", "name_fr")))
    rng = random.Random(7)
    bodies = []
    for _ in range(args.n):
        payload = new_request_payload(rng, prepared)
        language = payload["language"] if payload["language"] in ("fr", "ar", "en") else ""
        bodies.append(json.dumps({"channel": "api", "citizen_phone": payload["citizen_phone"],  # as desk_load.py
                                  "subject": payload["subject"], "text": payload["text"], "language": language,
                                  "region_code": payload["region_code"]}))
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    first = client.post("/api/v1/requests", bodies[0], content_type="application/json", **headers)
    if first.status_code != 201:
        raise SystemExit(f"API creation: {first.status_code} {first.content[:300]!r}")

    def create(i):
        response = client.post("/api/v1/requests", bodies[i], content_type="application/json", **headers)
        assert response.status_code == 201, (response.status_code, response.content[:200])

    for _round in range(args.rounds):
        timed("API create (routed)", args.n, create, args.profile and args.profile + ".create")


def _api_token() -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("api", "token", "create", "--org", "centre", "--name", f"cpu-{time.time():.0f}", stdout=out)
    words = [w.strip("'\"`,") for w in out.getvalue().split()]
    return max((w for w in words if len(w) >= 20), key=len)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("open", "create"))
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--profile", help="write cProfile stats to this path (+ .cold/.warm/.create)")
    args = parser.parse_args()
    setup()
    {"open": bench_open, "create": bench_create}[args.what](args)


if __name__ == "__main__":
    main()
