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
push: the push process's CPU per change: --streams desk streams (bawaba.desk.live._events, what the ASGI server runs
for each connection, without the HTTP transport) on the agents' sessions in this process, fed by this process's
PostgreSQL listener; a thread of this process creates N requests through the service at --rate per second in the
agents' queues; the CPU of that thread is subtracted, the rest is what the streams cost (renderings, framing, fan-out).
work: an agent works N new requests of its queue as bench/desk_load.py's agents do, each step timed apart: open
(the first opening of a new request), take (assign to me), reply to the citizen, resolve, each POST with the
page's CSRF token checked (302); then transfers N other new requests to another service of the organisation, and
reads its list (/desk/queue/, a new rendering after each change; /desk/queue/ again, 304) and /desk/ between steps.
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


class QueryCounter:
    """Counts SQL statements through a connection wrapper: unlike CaptureQueriesContext, it does not turn on the
    debug cursor, whose formatting of every statement (psycopg's mogrify) would be measured as the view's CPU."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.count = 0
        self._cm = self.connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def timed(label: str, n: int, fn, profile: str | None = None) -> None:
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
        with QueryCounter() as counter:
            fn(i)
        walls.append(time.perf_counter() - start)
        queries.append(counter.count)
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


def bench_work(args) -> None:
    import cProfile

    from django.test import Client

    from bawaba.accounts.models import DESK_AGENT, User
    from bawaba.geo.models import Region
    from bawaba.orgs.models import Service
    from bawaba.servicedesk import services as sd

    agent = (User.objects.filter(grants__role=DESK_AGENT, is_active=True, organisation__slug=args.org)
             .order_by("pk").first()) or User.objects.filter(grants__role=DESK_AGENT).order_by("pk").first()
    queue_ids = list(agent.queues.values_list("pk", flat=True))
    services = list(Service.objects.filter(queue_id__in=queue_ids, is_active=True).order_by("pk"))
    if not services:
        raise SystemExit(f"no active service in the queues of {agent.username}")
    # Transferred to another service of the organisation when there is one, else (the shared centre's orientation
    # queue) to an operator's service, as the centre does.
    others = (list(Service.objects.filter(organisation_id=agent.organisation_id, is_active=True, is_orientation=False)
                   .exclude(queue_id__in=queue_ids).order_by("pk"))
              or list(Service.objects.filter(is_active=True, is_orientation=False).exclude(queue_id__in=queue_ids)
                      .order_by("pk")))
    from desk_load import Prepared, new_request_payload

    rng = random.Random(3)
    prepared = Prepared(agents=[], session_cookie="", services=[], creators=[],
                        regions=list(Region.objects.filter(country="DZ").values_list("pk", "code", "name_fr")))

    def new_request():  # the texts bench/desk_load.py sends (the demo's, with names, places and numbers)
        payload = new_request_payload(rng, prepared)
        return sd.do_create_request(channel="phone", citizen_phone=payload["citizen_phone"],
                                    subject=payload["subject"], text=payload["text"], service=rng.choice(services))

    worked = [new_request().reference for _ in range(args.n)]
    moved = [new_request().reference for _ in range(args.n)] if others else []
    client = Client(HTTP_ACCEPT_LANGUAGE="fr", enforce_csrf_checks=True)
    client.force_login(agent)
    client.get("/desk/")  # imports, templates compiled, CSRF cookie
    client.get(f"/desk/r/{worked[0]}/")
    token = client.cookies["csrftoken"].value
    stats: dict[str, list] = {}
    profilers: dict[str, cProfile.Profile] = {}

    def step(label, method, url, data=None, expect=200, **extra):
        profiler = None
        if args.profile:
            profiler = profilers.setdefault(label, cProfile.Profile(time.process_time))
            profiler.enable()
        cpu0 = time.process_time()
        with QueryCounter() as counter:
            if method == "get":
                response = client.get(url, **extra)
            else:
                response = client.post(url, {"csrfmiddlewaretoken": token, **(data or {})},
                                       HTTP_REFERER="http://testserver" + url, **extra)
        cpu = time.process_time() - cpu0
        if profiler:
            profiler.disable()
        assert response.status_code == expect, (label, response.status_code, response.content[:300])
        stats.setdefault(label, []).append((cpu, counter.count))
        return response

    for round_ in range(args.rounds):
        stats.clear()
        for i, reference in enumerate(worked):
            url = f"/desk/r/{reference}/"
            step("open request (new)", "get", url)
            step("take (assign to me)", "post", url + "assign/", {"assignee": "me"}, 302)
            queue = step("queue (rendered)", "get", "/desk/queue/", HTTP_HX_REQUEST="true")
            step("queue (304)", "get", "/desk/queue/", HTTP_HX_REQUEST="true",
                 HTTP_IF_NONE_MATCH=queue["ETag"], expect=304)
            step("reply to citizen", "post", url + "reply/", {"body": "Bonjour, votre demande est traitée."}, 302)
            step("open request (after reply)", "get", url)
            step("resolve", "post", url + "status/", {"status": "resolved", "reason": ""}, 302)
            if i % 10 == 0:
                step("home page", "get", "/desk/")
        for reference in moved:
            url = f"/desk/r/{reference}/"
            step("open request (new)", "get", url)
            step("transfer", "post", url + "transfer/", {"service": str(rng.choice(others).pk),
                                                         "reason": "Pas de notre ressort."}, 302)
        if round_ + 1 < args.rounds:  # fresh requests for the next round
            worked[:] = [new_request().reference for _ in range(args.n)]
            moved[:] = [new_request().reference for _ in range(args.n)] if others else []
        for label, values in stats.items():
            cpu = [v[0] for v in values]
            print(f"{label:28s} n={len(values):4d}  CPU {1000 * sum(cpu) / len(cpu):6.2f} ms/op  "
                  f"(median {1000 * statistics.median(cpu):6.2f})  "
                  f"queries {statistics.mean(v[1] for v in values):5.1f}/op "
                  f"(max {max(v[1] for v in values)})  load {os.getloadavg()[0]:.2f}", flush=True)
    for label, profiler in profilers.items():
        suffix = "-" + label.split()[-1].strip("()") if "(" in label else ""
        profiler.dump_stats(f"{args.profile}.{label.split()[0]}{suffix}")


def bench_push(args) -> None:
    import asyncio
    import threading

    from desk_load import Prepared, new_request_payload
    from django.db import close_old_connections
    from django.http import QueryDict

    from bawaba.accounts.models import DESK_AGENT, User
    from bawaba.desk import live
    from bawaba.geo.models import Region
    from bawaba.orgs.models import Service
    from bawaba.servicedesk import services as sd

    if args.render_interval is not None:
        live.renderings.interval = args.render_interval
    agents = list(User.objects.filter(grants__role=DESK_AGENT, is_active=True).order_by("pk").distinct())
    if not agents:
        raise SystemExit("no desk agent in the database")
    queue_ids = set()
    setups = []
    for i in range(args.streams):
        agent = agents[i % len(agents)]
        setup_ = live.setup_stream(agent, QueryDict(), "queue", "fr")
        setups.append((agent, setup_))
        queue_ids |= {int(t.split(":")[1]) for t in setup_.topics if t.startswith("queue:") and t[6:].isdigit()}
    services = list(Service.objects.filter(queue_id__in=queue_ids, is_active=True).order_by("pk"))
    groups = len({s.group for _a, s in setups})
    rng = random.Random(5)
    prepared = Prepared(agents=[], session_cookie="", services=[], creators=[],
                        regions=list(Region.objects.filter(country="DZ").values_list("pk", "code", "name_fr")))
    payloads = [new_request_payload(rng, prepared) for _ in range(args.n)]
    renders = [0, 0.0]  # list renderings, their CPU (in the threads that render)
    original = live.render_queue

    def counting(*a, **kw):
        cpu0 = time.thread_time()
        try:
            return original(*a, **kw)
        finally:
            renders[0] += 1
            renders[1] += time.thread_time() - cpu0

    live.render_queue = counting

    async def run():
        positions = [0] * len(setups)
        sizes = [0]
        connected = [0]
        ready = asyncio.Event()

        async def consume(index, agent, setup_):
            first = True
            async for chunk in live._events(agent, setup_, "fr", None):
                if chunk.startswith(b"id: "):
                    positions[index] = int(chunk[4:chunk.index(b"\n")])
                    sizes[0] += len(chunk)
                    if first:
                        first = False
                        connected[0] += 1
                        if connected[0] == len(setups):
                            ready.set()

        tasks = [asyncio.ensure_future(consume(i, a, s)) for i, (a, s) in enumerate(setups)]
        await asyncio.wait_for(ready.wait(), 120)
        await asyncio.sleep(1)
        changer = {}

        def make_changes():
            close_old_connections()
            cpu0 = time.thread_time()
            last = 0
            for payload in payloads:
                started = time.monotonic()
                request = sd.do_create_request(channel="phone", citizen_phone=payload["citizen_phone"],
                                               subject=payload["subject"], text=payload["text"],
                                               service=rng.choice(services))
                last = max(last, request.pk)
                time.sleep(max(0.0, 1 / args.rate - (time.monotonic() - started)))
            changer["cpu"] = time.thread_time() - cpu0
            close_old_connections()

        renders[0] = sizes[0] = 0
        renders[1] = 0.0
        start = list(positions)
        cpu0, wall0 = time.process_time(), time.monotonic()
        thread = threading.Thread(target=make_changes)
        thread.start()
        while thread.is_alive():
            await asyncio.sleep(0.05)
        # Every stream has what it will get once no position moved for a second (renderings are at most 0.2 s
        # apart per list); the streams of a queue that the last changes did not touch stay where they were.
        deadline, seen, still = time.monotonic() + 60, list(positions), time.monotonic()
        while time.monotonic() - still < 1.0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            if positions != seen:
                seen, still = list(positions), time.monotonic()
        cpu, wall = time.process_time() - cpu0 - changer["cpu"], still - wall0
        behind = sum(1 for p, p0 in zip(positions, start, strict=True) if p == p0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        print(f"push: render interval {live.renderings.interval:g} s, "
              f"{len(setups)} streams ({groups} groups of identical lists), {args.n} new requests at "
              f"{args.rate:g}/s in {wall:.1f} s; {renders[0]} list renderings "
              f"({1000 * renders[1] / max(1, renders[0]):.2f} ms of CPU each), {sizes[0] / 1e6:.1f} MB of events")
        print(f"push CPU {1000 * cpu / args.n:7.2f} ms per change ({cpu / wall:.2f} cores; the creations' own "
              f"{1000 * changer['cpu'] / args.n:.2f} ms/change left out); streams that heard no change: {behind}  "
              f"load {os.getloadavg()[0]:.2f}", flush=True)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    asyncio.run(run())
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile + ".push")


def _api_token() -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("api", "token", "create", "--org", "centre", "--name", f"cpu-{time.time():.0f}", stdout=out)
    words = [w.strip("'\"`,") for w in out.getvalue().split()]
    return max((w for w in words if len(w) >= 20), key=len)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("open", "create", "work", "push"))
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--streams", type=int, default=480, help="push: desk streams in this process")
    parser.add_argument("--rate", type=float, default=20.0, help="push: new requests per second")
    parser.add_argument("--render-interval", type=float, default=None,
                        help="push: seconds between two renderings of one list (LIVE_RENDER_INTERVAL)")
    parser.add_argument("--org", default="algerie-telecom",
                        help="work: the organisation of the agent (its first agent)")
    parser.add_argument("--profile", help="write cProfile stats to this path (+ .cold/.warm/.create)")
    args = parser.parse_args()
    setup()
    {"open": bench_open, "create": bench_create, "work": bench_work, "push": bench_push}[args.what](args)


if __name__ == "__main__":
    main()
