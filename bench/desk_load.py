"""Desk load benchmark: N agents polling their queue + new requests at a fixed rate, on PostgreSQL.

    .venv/bin/python bench/desk_load.py [--agents 480] [--rate 20] [--duration 60]

Issue 13's three cases (docs/desk.md), one command each:

    .venv/bin/python bench/desk_load.py --push                      # default load, p95 < 100 ms, screen < 1 s
    .venv/bin/python bench/desk_load.py --stress                    # agents handling 20/s, p95 < 300 ms
    .venv/bin/python bench/desk_load.py --scale-connections 5000 --rate 2 --warmup 40   # 5,000 streams

What it does, in order (everything on loopback; everything it starts, it stops):
1. PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bawaba_bench): builds a seed
   database once per (agents, requests) pair with `migrate` + `bawaba demo load`, then clones it for each
   run (CREATE DATABASE ... TEMPLATE, about a second) so every run starts from the same data.
2. Signs the agents in: a few through the real login form (timed as "login"), the others by creating their
   sessions directly (password hashing 480 times would take minutes and is not what is measured).
3. Starts gunicorn with the production configuration (config/gunicorn.conf.py: the application preloaded and
   warmed up in the master) on a free 127.0.0.1 port: gthread, 3 workers x 1 thread by default. Why: the views are
   CPU-bound Python, and threads of one process queue for its GIL (2 x 4 threads needed 30 % more CPU for
   the same load than 3 x 1); a third process keeps both cores busy while one waits on PostgreSQL or Redis;
   gthread keeps the 480 idle keep-alive connections in its event loop instead of tying up a thread each.
   PostgreSQL, Redis and this load generator share the same 2 cores.
4. Drives it with asyncio + aiohttp (its C HTTP parser keeps the generator's own CPU small, since it shares
   the 2 cores with the server): each agent polls /desk/queue/ every --poll seconds (a fixed timer as in
   htmx; a poll still in flight delays the next) with If-None-Match, and now and then opens a request of its
   list; new requests arrive open-loop at --rate per second through the API (/api/v1/requests, Bearer
   token) when it exists, else through the desk's phone-call form. Agents also work requests: at
   --handle-rate per second in all (default: agents / 240 s, i.e. each agent finishes a request every four
   minutes, a contact centre's usual handling time: 2/s for 480 agents), an agent takes a
   request of its list (assign to me), replies to the citizen and resolves it through the desk's own forms
   (CSRF token, POST, 302). Those writes take the request's row lock, write the audit trail, bump the queue
   version (every agent of that queue then gets a rendered poll instead of a 304) and enqueue the citizen's
   notification. A 409 (another agent changed the request first) is a normal answer, counted apart.
5. Prints the environment, the parameters, a table per operation (count, errors, throughput, p50/p95/p99),
   the gunicorn workers' memory and CPU, and whether the target is met (p95 < 200 ms for every operation,
   < 1 % errors, the offered load actually delivered).

--push (docs/desk.md, docs/live.md): the agents do not poll. Each keeps one Server-Sent Events stream open to
an ASGI server (uvicorn, or granian with --live-server granian) that serves /desk/live/, started beside
gunicorn on its own port (in production a reverse proxy routes /desk/live/ to it); agents still open, take,
answer and resolve requests through gunicorn at the same rates. "new request on screen" is the time from
sending the API call that created a request to the moment the stream of an agent of that queue delivered a
list that includes it (the stream's event id covers the creation's event, read by the benchmark's own
LISTEN on PostgreSQL); one sample per (request, agent of its queue). Creations never delivered to a connected
agent of their queue are counted as lost.

--scale-connections N: the push path alone: N streams (spread over the agents' sessions, several per
agent), no polling and no agent work, new requests at --rate; delivery p95 and the ASGI server's memory.

Honest numbers on a shared machine: the report gives the load generator's own CPU apart from the servers',
the load averages before and after, and a WARNING when other work kept the machine busy (the figures are
then an upper bound: re-run on a quiet machine).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from procstat import (  # noqa: E402 - CPU and memory of processes from /proc, shared with bench/voice_load.py
    background_busy,
    children,
    machine_cpu,
    postgres_backends,
    rss_mib,
    tree_cpu_seconds,
)

VENV_BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bawaba_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REF_RE = re.compile(r'data-reference="([0-9A-Z]{4}-[0-9A-Z]{4})"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TARGET_P95_MS = 100.0  # issue 13: every operation at the default load (the stress case: --target-p95 300)
TARGET_SCREEN_P95_MS = 1000.0  # new request on the agent's screen


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# --------------------------------------------------------------------------------------------------------------
# Database


def database_env(url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings",
           "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-" + "x" * 40),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}
    env.pop("TEST_DATABASE_NAME", None)
    return env


def with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def manage(url: str, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=database_env(url), check=True)


def prepare_database(url: str, agents: int, requests: int, seed: int, fresh: bool) -> dict:
    import psycopg

    parts = urlparse(url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to use a non-loopback database host: {parts.hostname}")
    name = parts.path.lstrip("/")
    # The demo's dates are relative to the day it was loaded: one seed per day keeps "recent" recent.
    seed_name = f"{name}_seed_{agents}a_{requests}r_s{seed}_{dt.date.today():%Y%m%d}"
    admin = with_database(url, "postgres")
    info = {"database": name, "seed_database": seed_name}
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [seed_name]).fetchone()
        if fresh and exists:
            conn.execute(f'DROP DATABASE "{seed_name}"')
            exists = None
        if not exists:
            stale = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                 [f"{name}\\_seed\\_%"]).fetchall()
            for (old,) in stale:
                if old.endswith(f"{dt.date.today():%Y%m%d}"):
                    continue  # another configuration built today: keep it
                conn.execute(f'DROP DATABASE IF EXISTS "{old}"')
            conn.execute(f'CREATE DATABASE "{seed_name}"')
    seed_url = with_database(url, seed_name)
    if not exists:
        log(f"building the seed database {seed_name}: migrate + demo load ({agents} agents, {requests} requests)")
        try:
            manage(seed_url, "migrate", "--noinput", "-v0")
            started = time.monotonic()
            manage(seed_url, "demo", "load", "--agents", str(agents), "--requests", str(requests),
                   "--seed", str(seed))
            info["demo_load_seconds"] = round(time.monotonic() - started, 1)
        except subprocess.CalledProcessError:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{seed_name}"')
            raise
    else:
        manage(seed_url, "migrate", "--noinput", "-v0")  # new migrations since the seed was built
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seed_name}"')
        info["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
        info["max_connections"] = conn.execute("SHOW max_connections").fetchone()[0]
    return info


# --------------------------------------------------------------------------------------------------------------
# Django-side preparation (sessions, tokens, data for the payloads), then every connection is closed


@dataclass
class Prepared:
    agents: list[tuple[str, str]]  # (username, session key)
    session_cookie: str
    regions: list[tuple[int, str, str]]  # (pk, code, name)
    services: list[int]  # pks usable in the desk form
    creators: list[tuple[str, str]]  # centre agents (username, session key) for the desk-form fallback
    dataset: dict = field(default_factory=dict)
    api_token: str = ""
    routing: bool = False
    topics: dict = field(default_factory=dict)  # username -> the queue topics its desk stream listens to


def prepare_django(url: str, agents: int) -> Prepared:
    os.environ.update({k: v for k, v in database_env(url).items() if k in (
        "DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "LOG_LEVEL")})
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connections
    from django.urls import Resolver404, resolve

    from bawaba.accounts.models import DESK_AGENT, User
    from bawaba.geo.models import Region
    from bawaba.orgs.models import Service
    from bawaba.servicedesk.models import OPEN_STATUSES, Request

    store = import_module(settings.SESSION_ENGINE).SessionStore
    users = list(User.objects.filter(grants__role=DESK_AGENT, is_active=True).order_by("pk"))
    if len(users) < agents:
        raise SystemExit(f"the database has {len(users)} agents, {agents} asked")
    # Spread the simulated agents over the organisations in the demo's proportions.
    users = sorted(users, key=lambda u: (int(re.sub(r"\D", "", u.username) or 0), u.username))[:agents]
    # The backend that reads a signed-in user back (as Django's force_login picks it): the first one, django-axes'
    # guard, only checks sign-ins.
    from django.contrib.auth import load_backend

    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    sessions = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append((user.username, session.session_key))
    members = User.queues.through.objects.filter(user__in=users).values_list("user__username", "queue_id")
    topics: dict[str, set] = {}
    for username, queue_id in members:
        topics.setdefault(username, set()).add(f"queue:{queue_id}")
    creators = [pair for pair in sessions if pair[0].startswith("centre.")] or sessions[:5]
    prepared = Prepared(
        agents=sessions,
        session_cookie=settings.SESSION_COOKIE_NAME,
        regions=list(Region.objects.filter(country="DZ").values_list("pk", "code", "name_fr")),
        services=list(Service.objects.filter(is_active=True, is_orientation=False).values_list("pk", flat=True)),
        creators=creators,
        topics={name: frozenset(found) for name, found in topics.items()},
        dataset={"requests": Request.objects.count(),
                 "open_requests": Request.objects.filter(status__in=OPEN_STATUSES).count(),
                 "agents_in_database": User.objects.filter(grants__role=DESK_AGENT).count()},
    )
    try:
        resolve("/api/v1/requests")
        api = True
    except Resolver404:
        api = False
    try:
        from bawaba.routing.services import route

        route(subject="Internet coupé", text="Ma connexion ADSL est coupée depuis hier.", channel="web")
        prepared.routing = True
    except Exception as exc:  # noqa: BLE001 - any failure means: choose the service explicitly
        log(f"automatic routing not usable ({exc.__class__.__name__}: {exc}); new requests name their service")
    connections.close_all()
    if api:
        prepared.api_token = create_api_token(url)
    return prepared


def create_api_token(url: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "api", "token", "create", "--org", "centre",
         "--name", f"bench-{int(time.time())}"],
        cwd=ROOT, env=database_env(url), capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        log(f"API token creation failed ({result.stderr.strip()[-200:]}); using the desk form instead")
        return ""
    words = [w.strip("'\"`,") for w in result.stdout.split()]
    candidates = [w for w in words if len(w) >= 20 and re.fullmatch(r"[A-Za-z0-9_\-.:]+", w)]
    if not candidates:
        log(f"no token found in: {result.stdout.strip()[:200]}; using the desk form instead")
        return ""
    return max(candidates, key=len)


# --------------------------------------------------------------------------------------------------------------
# gunicorn


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, threads: int, logfile: Path) -> subprocess.Popen:
    command = [
        # The production configuration (preloaded and warmed-up application, gthread), with this run's
        # address and worker counts.
        str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--graceful-timeout", "5",
        "--error-logfile", str(logfile), "--log-level", "warning",
    ]
    # Django logs server errors (with tracebacks) to stderr: keep them with gunicorn's own log.
    output = logfile.open("a")
    try:
        return subprocess.Popen(command, cwd=ROOT, env=database_env(url), start_new_session=True,
                                stdout=output, stderr=subprocess.STDOUT)
    finally:
        output.close()


def start_live_server(url: str, port: int, kind: str, workers: int, logfile: Path) -> subprocess.Popen:
    """The ASGI server of the push streams (/desk/live/): config.asgi, which serves every page too."""
    env = database_env(url)
    if kind == "granian":
        command = [str(VENV_BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers), "--loop", "uvloop", "--no-ws", "--log-level", "warning",
                   "--backlog", "8192", "config.asgi:application"]
    else:
        command = [str(VENV_BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                   "--lifespan", "off", "--backlog", "8192", "--timeout-graceful-shutdown", "2",
                   "--log-level", "warning"]
    output = logfile.open("a")
    try:
        return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=output,
                                stderr=subprocess.STDOUT)
    finally:
        output.close()


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 40) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited during start-up (see its log)")
        with contextlib.suppress(OSError), urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


# --------------------------------------------------------------------------------------------------------------
# The load


@dataclass
class Sample:
    op: str
    started: float
    latency: float
    ok: bool
    status: int


@dataclass
class Run:
    base: str
    prepared: Prepared
    args: argparse.Namespace
    samples: list[Sample] = field(default_factory=list)
    dropped_creates: int = 0
    errors_seen: dict = field(default_factory=dict)
    rss_samples: dict = field(default_factory=dict)
    master_pid: int = 0
    database: str = ""
    background: float = 0.0
    postgres_base: dict | None = None
    postgres_seen: dict = field(default_factory=dict)
    claimed: set = field(default_factory=set)  # references some agent is working, so two rarely pick the same
    handled: int = 0
    handle_probability: float = 0.0
    live_base: str = ""
    live_pid: int = 0
    created_sent: dict = field(default_factory=dict)  # reference -> monotonic time its creation was sent
    creation_events: dict = field(default_factory=dict)  # event id -> (topic, reference), first event of each
    seen_refs: set = field(default_factory=set)
    deliveries: dict = field(default_factory=dict)  # stream name -> [(event id, monotonic time received)]
    stream_topics: dict = field(default_factory=dict)  # stream name -> topics
    stream_connected: dict = field(default_factory=dict)  # stream name -> monotonic time of its first message
    stream_errors: int = 0
    live_rss: dict = field(default_factory=dict)
    stream_client: object = None

    def record(self, op, started, latency, ok, status, detail=""):
        self.samples.append(Sample(op, started, latency, ok, status))
        if not ok:
            key = f"{op}: {status} {detail}".strip()
            self.errors_seen[key] = self.errors_seen.get(key, 0) + 1


def new_request_payload(rng: random.Random, prepared: Prepared) -> dict:
    from bawaba.demo.loader import LANGUAGE_BANKS
    from bawaba.demo.slots import make_slots, mobile_number, spaced

    language = rng.choice(list(LANGUAGE_BANKS))
    bank = LANGUAGE_BANKS[language]
    service = rng.choice(list(bank.TEXTS))
    subject, text = rng.choice(bank.TEXTS[service])
    region_pk, code, name = rng.choice(prepared.regions)
    slots = make_slots(rng, language, place=name, wilaya_code=code, created_at=dt.datetime.now(dt.UTC))
    return {"subject": subject.format_map(slots), "text": text.format_map(slots),
            "citizen_phone": spaced(mobile_number(rng)), "language": language, "region_pk": region_pk,
            "region_code": code, "service_code": service}


def http_session(base: str, *, connections: int, cookies: dict | None = None, headers: dict | None = None):
    import aiohttp

    # One keep-alive connection per simulated agent, as a browser tab has; no cookie jar quirks on 127.0.0.1.
    return aiohttp.ClientSession(
        base_url=base, cookies=cookies, headers=headers, timeout=aiohttp.ClientTimeout(total=30),
        connector=aiohttp.TCPConnector(limit=connections, force_close=False),
        cookie_jar=aiohttp.CookieJar(unsafe=True),
    )


async def agent_loop(run: Run, username: str, session_key: str, stop_at: float, rng: random.Random):
    import aiohttp

    args = run.args
    client = http_session(run.base, connections=1, cookies={run.prepared.session_cookie: session_key},
                          headers={"Accept-Language": "fr", "User-Agent": f"bawaba-bench/{username}"})
    etag, refs = None, []
    try:
        await asyncio.sleep(rng.uniform(0, args.poll))
        while time.monotonic() < stop_at:
            started_cycle = time.monotonic()
            headers = {"HX-Request": "true", "HX-Current-URL": f"{run.base}/desk/"}
            if etag:
                headers["If-None-Match"] = etag
            started = time.monotonic()
            try:
                async with client.get("/desk/queue/", headers=headers, allow_redirects=False) as response:
                    body = await response.text()
                latency = time.monotonic() - started
                if response.status == 200:
                    etag = response.headers.get("etag")
                    refs = REF_RE.findall(body) or refs
                    run.record("poll (200, rendered)", started, latency, True, 200)
                elif response.status == 304:
                    run.record("poll (304, unchanged)", started, latency, True, 304)
                else:
                    run.record("poll", started, latency, False, response.status)
            except (TimeoutError, aiohttp.ClientError) as exc:
                run.record("poll", started, time.monotonic() - started, False, 0, exc.__class__.__name__)
            if refs and rng.random() < args.open_probability and time.monotonic() < stop_at:
                reference = rng.choice(refs)
                started = time.monotonic()
                try:
                    async with client.get(f"/desk/r/{reference}/", allow_redirects=False) as response:
                        await response.read()
                    run.record("open request", started, time.monotonic() - started, response.status == 200,
                               response.status, "" if response.status == 200 else f"/desk/r/{reference}/")
                except (TimeoutError, aiohttp.ClientError) as exc:
                    run.record("open request", started, time.monotonic() - started, False, 0,
                               exc.__class__.__name__)
            if refs and rng.random() < run.handle_probability and time.monotonic() < stop_at:
                free = [ref for ref in refs if ref not in run.claimed]
                if free:
                    reference = rng.choice(free)
                    run.claimed.add(reference)
                    await handle_request(run, client, reference, rng)
            # htmx's `every 2s` fires on a fixed timer; a poll still in flight delays the next one.
            await asyncio.sleep(max(0.0, started_cycle + args.poll - time.monotonic()))
    finally:
        await client.close()


async def read_stream(run: Run, name: str, session_key: str, stop_at: float, refs: list | None = None,
                      keep_html: bool = True):
    """One desk's Server-Sent Events stream (GET /desk/live/?view=queue on the ASGI server): records the id
    and arrival time of every list it receives; reconnects with Last-Event-ID if the stream breaks."""
    import aiohttp

    if run.stream_client is None:  # one client for every stream (one connection each, no pool limit)
        run.stream_client = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=60, sock_read=None))
    client = run.stream_client
    last_id = ""
    received = run.deliveries.setdefault(name, [])
    while time.monotonic() < stop_at:
        headers = {"Accept": "text/event-stream", "Accept-Language": "fr",
                   "Cookie": f"{run.prepared.session_cookie}={session_key}"}
        if last_id:
            headers["Last-Event-ID"] = last_id
        try:
            async with client.get(run.live_base + "/desk/live/?view=queue", headers=headers) as response:
                if response.status != 200:
                    run.stream_errors += 1
                    await asyncio.sleep(3)
                    continue
                buffer = b""
                async for chunk in response.content.iter_any():
                    now = time.monotonic()
                    buffer += chunk
                    while b"\n\n" in buffer:
                        message, buffer = buffer.split(b"\n\n", 1)
                        run.stream_connected.setdefault(name, now)
                        if not message.startswith((b"id:", b"event: queue", b"retry:")):
                            continue
                        event_id = kind = None
                        for line in message.split(b"\n", 3)[:3]:
                            if line.startswith(b"id: "):
                                event_id = line[4:].decode()
                            elif line.startswith(b"event: "):
                                kind = line[7:]
                        if event_id:
                            last_id = event_id
                            received.append((int(event_id), now))
                        if kind == b"queue" and refs is not None and keep_html:
                            found = REF_RE.findall(message.decode(errors="replace"))
                            if found:
                                refs[:] = found
                    if time.monotonic() >= stop_at:
                        return
        except (TimeoutError, aiohttp.ClientError):
            run.stream_errors += 1
            await asyncio.sleep(1)


async def push_agent_loop(run: Run, username: str, session_key: str, stop_at: float, rng: random.Random):
    """An agent whose list is pushed: no polling; opens and works requests at the same rates as the polling
    agents (one decision every --poll seconds), through gunicorn."""
    args = run.args
    refs: list[str] = []
    run.stream_topics[username] = run.prepared.topics.get(username, frozenset())
    stream = asyncio.create_task(read_stream(run, username, session_key, stop_at, refs))
    client = http_session(run.base, connections=1, cookies={run.prepared.session_cookie: session_key},
                          headers={"Accept-Language": "fr", "User-Agent": f"bawaba-bench/{username}"})
    try:
        await asyncio.sleep(rng.uniform(0, args.poll))
        while time.monotonic() < stop_at:
            started_cycle = time.monotonic()
            if refs and rng.random() < args.open_probability:
                reference = rng.choice(refs)
                started = time.monotonic()
                try:
                    async with client.get(f"/desk/r/{reference}/", allow_redirects=False) as response:
                        await response.read()
                    run.record("open request", started, time.monotonic() - started, response.status == 200,
                               response.status, "" if response.status == 200 else f"/desk/r/{reference}/")
                except Exception as exc:  # noqa: BLE001 - counted, the agent goes on
                    run.record("open request", started, time.monotonic() - started, False, 0,
                               exc.__class__.__name__)
            if refs and rng.random() < run.handle_probability and time.monotonic() < stop_at:
                free = [ref for ref in refs if ref not in run.claimed]
                if free:
                    reference = rng.choice(free)
                    run.claimed.add(reference)
                    await handle_request(run, client, reference, rng)
            await asyncio.sleep(max(0.0, started_cycle + args.poll - time.monotonic()))
    finally:
        await client.close()
        stream.cancel()


async def scale_streams(run: Run, stop_at: float, rng: random.Random):
    """--scale-connections N streams over the agents' sessions, opened over a few seconds."""
    agents = run.prepared.agents
    tasks = []
    for index in range(run.args.scale_connections):
        username, key = agents[index % len(agents)]
        name = f"{username}#{index // len(agents)}"
        run.stream_topics[name] = run.prepared.topics.get(username, frozenset())
        tasks.append(asyncio.create_task(read_stream(run, name, key, stop_at, keep_html=False)))
        if index % 200 == 199:
            await asyncio.sleep(0.2)
    await asyncio.gather(*tasks, return_exceptions=True)


async def listen_events(run: Run, url: str, stop_at: float):
    """The benchmark's own LISTEN: which event id announced each new request, and in which queue."""
    import json

    import psycopg

    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("LISTEN bawaba_live")
        gen = conn.notifies(timeout=max(0.1, stop_at + 10 - time.monotonic()))
        async for notify in gen:
            if not notify.payload:
                continue
            for event_id, topic, kind, payload in json.loads(notify.payload):
                ref = (payload or {}).get("ref")
                if kind == "queue" and ref and ref not in run.seen_refs:
                    run.seen_refs.add(ref)
                    run.creation_events[event_id] = (topic, ref)


def delivery_latencies(run: Run, until: float, since: float) -> tuple[list[float], int]:
    """(seconds from creation sent to list delivered, one per (request, connected agent of its queue), for
    requests created in [since, until - 3 s]), and how many such deliveries never came."""
    import bisect

    creations = sorted((event_id, topic, run.created_sent[ref]) for event_id, (topic, ref)
                       in run.creation_events.items() if ref in run.created_sent)
    ids = [c[0] for c in creations]
    latencies, lost = [], 0
    for name, received in run.deliveries.items():
        topics = run.stream_topics.get(name, frozenset())
        connected = run.stream_connected.get(name)
        if connected is None:
            continue
        done = set()
        previous = 0
        for event_id, at in received:
            start = bisect.bisect_right(ids, previous)
            end = bisect.bisect_right(ids, event_id)
            for event_id_, topic, sent in creations[start:end]:
                if topic in topics and since <= sent <= until - 3 and sent >= connected:
                    latencies.append(at - sent)
                    done.add(event_id_)
            previous = max(previous, event_id)
        lost += sum(1 for event_id_, topic, sent in creations
                    if topic in topics and since <= sent <= until - 3 and sent >= connected and event_id_ not in done)
    return latencies, lost


REPLIES = ("Bonjour, votre demande a été traitée. Merci de votre patience.",
           "مرحبا، تمت معالجة طلبكم. شكرا على صبركم.",
           "Hello, your request has been dealt with. Thank you for your patience.")


async def handle_request(run: Run, client, reference: str, rng: random.Random) -> None:
    """One agent works one request as in the browser: open it, take it, reply, resolve (each form posted
    with the page's CSRF token; success is a 302 back to the request)."""
    import aiohttp

    url = f"/desk/r/{reference}/"
    started = time.monotonic()
    try:
        async with client.get(url, allow_redirects=False) as response:
            body = await response.text()
        run.record("open request", started, time.monotonic() - started, response.status == 200, response.status,
                   "" if response.status == 200 else url)
    except (TimeoutError, aiohttp.ClientError) as exc:
        run.record("open request", started, time.monotonic() - started, False, 0, exc.__class__.__name__)
        return
    token = CSRF_RE.search(body)
    if response.status != 200 or token is None:
        return
    steps = (("take (assign to me)", "assign/", {"assignee": "me"}),
             ("reply to citizen", "reply/", {"body": rng.choice(REPLIES)}),
             ("resolve", "status/", {"status": "resolved", "reason": ""}))
    for op, action, fields in steps:
        started = time.monotonic()
        try:
            async with client.post(url + action, data={"csrfmiddlewaretoken": token.group(1), **fields},
                                   headers={"Referer": run.base + url}, allow_redirects=False) as response:
                await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            run.record(op, started, time.monotonic() - started, False, 0, exc.__class__.__name__)
            return
        latency = time.monotonic() - started
        if response.status == 409:  # another agent changed it first: the desk shows why; not a failure
            run.record(f"{op} (409)", started, latency, True, 409)
            return
        run.record(op, started, latency, response.status == 302, response.status,
                   "" if response.status == 302 else url + action)
        if response.status != 302:
            return
    run.handled += 1


async def create_loop(run: Run, start_at: float, stop_at: float, rng: random.Random):
    import aiohttp

    args, prepared = run.args, run.prepared
    if args.rate <= 0:
        return
    inflight: set[asyncio.Task] = set()
    if prepared.api_token:
        api = http_session(run.base, connections=64, headers={"Authorization": f"Bearer {prepared.api_token}"})
        desk_clients = []
    else:
        api = None
        desk_clients = []
        for username, key in prepared.creators:
            client = http_session(run.base, connections=4, cookies={prepared.session_cookie: key})
            async with client.get("/desk/call/") as page:
                token = CSRF_RE.search(await page.text())
            if page.status != 200 or token is None:
                raise SystemExit(f"cannot open the desk call form as {username}: HTTP {page.status}")
            desk_clients.append((client, token.group(1)))

    async def create_one():
        payload = new_request_payload(rng, prepared)
        started = time.monotonic()
        try:
            if api is not None:
                # The API takes fr/ar/en; Darija in Latin letters ("arq-Latn" in the demo) goes unlabelled.
                language = payload["language"] if payload["language"] in ("fr", "ar", "en") else ""
                body = {"channel": "api", "citizen_phone": payload["citizen_phone"], "subject": payload["subject"],
                        "text": payload["text"], "language": language, "region_code": payload["region_code"]}
                if not prepared.routing:  # the token belongs to the shared centre: its own intake service
                    body["service"] = "orientation"
                async with api.post("/api/v1/requests", json=body) as response:
                    text = await response.text()
                ok = response.status in (200, 201)
                if ok and run.live_base:
                    match = re.search(r'"reference":\s*"([^"]+)"', text)
                    if match:
                        run.created_sent[match.group(1)] = started
            else:
                client, token = rng.choice(desk_clients)
                form = {"csrfmiddlewaretoken": token, "citizen_phone": payload["citizen_phone"],
                        "channel": "phone", "priority": "normal", "region": str(payload["region_pk"]),
                        "subject": payload["subject"], "text": payload["text"],
                        "service": "" if prepared.routing else str(rng.choice(prepared.services))}
                async with client.post("/desk/call/", data=form, allow_redirects=False,
                                       headers={"Referer": f"{run.base}/desk/call/"}) as response:
                    text = await response.text()
                ok = response.status == 302
            run.record("new request", started, time.monotonic() - started, ok, response.status,
                       "" if ok else text[:120].replace("\n", " "))
        except (TimeoutError, aiohttp.ClientError) as exc:
            run.record("new request", started, time.monotonic() - started, False, 0, exc.__class__.__name__)

    interval = 1.0 / args.rate
    next_at = start_at
    try:
        while True:
            next_at += interval
            if next_at >= stop_at:
                break
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if len(inflight) >= args.max_inflight_creates:
                run.dropped_creates += 1  # open loop: the server is too slow, the client does not queue forever
                continue
            task = asyncio.create_task(create_one())
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        if inflight:
            await asyncio.wait(inflight, timeout=30)
    finally:
        for client in ([api] if api else []) + [c for c, _ in desk_clients]:
            await client.close()


def live_cpu(run: Run) -> float:
    return tree_cpu_seconds(run.live_pid)


async def sample_server(run: Run, master: int, stop_at: float):
    """Every second: the gunicorn processes' memory, and the CPU of our PostgreSQL backends."""
    while time.monotonic() < stop_at:
        for pid in [master, *children(master)]:
            run.rss_samples.setdefault(pid, []).append(rss_mib(pid))
        if run.live_pid:
            for pid in [run.live_pid, *children(run.live_pid)]:
                run.live_rss.setdefault(pid, []).append(rss_mib(pid))
        if run.postgres_base is not None:
            run.postgres_seen.update(postgres_backends(run.database))
        await asyncio.sleep(1)


async def real_logins(run: Run, count: int):
    """A few agents sign in through the real form, to time it (PBKDF2 makes it deliberately slow)."""
    from bawaba.demo.loader import PASSWORD

    names = [name for name, _ in run.prepared.agents[:count]]
    for name in names:
        async with http_session(run.base, connections=1) as client:
            async with client.get("/accounts/login/") as page:
                token = CSRF_RE.search(await page.text())
            started = time.monotonic()
            async with client.post("/accounts/login/", allow_redirects=False, data={
                "csrfmiddlewaretoken": token.group(1) if token else "", "username": name, "password": PASSWORD,
            }, headers={"Referer": f"{run.base}/accounts/login/"}) as response:
                await response.read()
            run.record("login (real form)", started, time.monotonic() - started,
                       response.status == 302, response.status)


async def drive(run: Run, master: int) -> dict:
    args = run.args
    await real_logins(run, args.real_logins)
    rng = random.Random(args.seed)
    start = time.monotonic()
    warm_until = start + args.warmup
    stop_at = warm_until + args.duration
    measures = {}

    async def mark_measurement_start():
        await asyncio.sleep(args.warmup)
        measures["cpu_before"] = machine_cpu()
        measures["server_cpu_before"] = tree_cpu_seconds(master)
        measures["live_cpu_before"] = live_cpu(run)
        measures["loadavg_before"] = os.getloadavg()
        measures["client_cpu_before"] = time.process_time()
        run.postgres_base = postgres_backends(run.database)
        run.postgres_seen = dict(run.postgres_base)

    if args.scale_connections:
        tasks = [asyncio.create_task(scale_streams(run, stop_at, random.Random(rng.random())))]
    else:
        loop_of = push_agent_loop if args.push else agent_loop
        tasks = [asyncio.create_task(loop_of(run, name, key, stop_at, random.Random(rng.random())))
                 for name, key in run.prepared.agents]
    if run.live_base:
        tasks.append(asyncio.create_task(listen_events(run, with_database(args.database_url, run.database),
                                                       stop_at)))
    tasks.append(asyncio.create_task(create_loop(run, start, stop_at, random.Random(rng.random()))))
    tasks.append(asyncio.create_task(sample_server(run, master, stop_at)))
    tasks.append(asyncio.create_task(mark_measurement_start()))
    await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
    measures["cpu_after"] = machine_cpu()
    measures["server_cpu_after"] = tree_cpu_seconds(master)
    measures["live_cpu_after"] = live_cpu(run)
    measures["loadavg_after"] = os.getloadavg()
    measures["client_cpu_after"] = time.process_time()
    run.postgres_seen.update(postgres_backends(run.database))
    # Backends come and go (CONN_MAX_AGE 60): each one counts from the start of the window or its birth.
    measures["postgres_cpu"] = sum(cpu - run.postgres_base.get(pid, 0.0) for pid, cpu in run.postgres_seen.items())
    await asyncio.wait(tasks, timeout=40)
    for task in tasks:
        task.cancel()
    if run.stream_client is not None:
        await run.stream_client.close()
    measures.update(warm_until=warm_until, stop_at=stop_at)
    return measures


# --------------------------------------------------------------------------------------------------------------
# Report


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def environment(info: dict, args, prepared: Prepared) -> list[str]:
    import aiohttp
    import django
    import gunicorn

    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    creation = "API POST /api/v1/requests (Bearer token)" if prepared.api_token else \
        "desk phone-call form POST /desk/call/ (the API was not available)"
    return [
        f"CPU: {cpu_model}, {len(os.sched_getaffinity(0))} cores usable; RAM {memory / 1024 / 1024:.1f} GiB; "
        f"load average before: {os.getloadavg()[0]:.2f}",
        f"Python {platform.python_version()}, Django {django.get_version()}, gunicorn {gunicorn.__version__}, "
        f"aiohttp {aiohttp.__version__}, PostgreSQL {info.get('postgres')} "
        f"(max_connections {info.get('max_connections')})",
        f"Server: gunicorn gthread (config/gunicorn.conf.py, preloaded and warmed up), {args.workers} workers x "
        f"{args.threads} threads, keep-alive 10 s, DEBUG off, "
        "sessions in the DB read through the cache, persistent DB connections (CONN_MAX_AGE 60), prepared "
        f"statements {os.environ.get('DATABASE_PREPARED_STATEMENTS', '1')}, "
        f"cache {'Redis' if args.redis else 'local memory'}",
        f"Data: {prepared.dataset['requests']} requests ({prepared.dataset['open_requests']} open), "
        f"{prepared.dataset['agents_in_database']} agents (demo seed {args.seed}); database {info['database']} "
        f"cloned from {info['seed_database']}",
        f"New requests through: {creation}; automatic routing {'on' if prepared.routing else 'off (service given)'}",
        "Load generator on the same machine (asyncio + aiohttp, one connection per agent): it competes for the "
        "same 2 cores as gunicorn and PostgreSQL.",
    ]


def report(run: Run, measures: dict, info: dict) -> bool:
    args, prepared = run.args, run.prepared
    window = measures["stop_at"] - measures["warm_until"]
    measured = [s for s in run.samples if measures["warm_until"] <= s.started < measures["stop_at"]]
    logins = [s for s in run.samples if s.op.startswith("login")]
    print()
    print("== Environment")
    for line in environment(info, args, prepared):
        print("  " + line)
    print("== Parameters")
    if run.live_base:
        streams = args.scale_connections or len(prepared.agents)
        print(f"  PUSH: {streams} Server-Sent Events streams on {args.live_server} ({args.live_workers} process(es))"
              f" at {run.live_base}; "
              + ("no agent work (scale test of the push path)" if args.scale_connections else
                 "agents do not poll; they decide every --poll seconds whether to open or work a request"))
    if args.scale_connections:  # the streams only: no agent polls, opens or works anything
        print(f"  streams over the sessions of {len(prepared.agents)} agents, new requests {args.rate:g}/s open-loop "
              f"(at most {args.max_inflight_creates} in flight), warm-up {args.warmup:g} s, measured {window:.0f} s")
    else:
        print(f"  agents {len(prepared.agents)}, poll every {args.poll:g} s (fixed timer, one poll in flight) "
              f"(If-None-Match), open a request with probability {args.open_probability:g} per poll, "
              f"new requests {args.rate:g}/s open-loop (at most {args.max_inflight_creates} in flight), "
              f"requests worked (take, reply, resolve) {args.handle_rate:g}/s, "
              f"warm-up {args.warmup:g} s, measured {window:.0f} s")
    print("== Results (measured window only; latency from request sent to body read, in ms)")
    header = f"  {'operation':<24}{'count':>8}{'errors':>8}{'req/s':>9}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    rows = {}
    groups: dict[str, list[Sample]] = {}
    for sample in measured:
        groups.setdefault(sample.op, []).append(sample)
    polls = [s for s in measured if s.op.startswith("poll")]
    if polls:
        groups["poll (all)"] = polls
    for op in sorted(groups, key=lambda o: (not o.startswith("poll"), o)):
        samples = groups[op]
        latencies = sorted(s.latency * 1000 for s in samples if s.ok)
        errors = sum(not s.ok for s in samples)
        rows[op] = {"count": len(samples), "errors": errors, "rate": len(samples) / window,
                    "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                    "p99": percentile(latencies, 99), "max": latencies[-1] if latencies else float("nan")}
        r = rows[op]
        print(f"  {op:<24}{r['count']:>8}{r['errors']:>8}{r['rate']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
              f"{r['p99']:>9.1f}{r['max']:>9.1f}")
    if logins:
        values = sorted(s.latency * 1000 for s in logins)
        print(f"  {'login (before window)':<24}{len(logins):>8}{sum(not s.ok for s in logins):>8}{'':>9}"
              f"{percentile(values, 50):>9.1f}{percentile(values, 95):>9.1f}{'':>9}{values[-1]:>9.1f}")
    # The warm-up is shown, not judged: 480 agents starting within two seconds on a cold server (each process
    # importing, loading the routing model, connecting, preparing statements, rendering every list for the
    # first time) build a backlog that the measured window must not inherit.
    warm = sorted(s.latency * 1000 for s in run.samples
                  if s.ok and not s.op.startswith("login") and s.started < measures["warm_until"])
    if warm:
        print(f"  {'all, during warm-up':<24}{len(warm):>8}{'':>8}{'':>9}{percentile(warm, 50):>9.1f}"
              f"{percentile(warm, 95):>9.1f}{percentile(warm, 99):>9.1f}{warm[-1]:>9.1f}")
    screen = lost = None
    if run.live_base:
        latencies, lost = delivery_latencies(run, measures["stop_at"], measures["warm_until"])
        values = sorted(v * 1000 for v in latencies)
        screen = {"count": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
                  "p99": percentile(values, 99), "max": values[-1] if values else float("nan")}
        print(f"  {'new request on screen':<24}{screen['count']:>8}{lost:>8}{'':>9}{screen['p50']:>9.1f}"
              f"{screen['p95']:>9.1f}{screen['p99']:>9.1f}{screen['max']:>9.1f}")
        print("  (one sample per new request and connected agent of its queue, from the API call sent to the list "
              "received on the stream; 'errors' = not received before the run's end: lost, or still on its way "
              "when the server is saturated)")
        connected = len(run.stream_connected)
        print(f"  streams connected: {connected} of {len(run.stream_topics)}; stream errors/reconnects: "
              f"{run.stream_errors}")
    print(f"  requests taken, answered and resolved by agents during the whole run: {run.handled}")
    if run.dropped_creates:
        print(f"  new requests not sent because {args.max_inflight_creates} were already waiting: "
              f"{run.dropped_creates}")
    for key, count in sorted(run.errors_seen.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  error x{count}: {key}")

    print("== Server")
    total_rss = 0.0
    for pid, values in sorted(run.rss_samples.items()):
        role = "master" if pid == run.master_pid else "worker"
        peak = max(values)
        total_rss += values[-1]
        print(f"  gunicorn {role} pid {pid}: RSS peak {peak:.0f} MiB, last {values[-1]:.0f} MiB")
    print(f"  gunicorn total RSS (last sample): {total_rss:.0f} MiB")
    for pid, values in sorted(run.live_rss.items()):
        print(f"  {args.live_server} (push) pid {pid}: RSS peak {max(values):.0f} MiB, last {values[-1]:.0f} MiB")
    busy = measures["cpu_after"][0] - measures["cpu_before"][0]
    total = measures["cpu_after"][1] - measures["cpu_before"][1]
    server_cpu = measures["server_cpu_after"] - measures["server_cpu_before"]
    push_cpu = measures["live_cpu_after"] - measures["live_cpu_before"]
    client_cpu = measures["client_cpu_after"] - measures["client_cpu_before"]
    postgres = measures["postgres_cpu"]
    served = sum(r["count"] for op, r in rows.items() if op != "poll (all)")
    cores = len(os.sched_getaffinity(0))
    print(f"  machine CPU busy {100 * busy / total:.0f} % of {cores} cores during the run "
          f"({100 * run.background:.0f} % busy before it started: other processes)")
    print(f"  CPU used: gunicorn {server_cpu / window:.2f} cores, "
          + (f"{args.live_server} (push streams) {push_cpu / window:.2f} cores, " if run.live_base else "")
          + f"PostgreSQL backends {postgres / window:.2f} cores, "
          f"load generator (this process, apart) {client_cpu / window:.2f} cores, everything else "
          f"{max(0.0, busy / total * cores - (server_cpu + push_cpu + postgres + client_cpu) / window):.2f} cores")
    server_share = (server_cpu + push_cpu + postgres) / window / cores
    print(f"  server CPU (web + push + PostgreSQL): {100 * server_share:.0f} % of the machine")
    before, after = measures.get("loadavg_before", (0, 0, 0)), measures.get("loadavg_after", (0, 0, 0))
    print(f"  load average (1/5/15 min) at the window's start {before[0]:.2f}/{before[1]:.2f}/{before[2]:.2f}, "
          f"at its end {after[0]:.2f}/{after[1]:.2f}/{after[2]:.2f}")
    other = max(0.0, busy / total * cores - (server_cpu + push_cpu + postgres + client_cpu) / window)
    if run.background > 0.25 or other > 0.25 * cores:
        print(f"  WARNING: the machine was busy with other work ({100 * run.background:.0f} % before the run, "
              f"{other:.2f} cores during it): these figures are an upper bound; re-run on a quiet machine")
    if served:
        per_request = (server_cpu + push_cpu + postgres) / served * 1000
        print(f"  server CPU per request (gunicorn + push + PostgreSQL, all operations mixed): {per_request:.1f} ms "
              f"-> about {cores * 1000 / per_request:.0f} requests/s if this mix had all {cores} cores")

    poll_rate = rows.get("poll (all)", {}).get("rate", 0.0)
    ideal_poll_rate = len(prepared.agents) / args.poll
    create_rate = rows.get("new request", {}).get("rate", 0.0)
    checks = []
    for op in ("poll (all)", "open request", "new request", "take (assign to me)", "reply to citizen", "resolve"):
        # The scale test judges the push path alone (issue 13: delivery p95 < 1 s with every stream held).
        if op in rows and not args.scale_connections:
            checks.append((f"{op} p95 {rows[op]['p95']:.0f} ms < {args.target_p95:.0f} ms",
                           rows[op]["p95"] < args.target_p95))
    if screen is not None:
        checks.append((f"new request on screen p95 {screen['p95']:.0f} ms < {TARGET_SCREEN_P95_MS:.0f} ms "
                       f"({screen['count']} deliveries)", screen["count"] > 0 and screen["p95"] < TARGET_SCREEN_P95_MS))
        checks.append((f"new requests not received by a connected agent of their queue before the end: {lost}",
                       lost == 0))
        checks.append((f"server CPU {100 * server_share:.0f} % < 50 % of the machine", server_share < 0.5))
    error_count = sum(r["errors"] for op, r in rows.items() if op != "poll (all)")
    count = sum(r["count"] for op, r in rows.items() if op != "poll (all)")
    checks.append((f"errors {error_count}/{count} < 1 %", count > 0 and error_count < 0.01 * count))
    if not run.live_base:
        checks.append((f"polls delivered {poll_rate:.0f}/s >= 90 % of {ideal_poll_rate:.0f}/s "
                       f"({len(prepared.agents)} agents / {args.poll:g} s)", poll_rate >= 0.9 * ideal_poll_rate))
    if args.rate > 0:
        checks.append((f"new requests delivered {create_rate:.1f}/s >= 95 % of {args.rate:g}/s",
                       create_rate >= 0.95 * args.rate))
    if args.scale_connections:
        held = len(run.stream_connected)
        checks.append((f"streams connected {held} of {args.scale_connections}", held == args.scale_connections))
        print(f"== Target: {args.scale_connections} streams held, new request on screen p95 < "
              f"{TARGET_SCREEN_P95_MS:.0f} ms, nothing lost")
    else:
        print("== Target: "
              f"{len(prepared.agents)} agents + {args.rate:g} new requests/s with p95 < {args.target_p95:.0f} ms")
    for label, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {label}")
    met = all(ok for _, ok in checks)
    print(f"  => target {'MET' if met else 'NOT MET'}")
    return met


# --------------------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=480)
    parser.add_argument("--rate", type=float, default=20.0, help="new requests per second (0: none)")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds, after the warm-up")
    parser.add_argument("--warmup", type=float, default=30.0,
                        help="seconds before the measured window (shown apart: the cold start of every process)")
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between polls (DESK_POLL_SECONDS)")
    parser.add_argument("--open-probability", type=float, default=0.033,
                        help="chance per poll that the agent opens a request (0.033: about once a minute)")
    parser.add_argument("--handle-rate", type=float, default=None,
                        help="requests taken, answered and resolved per second by all agents together "
                             "(default: agents / 240 s, four minutes per request; 0: agents only read; "
                             "--handle-rate 20 with --rate 20 is the stress case where agents keep up with "
                             "the peak arrival rate)")
    parser.add_argument("--requests", type=int, default=2000, help="demo requests in the seed database")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--real-logins", type=int, default=5)
    parser.add_argument("--max-inflight-creates", type=int, default=200)
    parser.add_argument("--local-cache", action="store_true",
                        help="each process's own memory for the cache, as the embedded default "
                             "(default: Redis db 15 on 127.0.0.1, as in production: one cache for all processes)")
    parser.add_argument("--wait-quiet", type=float, default=120.0,
                        help="wait up to this many seconds for other processes to leave the CPU below 25 %% busy")
    parser.add_argument("--samples", type=Path, help="also write every timed request to this CSV file")
    parser.add_argument("--fresh", action="store_true", help="rebuild the seed database (demo load) first")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--push", action="store_true",
                        help="agents' lists by Server-Sent Events from an ASGI server instead of polling")
    parser.add_argument("--scale-connections", type=int, default=0,
                        help="push path alone: this many streams, no agent work (implies --push)")
    parser.add_argument("--stress", action="store_true",
                        help="issue 13's stress case: --push --handle-rate 20 --target-p95 300 (agents keeping up "
                             "with 20 new requests/s)")
    parser.add_argument("--live-server", choices=("uvicorn", "granian"), default="uvicorn")
    parser.add_argument("--live-workers", type=int, default=1, help="processes of the ASGI server of the streams")
    parser.add_argument("--target-p95", type=float, default=TARGET_P95_MS,
                        help="p95 target of every operation in ms (100 at the default load; 300 for the stress case)")
    args = parser.parse_args(argv)
    if args.stress:
        args.push = True
        args.handle_rate = 20.0 if args.handle_rate is None else args.handle_rate
        args.target_p95 = 300.0 if args.target_p95 == TARGET_P95_MS else args.target_p95
    if args.scale_connections:
        args.push = True
    args.redis = not args.local_cache
    if args.handle_rate is None:
        args.handle_rate = args.agents / 240
    if args.agents < 4 or args.duration <= 0 or args.duration > 1800 or args.poll <= 0:
        parser.error("--agents >= 4, 0 < --duration <= 1800, --poll > 0")
    if args.redis:
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", 6379)) != 0:
                raise SystemExit("no Redis server on 127.0.0.1:6379: start one, or pass --local-cache")
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        # The bench's own Redis database: no consumer runs here, so the jobs a run queues (citizens' notices) would
        # pile up across runs; each run starts from an empty cache and queue.
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    else:
        os.environ.pop("REDIS_URL", None)

    info = prepare_database(args.database_url, args.agents, args.requests, args.seed, args.fresh)
    prepared = prepare_django(args.database_url, args.agents)
    deadline = time.monotonic() + args.wait_quiet
    while args.wait_quiet > 0 and time.monotonic() < deadline:
        busy = background_busy()
        if busy < 0.25:
            break
        log(f"machine {100 * busy:.0f} % busy with other work; waiting (at most {args.wait_quiet:g} s in all)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logfile = Path(tempfile.gettempdir()) / f"bawaba-bench-gunicorn-{port}.log"
    log(f"starting gunicorn on {base} ({args.workers} workers x {args.threads} threads); log {logfile}")
    server = start_gunicorn(args.database_url, port, args.workers, args.threads, logfile)
    live_server = None
    try:
        wait_ready(base, server)
        run = Run(base=base, prepared=prepared, args=args, master_pid=server.pid, database=info["database"])
        if args.push:
            live_port = free_port()
            run.live_base = f"http://127.0.0.1:{live_port}"
            log(f"starting {args.live_server} for the push streams on {run.live_base}; log {logfile}")
            live_server = start_live_server(args.database_url, live_port, args.live_server, args.live_workers,
                                            logfile)
            run.live_pid = live_server.pid
            wait_ready(run.live_base, live_server, timeout=90)
        # Each agent polls every --poll seconds: this chance per poll gives --handle-rate in all.
        run.handle_probability = min(1.0, args.handle_rate * args.poll / len(prepared.agents))
        run.background = background_busy()
        log(f"background CPU load before the run: {100 * run.background:.0f} % of the machine")
        log(f"driving: {len(prepared.agents)} agents, {args.rate:g} new requests/s, "
            f"{args.warmup:g} s warm-up + {args.duration:g} s")
        measures = asyncio.run(drive(run, server.pid))
    finally:
        stop_process(server)
        if live_server is not None:
            stop_process(live_server)
        log("servers stopped")
    met = report(run, measures, info)
    if args.samples:
        with args.samples.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["operation", "seconds_since_window_start", "latency_ms", "ok", "status"])
            for sample in run.samples:
                writer.writerow([sample.op, f"{sample.started - measures['warm_until']:.3f}",
                                 f"{sample.latency * 1000:.1f}", int(sample.ok), sample.status])
    if logfile.exists() and logfile.stat().st_size:
        lines = [line for line in logfile.read_text(errors="replace").splitlines()
                 if line.strip() and "routing model loaded" not in line]
        if lines:
            print(f"== server log ({len(lines)} lines in {logfile}; last ones)")
            for line in lines[-12:]:
                print("  " + line[:200])
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
