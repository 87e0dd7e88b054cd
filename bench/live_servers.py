"""Which ASGI server for the push streams: uvicorn or granian, on the embedded default (SQLite, demo data).

    BAWABA_VAR_DIR=var .venv/bin/python bench/live_servers.py uvicorn 1000 10
    BAWABA_VAR_DIR=var .venv/bin/python bench/live_servers.py granian 1000 10

Starts the server (one process, config.asgi) on the demo database of BAWABA_VAR_DIR (scripts/dev's), opens N
desk streams as at.agent1, measures the server's memory and its CPU while they sit idle, then adds M notes
to requests of the list through the desk's form, one a second, and times each change from the POST sent to
the list received on every stream (p50/p95/max). Prints the load average: on a busy machine latencies are
mostly waiting for a core; compare the servers in runs made at the same time, and re-run on a quiet machine.
"""
import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = str(Path(__file__).resolve().parent.parent)
server, N, M = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
port = 8770 + (server == "granian")
env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
BIN = Path(sys.executable).parent
if server == "granian":
    cmd = [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
           "--workers", "1", "--loop", "uvloop", "--no-ws", "--log-level", "warning", "--backlog", "8192",
           "config.asgi:application"]
else:
    cmd = [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
           "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--lifespan", "off", "--backlog", "8192",
           "--log-level", "warning"]
proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def processes(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *map(int, found)]


def cpu(pid):
    total = 0.0
    for p in processes(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss(pid):
    total = 0.0
    for p in processes(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                total += int(line.split()[1]) / 1024
    return total


async def main():
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as c:
        for _ in range(300):
            try:
                async with c.get(base + "/healthz") as r:
                    if r.status == 200:
                        break
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
        async with c.get(base + "/accounts/login/") as r:
            token = CSRF.search(await r.text()).group(1)
        login = {"csrfmiddlewaretoken": token, "username": "at.agent1", "password": "bawaba-demo"}
        async with c.post(base + "/accounts/login/", data=login, headers={"Referer": base},
                          allow_redirects=False) as r:
            assert r.status == 302, "sign-in failed (is the demo loaded in BAWABA_VAR_DIR?)"
        cookie = {k: v.value for k, v in c.cookie_jar.filter_cookies(base).items()}
        async with c.get(base + "/desk/") as r:
            refs = re.findall(r'data-reference="([^"]+)"', await r.text())
    print(server, "rss before", round(rss(proc.pid)), "MiB")
    arrivals: dict[int, list[float]] = {}
    ready = 0
    client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar(),
                                   timeout=aiohttp.ClientTimeout(total=None))
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookie.items())}

    async def stream():
        nonlocal ready
        async with client.get(base + "/desk/live/?view=queue", headers=headers) as r:
            buf = b""
            async for chunk in r.content.iter_any():
                buf += chunk
                while b"\n\n" in buf:
                    msg, buf = buf.split(b"\n\n", 1)
                    if msg.startswith(b"retry"):
                        ready += 1
                    if msg.startswith(b"id: "):
                        event_id = int(msg[4:msg.index(b"\n")])
                        arrivals.setdefault(event_id, []).append(time.monotonic())

    tasks = [asyncio.create_task(stream()) for _ in range(N)]
    t0 = time.monotonic()
    while ready < N and time.monotonic() - t0 < 120:
        await asyncio.sleep(0.2)
    print(server, "connected", ready, "in", round(time.monotonic() - t0, 1), "s; rss", round(rss(proc.pid)), "MiB")
    await asyncio.sleep(3)
    c0 = cpu(proc.pid)
    await asyncio.sleep(5)
    print(server, f"idle CPU {(cpu(proc.pid) - c0) / 5 * 100:.1f} % of a core with {N} streams")
    latencies = []
    async with aiohttp.ClientSession(cookies=cookie, cookie_jar=aiohttp.CookieJar(unsafe=True)) as w:
        c0, w0 = cpu(proc.pid), time.monotonic()
        for k in range(M):
            ref = refs[k % len(refs)]
            async with w.get(base + f"/desk/r/{ref}/") as r:
                token = CSRF.search(await r.text()).group(1)
            before = set(arrivals)
            sent = time.monotonic()
            async with w.post(base + f"/desk/r/{ref}/note/", data={"csrfmiddlewaretoken": token, "body": f"note {k}"},
                              headers={"Referer": base}, allow_redirects=False) as r:
                assert r.status == 302, r.status
            await asyncio.sleep(1.0)
            for event_id in [e for e in arrivals if e not in before]:
                latencies += [at - sent for at in arrivals[event_id]]
        spent, wall = cpu(proc.pid) - c0, time.monotonic() - w0
    latencies.sort()
    p50, p95 = latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.95)] * 1000
    print(server, f"deliveries {len(latencies)} within 1 s (expected {N * M}); p50 {p50:.0f} ms p95 {p95:.0f} ms "
          f"max {latencies[-1] * 1000:.0f} ms; server CPU {spent / wall * 100:.0f} % of a core during changes; "
          f"rss {round(rss(proc.pid))} MiB; load average {os.getloadavg()}")
    for task in tasks:
        task.cancel()
    await client.close()


try:
    asyncio.run(main())
finally:
    proc.terminate()
    proc.wait(10)
