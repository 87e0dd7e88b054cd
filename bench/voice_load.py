"""Voice load benchmark: the provider's callbacks with 300 calls waiting and 100 call events per second, while
the desk's 480 agents keep their desk pages open as in production (one push stream each).

    .venv/bin/python bench/voice_load.py [--calls 300] [--rate 100] [--duration 60] [--agents 480] [--poll-only]

Production layout (the default, since 2026-12-07): every agent holds one Server-Sent Events stream of the desk
(/desk/live/?view=page on uvicorn, config.asgi) that carries the screen pop and the phone bar's state changes;
the bar's poll only runs as a safety net once a minute (--poll 60). `--poll-only` gives the layout of the
earlier runs (no stream, every agent polling the bar; --poll defaults to 5 s there, production's fallback
polls every VOICE_POLL_SECONDS = 2 s).

What it does (everything on loopback; everything it starts, it stops):
1. PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bawaba_voice_bench): the seed database of
   bench/desk_load.py (migrate + `bawaba demo load` with --agents agents), cloned for this run; a voice number
   for Algérie Télécom with a two-language IVR and a two-key menu; --available agents set available (their
   calls are offered, the ringing jobs wait in Huey: no consumer runs), the others paused.
2. gunicorn with the production configuration (config/gunicorn.conf.py), 3 workers x 1 thread by default.
3. asyncio + aiohttp drive it, open-loop at --rate events per second, as Africa's Talking would:
   fill: new calls (arrival, language key, menu key) until --calls wait in the queues;
   steady (--duration seconds): arrivals and menu keys of new calls, hang-ups of the oldest waiting calls to
   keep --calls waiting, 5 % replayed callbacks and 3 % nonsense keys; every agent polls /voice/phone/bar/
   every --poll seconds with If-None-Match (304 while nothing changed).
4. Prints the environment (with the load average before and after: the machine may be shared), the
   parameters, a table per operation (count, errors, p50/p95/p99 ms) and whether every callback's p95 is under
   100 ms; the CPU of the steady phase apart: gunicorn (the callbacks), uvicorn (the streams), PostgreSQL
   (the bench database's backends), this load generator, and what the rest of the machine used. When other
   work used more than a fifth of a core, it says so: latencies are then not the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import math
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import desk_load  # noqa: E402 - the shared seed database, gunicorn start and stop
import procstat  # noqa: E402 - CPU and memory of processes from /proc (shared with bench/desk_load.py)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bawaba_voice_bench"
SECRET = "bench-voice-secret"
NUMBER = "+213215550100"
TARGET_P95_MS = 100.0
log = desk_load.log


def prepare_voice(available: int) -> dict:
    """The voice number and the agents' phone states (ORM in this process, then every connection closed)."""
    from django.db import connections
    from django.utils import timezone

    from bawaba.accounts.models import DESK_AGENT, User
    from bawaba.orgs.models import Organisation, Service
    from bawaba.voice.models import AgentState, MenuOption, VoiceNumber

    org = Organisation.objects.get(slug="algerie-telecom")
    number, _ = VoiceNumber.objects.update_or_create(number=NUMBER, defaults={
        "organisation": org, "greeting_fr": "Bienvenue.", "greeting_ar": "مرحبا.",
        "default_service": Service.objects.get(code="algerie-telecom/faults"),
        "callback_threshold_seconds": 10**6})  # waiters wait: the queue must hold --calls callers
    for digit, code in (("1", "algerie-telecom/faults"), ("2", "algerie-telecom/billing")):
        MenuOption.objects.update_or_create(number=number, digit=digit, defaults={
            "label_fr": code, "service": Service.objects.get(code=code)})
    # The seed's opening hours would close the line at night: open around the clock for the benchmark.
    import datetime as dt

    from bawaba.orgs.models import BusinessHours

    BusinessHours.objects.filter(organisation=org).delete()
    BusinessHours.objects.bulk_create([BusinessHours(organisation=org, weekday=day, opens=dt.time(0, 0),
                                                     closes=dt.time(23, 59, 59)) for day in range(7)])
    org.holidays.all().delete()
    now = timezone.now()
    agents = list(User.objects.filter(grants__role=DESK_AGENT, organisation=org).order_by("pk"))
    AgentState.objects.filter(organisation=org).delete()
    AgentState.objects.bulk_create([
        AgentState(user=user, organisation=org, since=now, contact=f"sip:{user.username}@bench.invalid",
                   state="available" if index < available else "paused",
                   pause_reason="" if index < available else "back_office")
        for index, user in enumerate(agents)])
    connections.close_all()
    return {"at_agents": len(agents), "available": min(available, len(agents))}


def fix_sessions(prepared) -> None:
    """desk_load's sessions name the first authentication backend, which may be a sign-in throttle without
    `get_user` (every request would then fail): name the first backend that can load a user."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, load_backend
    from django.db import connections

    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for _username, key in prepared.agents:
        session = store(session_key=key)
        session[BACKEND_SESSION_KEY] = backend
        session.save()
    connections.close_all()


class Stats:
    def __init__(self):
        self.samples = collections.defaultdict(list)
        self.errors = collections.Counter()
        self.statuses = collections.Counter()
        self.exceptions = collections.Counter()

    def add(self, op: str, ms: float, status: int, ok: bool):
        self.samples[op].append(ms)
        self.statuses[(op, status)] += 1
        if not ok:
            self.errors[op] += 1


class Calls:
    """The simulated callers: sessions in the menu and waiting ones, oldest first."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.counter = 0
        self.ivr: collections.deque = collections.deque()  # (session, next step, next url)
        self.queued: collections.deque = collections.deque()
        self.last: dict = {}  # session -> (url, data) of its last callback, for replays


async def post(client, stats: Stats, op: str, url: str, data: dict) -> bytes:
    started = time.perf_counter()
    try:
        async with client.post(url, data=data) as response:
            body = await response.read()
            status = response.status
    except Exception as exc:  # noqa: BLE001 - counted as an error of this operation
        stats.exceptions[f"{exc.__class__.__name__}: {str(exc)[:80]}"] += 1
        stats.add(op, (time.perf_counter() - started) * 1000, 0, False)
        return b""
    ok = status == 200 and body.startswith(b"<?xml")
    stats.add(op, (time.perf_counter() - started) * 1000, status, ok)
    return body


def next_url(body: bytes, default: str) -> str:
    marker = b'callbackUrl="'
    index = body.find(marker)
    if index < 0:
        return default
    end = body.index(b'"', index + len(marker))
    return body[index + len(marker):end].decode().replace("&amp;", "&")


async def event(client, base: str, calls: Calls, stats: Stats, target: int, steady: bool):
    callback = f"{base}/voice/callbacks/africastalking/{SECRET}/"
    rng = calls.rng
    roll = rng.random()
    if steady and roll < 0.05 and calls.last:
        session = rng.choice(list(calls.last))
        url, data = calls.last[session]
        await post(client, stats, "replay", url, data)
        return
    if steady and len(calls.queued) >= target:
        session = calls.queued.popleft()
        data = {"isActive": "0", "sessionId": session, "direction": "inbound", "callerNumber": "+213550123456",
                "destinationNumber": NUMBER, "durationInSeconds": "120"}
        calls.last.pop(session, None)
        await post(client, stats, "hang_up", callback, data)
        return
    if calls.ivr and (not steady or roll > 0.35):
        session, step, url = calls.ivr.popleft()
        nonsense = steady and roll > 0.97
        digits = "*9#x" if nonsense else "1"
        data = {"isActive": "1", "sessionId": session, "direction": "inbound", "callerNumber": "+213550123456",
                "destinationNumber": NUMBER, "dtmfDigits": digits}
        body = await post(client, stats, "nonsense_keys" if nonsense else step, url, data)
        calls.last[session] = (url, data)
        if nonsense or step == "language":
            calls.ivr.append((session, "language" if nonsense and step == "language" else
                              ("menu" if not nonsense else step), next_url(body, callback)))
        else:
            calls.queued.append(session)
        return
    calls.counter += 1
    session = f"ATVId_bench_{os.getpid()}_{calls.counter}"
    data = {"isActive": "1", "sessionId": session, "direction": "inbound",
            "callerNumber": f"+2135501{calls.counter % 100000:05d}", "destinationNumber": NUMBER}
    body = await post(client, stats, "arrival", callback, data)
    calls.last[session] = (callback, data)
    calls.ivr.append((session, "language", next_url(body, callback)))


async def poll_bar(client, base: str, cookie_name: str, session_key: str, stats: Stats, stop_at: float,
                   poll: float, rng: random.Random):
    await asyncio.sleep(rng.random() * poll)
    etag = ""
    headers = {"Cookie": f"{cookie_name}={session_key}", "HX-Request": "true",
               "HX-Current-URL": f"{base}/desk/"}
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            async with client.get(f"{base}/voice/phone/bar/", headers={**headers, "If-None-Match": etag},
                                  allow_redirects=False) as response:
                await response.read()
                etag = response.headers.get("ETag", etag)
                status = response.status
        except Exception as exc:  # noqa: BLE001
            stats.exceptions[f"{exc.__class__.__name__}: {str(exc)[:80]}"] += 1
            status = 0
        stats.add("agent_bar_poll", (time.perf_counter() - started) * 1000, status, status in (200, 204, 304))
        await asyncio.sleep(poll)


def server_cpu(master: int) -> float:
    return procstat.tree_cpu_seconds(master)


class Streams:
    """The agents' push streams (production layout): connected, events received, errors."""

    def __init__(self):
        self.connected = 0
        self.events = 0
        self.errors = 0
        self.ready = asyncio.Event()
        self.expected = 0


async def hold_stream(client, live_base: str, cookie_name: str, session_key: str, streams: Streams):
    """One desk page's stream (GET /desk/live/?view=page): reads it until cancelled, reconnecting with
    Last-Event-ID as a browser's EventSource would."""
    import aiohttp

    last_id, counted = "", False
    while True:
        headers = {"Accept": "text/event-stream", "Accept-Language": "fr", "Cookie": f"{cookie_name}={session_key}"}
        if last_id:
            headers["Last-Event-ID"] = last_id
        try:
            async with client.get(f"{live_base}/desk/live/?view=page", headers=headers) as response:
                if response.status != 200:
                    streams.errors += 1
                    await asyncio.sleep(3)
                    continue
                buffer = b""
                async for chunk in response.content.iter_any():
                    buffer += chunk
                    while b"\n\n" in buffer:
                        message, buffer = buffer.split(b"\n\n", 1)
                        if not counted:
                            counted = True
                            streams.connected += 1
                            if streams.connected >= streams.expected:
                                streams.ready.set()
                        for line in message.split(b"\n"):
                            if line.startswith(b"id: "):
                                last_id = line[4:].decode()
                                streams.events += 1
        except (TimeoutError, aiohttp.ClientError):
            streams.errors += 1
            await asyncio.sleep(1)


postgres_cpu = procstat.postgres_cpu_since  # CPU seconds of the bench database's backends since a reading


async def drive(args, base: str, prepared, master: int, live_base: str = "", live_pid: int = 0,
                database: str = "") -> tuple[Stats, dict]:
    import aiohttp

    rng = random.Random(args.seed)
    stats = Stats()
    calls = Calls(rng)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    info = {}
    streams = Streams()
    holders = []
    stream_client = None
    if live_base:  # the desks' pages: one stream per agent, opened before anything else
        stream_client = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=60, sock_read=None))
        streams.expected = len(prepared.agents)
        holders = [asyncio.create_task(hold_stream(stream_client, live_base, prepared.session_cookie, key, streams))
                   for _name, key in prepared.agents]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(streams.ready.wait(), 120)
        info["streams_connected"] = streams.connected
    try:
        return await _drive(args, base, prepared, master, live_pid, database, rng, stats, calls, connector, timeout,
                            info, streams)
    finally:
        for holder in holders:
            holder.cancel()
        await asyncio.gather(*holders, return_exceptions=True)
        if stream_client is not None:
            await stream_client.close()


async def _drive(args, base, prepared, master, live_pid, database, rng, stats, calls, connector, timeout, info,
                 streams):
    import aiohttp

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        # Fill: new calls walk through the menu until --calls wait.
        fill_started = time.monotonic()
        interval = 1 / args.rate
        tasks = set()
        tick = time.monotonic()
        while len(calls.queued) < args.calls and time.monotonic() - fill_started < 600:
            task = asyncio.create_task(event(client, base, calls, stats, args.calls, steady=False))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            tick += interval
            await asyncio.sleep(max(0, tick - time.monotonic()))
        await asyncio.gather(*tasks)
        info["fill_seconds"] = round(time.monotonic() - fill_started, 1)
        info["waiting_after_fill"] = len(calls.queued)
        fill = stats
        stats = Stats()
        cpu_before = server_cpu(master)
        live_before = server_cpu(live_pid) if live_pid else 0.0
        _pg, pg_before = postgres_cpu(database) if database else (0.0, {})
        client_before, machine_before, wall_before = time.process_time(), procstat.machine_cpu(), time.monotonic()
        events_before = streams.events
        stop_at = time.monotonic() + args.duration
        pollers = [asyncio.create_task(poll_bar(client, base, prepared.session_cookie, key, stats, stop_at,
                                                args.poll, rng)) for _name, key in prepared.agents]
        tick = time.monotonic()
        sent = 0
        while time.monotonic() < stop_at:
            task = asyncio.create_task(event(client, base, calls, stats, args.calls, steady=True))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
            tick += interval
            await asyncio.sleep(max(0, tick - time.monotonic()))
        await asyncio.gather(*tasks, *pollers)
        info["server_cpu_seconds"] = round(server_cpu(master) - cpu_before, 2)
        info["live_cpu_seconds"] = round(server_cpu(live_pid) - live_before, 2) if live_pid else 0.0
        info["postgres_cpu_seconds"] = round(postgres_cpu(database, pg_before)[0], 2) if database else 0.0
        info["client_cpu_seconds"] = round(time.process_time() - client_before, 2)
        machine_after = procstat.machine_cpu()
        window = time.monotonic() - wall_before
        busy = (machine_after[0] - machine_before[0]) / max(1, machine_after[1] - machine_before[1])
        info["window_seconds"] = round(window, 1)
        info["machine_cores_busy"] = round(busy * (os.cpu_count() or 1), 2)
        info["other_cores"] = round(max(0.0, busy * (os.cpu_count() or 1) - (
            info["server_cpu_seconds"] + info["live_cpu_seconds"] + info["postgres_cpu_seconds"]
            + info["client_cpu_seconds"]) / window), 2)
        info["stream_events"] = streams.events - events_before
        info["stream_errors"] = streams.errors
        info["events_sent"] = sent
        info["events_per_second"] = round(sent / args.duration, 1)
        info["waiting_at_end"] = len(calls.queued)
    return stats, {**info, "fill": fill}


def percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile of values sorted ascending; `percent` in 0-100 (50, 95, 99).

    Until 2026-12-06 this table called desk_load.percentile with fractions (0.5, 0.95, 0.99) where it expects
    percents: the rank came out as 1 every time, so p50, p95 and p99 were all the fastest sample."""
    if not sorted_values:
        return float("nan")
    if not 0 < percent <= 100:
        raise ValueError("percent is between 0 (excluded) and 100")
    rank = math.ceil(percent / 100 * len(sorted_values))  # 1-based: the smallest value with percent% at or below
    return sorted_values[min(len(sorted_values), max(rank, 1)) - 1]


def table(stats: Stats) -> tuple[list[str], bool]:
    lines = [f"{'operation':<16}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses"]
    met = True
    for op in sorted(stats.samples):
        values = sorted(stats.samples[op])
        p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
        statuses = ",".join(f"{s}:{n}" for (o, s), n in sorted(stats.statuses.items()) if o == op)
        lines.append(f"{op:<16}{len(values):>8}{stats.errors[op]:>8}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}  {statuses}")
        if op != "agent_bar_poll" and (p95 >= TARGET_P95_MS or stats.errors[op]):
            met = False
    return lines, met


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls kept waiting in the queues")
    parser.add_argument("--rate", type=float, default=100.0, help="call events per second")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--agents", type=int, default=480, help="agents with a desk page open")
    parser.add_argument("--available", type=int, default=20, help="agents available at the start")
    parser.add_argument("--poll", type=float, default=None,
                        help="seconds between two polls of the phone bar by an agent (default: 60, the safety "
                             "net beside the stream; 5 with --poll-only)")
    parser.add_argument("--poll-only", action="store_true",
                        help="the earlier layout: no push stream, every agent polls the phone bar")
    parser.add_argument("--requests", type=int, default=2000, help="demo requests in the seed database")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("VOICE_BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    if args.poll is None:
        args.poll = 5.0 if args.poll_only else 60.0
    if urlparse(args.database_url).hostname not in desk_load.LOOPBACK:
        raise SystemExit("loopback databases only")
    load_before = os.getloadavg()
    background = procstat.background_busy() * (os.cpu_count() or 1)
    if background > 0.2:
        log(f"WARNING: the machine is busy before the run ({background:.2f} cores used by other work): "
            "latencies will not be the server's; CPU per request still compares")
    var_dir = tempfile.mkdtemp(prefix="voice-bench-")
    os.environ.update({"BAWABA_VAR_DIR": var_dir, "VOICE_CALLBACK_SECRET": SECRET, "HUEY_IMMEDIATE": "0",
                       "VOICE_AT_CALL_URL": "http://127.0.0.1:9/call"})
    info = desk_load.prepare_database(args.database_url, args.agents, args.requests, args.seed, args.fresh)
    prepared = desk_load.prepare_django(args.database_url, args.agents)
    fix_sessions(prepared)
    info.update(prepare_voice(args.available))
    port = desk_load.free_port()
    logfile = Path(var_dir) / "gunicorn.log"
    server = desk_load.start_gunicorn(args.database_url, port, args.workers, args.threads, logfile)
    base = f"http://127.0.0.1:{port}"
    live = None
    live_base = ""
    try:
        if not args.poll_only:
            live_port = desk_load.free_port()
            live = desk_load.start_live_server(args.database_url, live_port, "uvicorn", 1,
                                               Path(var_dir) / "uvicorn.log")
            live_base = f"http://127.0.0.1:{live_port}"
        desk_load.wait_ready(base, server)
        if live is not None:
            desk_load.wait_ready(live_base, live)
        started = time.time()
        stats, run = asyncio.run(drive(args, base, prepared, server.pid, live_base, live.pid if live else 0,
                                       urlparse(args.database_url).path.lstrip("/")))
        elapsed = time.time() - started
    finally:
        desk_load.stop_process(server)
        if live is not None:
            desk_load.stop_process(live)
    load_after = os.getloadavg()
    print()
    print("# Voice load benchmark (bench/voice_load.py)")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; host: {platform.node()}; "
          f"{os.cpu_count()} CPUs; Python {platform.python_version()}; PostgreSQL {info.get('postgres')}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {' '.join(f'{x:.2f}' for x in load_after)} (the machine is shared: figures are noisy)")
    layout = ("poll only (no push stream)" if args.poll_only else
              f"push: {run.get('streams_connected', 0)} streams on uvicorn, {run['stream_events']} events received")
    print(f"parameters: calls waiting {args.calls}, rate {args.rate}/s, duration {args.duration}s, "
          f"{len(prepared.agents)} agents, {layout}, phone bar polled every {args.poll}s, "
          f"available agents {info['available']}, gunicorn {args.workers}x{args.threads}")
    print(f"other work before the run: {background:.2f} cores")
    print(f"fill: {run['fill_seconds']} s to put {run['waiting_after_fill']} calls in the queue; "
          f"steady: {run['events_sent']} events ({run['events_per_second']}/s), "
          f"{run['waiting_at_end']} waiting at the end; wall time {elapsed:.0f} s")
    answered = sum(len(v) for v in stats.samples.values())
    polls = len(stats.samples.get("agent_bar_poll", []))
    callbacks = answered - polls
    window = run["window_seconds"]
    print(f"CPU in the steady phase ({window} s): gunicorn {run['server_cpu_seconds']} s, "
          f"uvicorn (streams) {run['live_cpu_seconds']} s, PostgreSQL {run['postgres_cpu_seconds']} s, "
          f"this load generator {run['client_cpu_seconds']} s; machine {run['machine_cores_busy']} cores busy, "
          f"other work {run['other_cores']} cores")
    per_callback = 1000 * (run["server_cpu_seconds"] + run["postgres_cpu_seconds"]) / max(callbacks, 1)
    server_share = (run["server_cpu_seconds"] + run["live_cpu_seconds"] + run["postgres_cpu_seconds"]) \
        / window / (os.cpu_count() or 1)
    print(f"server CPU per request: gunicorn {1000 * run['server_cpu_seconds'] / max(answered, 1):.1f} ms "
          f"({callbacks} callbacks and {polls} bar polls, errors included); gunicorn + PostgreSQL per callback "
          f"(the polls' share counted in): {per_callback:.1f} ms; server share of the machine "
          f"{100 * server_share:.0f} %")
    if run["other_cores"] > 0.2 or background > 0.2:
        print(f"WARNING: other work used {max(run['other_cores'], background):.2f} cores: the latencies below are "
              "not the server's (re-run on a quiet machine); the CPU figures above still compare")
    if run.get("stream_errors"):
        print(f"stream errors (reconnections): {run['stream_errors']}")
    print("\n## fill")
    print("\n".join(table(run["fill"])[0]))
    print("\n## steady state")
    lines, met = table(stats)
    print("\n".join(lines))
    for text, count in (stats.exceptions + run["fill"].exceptions).most_common(5):
        print(f"client errors: {count} x {text}")
    print(f"\ntarget (p95 < {TARGET_P95_MS:.0f} ms for every callback, no errors): {'MET' if met else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
