"""Test helpers: the ASGI application served by uvicorn in a thread of the test process (same test database),
or in processes of its own; and a small blocking Server-Sent Events reader."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_without_table_locks(sender, connection, **kwargs) -> None:
    """SQLite's test database lives in memory in shared-cache mode, where a reader holds a lock on each table it
    reads and a writer that meets it fails at once ("database table is locked"), with no busy timeout: the
    server's threads, reading the events table and the sessions while a test writes, made the push tests fail
    now and then. Their connections read without table locks (`read_uncommitted`, which only shared-cache mode
    knows). Test harness only: a real SQLite database (a file, WAL) has no table locks and waits for its lock."""
    if connection.vendor == "sqlite" and threading.current_thread() is not threading.main_thread():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


@contextmanager
def asgi_server_thread():
    """config.asgi served by uvicorn in a thread of this process: it sees the test database (transactional
    tests). Yields the base URL."""
    import uvicorn
    from django.db.backends.signals import connection_created

    from config.asgi import application

    connection_created.connect(_read_without_table_locks, dispatch_uid="live-testing-read-uncommitted")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", loop="asyncio", http="h11",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = server.force_exit = True  # open streams end with the server
        thread.join(10)
        _close_server_connections()
        connection_created.disconnect(dispatch_uid="live-testing-read-uncommitted")


def _close_server_connections() -> None:
    """The server's threads kept database connections (and on PostgreSQL the listener's): end them, or the
    test database cannot be dropped at the end of the session."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@contextmanager
def asgi_server_processes(env: dict, count: int = 2):
    """`count` uvicorn processes serving config.asgi, started together; yields their base URLs once all answer."""
    processes, bases = [], []
    try:
        for _ in range(count):
            port = free_port()
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port",
                 str(port), "--log-level", "warning", "--lifespan", "off"],
                cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 90
        for process, base in zip(processes, bases, strict=True):
            while True:
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("uvicorn did not start: " + process.stderr.read().decode()[-2000:]) from None
                    time.sleep(0.1)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        _close_server_connections()


class EventReader:
    """Reads a text/event-stream response in a thread; `next(event=..., timeout=...)` returns the next
    message {"event", "id", "data"} of that type, or raises TimeoutError."""

    def __init__(self, url: str, *, cookies: dict | None = None, headers: dict | None = None):
        self.messages: list[dict] = []
        self.status: int | None = None
        self._condition = threading.Condition()
        self._client = httpx.Client(cookies=cookies or {}, timeout=httpx.Timeout(5, read=None))
        self._closed = False
        self.ended = False
        self._thread = threading.Thread(target=self._run, args=(url, headers or {}), daemon=True)
        self._thread.start()
        self._read = 0

    def _run(self, url, headers):
        try:
            with self._client.stream("GET", url, headers={"Accept": "text/event-stream", **headers}) as response:
                with self._condition:
                    self.status = response.status_code
                    self._condition.notify_all()
                message: dict = {}
                for line in response.iter_lines():
                    if self._closed:
                        return
                    if not line:
                        if message:
                            with self._condition:
                                self.messages.append(message)
                                self._condition.notify_all()
                        message = {}
                        continue
                    if line.startswith(":"):
                        continue
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "data":
                        message["data"] = message["data"] + "\n" + value if "data" in message else value
                    elif name in ("event", "id"):
                        message[name] = value
        except (httpx.HTTPError, RuntimeError):
            pass
        with self._condition:
            self.ended = True
            self._condition.notify_all()

    def wait_end(self, timeout: float = 10) -> bool:
        """True once the server ended the stream."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while not self.ended and time.monotonic() < deadline:
                self._condition.wait(0.1)
        return self.ended

    def next(self, event: str | None = None, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                while self._read < len(self.messages):
                    message = self.messages[self._read]
                    self._read += 1
                    if event is None or message.get("event") == event:
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no {event or 'message'} within {timeout} s; got {self.messages}")
                self._condition.wait(remaining)

    def wait_status(self, timeout: float = 10) -> int:
        deadline = time.monotonic() + timeout
        with self._condition:
            while self.status is None and not self.ended and time.monotonic() < deadline:
                self._condition.wait(0.1)
        return self.status

    def close(self):
        self._closed = True
        self._client.close()


def run(coro):
    return asyncio.run(coro)
