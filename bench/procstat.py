"""CPU time and memory of processes, read from Linux's /proc: one helper for the load benchmarks
(bench/desk_load.py, bench/voice_load.py), so they count the servers' CPU the same way.

CPU time (user + system, in seconds) rather than wall-clock time: on a machine shared with other work it says
what the servers did, not how long they waited for a core.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct children of `pid` (a server's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 if it is gone)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    return 0.0


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a server: the process and its direct children (gunicorn's or uvicorn's workers)."""
    if not pid:
        return 0.0
    return sum(cpu_seconds(p) for p in [pid, *children(pid)])


def rss_mib(pid: int) -> float:
    with contextlib.suppress(OSError, IndexError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def postgres_backends(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving `database` (its process title names it)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if title.startswith("postgres: ") and f" {database} " in title:
                    found[int(entry.name)] = cpu_seconds(int(entry.name))
    return found


def postgres_cpu_since(database: str, before: dict[int, float] | None = None) -> tuple[float, dict[int, float]]:
    """CPU seconds of `database`'s backends since `before` (backends born since count whole), and the new
    reading to pass as `before` next time."""
    now = postgres_backends(database)
    before = before or {}
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items()), now


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def background_busy(seconds: float = 3.0) -> float:
    """Share of the machine's CPU busy over the next `seconds` (before a benchmark starts: other processes)."""
    before = machine_cpu()
    time.sleep(seconds)
    after = machine_cpu()
    return (after[0] - before[0]) / max(1, after[1] - before[1])
