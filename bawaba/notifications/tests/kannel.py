"""A real Kannel for the tests: bearerbox and smsbox from Debian's `kannel` package, with the fake SMSC of
`kannel-extras` standing in for the operator's SMSC. Everything listens on free loopback ports and writes
into a temporary directory; nothing of the machine's own Kannel (/etc/kannel) is used.

The fake SMSC is a client of bearerbox: it prints every SMS that bearerbox hands it ("Got message N:
<from to text ...>") and sends the citizens' SMS given on its command line. One fake SMSC is connected at a
time; to send a citizen's SMS the listening one is replaced by one that sends it (and then listens too).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
GOT = re.compile(r"Got message \d+: <(?P<sender>\S+) (?P<receiver>\S+) (?P<type>\S+) (?P<data>.*)>$")


def missing_binaries() -> list[str]:
    missing = [name for name in ("bearerbox", "smsbox") if shutil.which(name) is None
               and not Path("/usr/sbin", name).exists()]
    if not os.access(FAKESMSC, os.X_OK):
        missing.append(FAKESMSC)
    return missing


def _binary(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gate:
    """Takes turns on the database between the test and the live server's requests (Kannel's callbacks).

    On SQLite the test database lives in memory and the live server shares the test's connection: a
    callback that writes while the test reads fails ("database table is locked"). The test holds the gate
    while it runs and opens it only while it waits (`wait_for`); each request of another thread holds it
    from start to finish. On PostgreSQL it only makes the order of events easier to read."""

    def __init__(self):
        self._lock = threading.Lock()
        self._test_thread = threading.current_thread()
        self._holders: set[int] = set()

    def _request_started(self, environ=None, **_kwargs):
        if threading.current_thread() is not self._test_thread:
            self._lock.acquire()
            self._holders.add(threading.get_ident())

    def _request_finished(self, **_kwargs):
        if threading.get_ident() in self._holders:
            self._holders.discard(threading.get_ident())
            self._lock.release()

    def __enter__(self):
        from django.core.signals import request_finished, request_started

        request_started.connect(self._request_started, dispatch_uid="kannel-gate-start")
        request_finished.connect(self._request_finished, dispatch_uid="kannel-gate-finish")
        self._lock.acquire()
        Gate.current = self
        return self

    def __exit__(self, *exc):
        from django.core.signals import request_finished, request_started

        Gate.current = None
        self._lock.release()
        request_started.disconnect(dispatch_uid="kannel-gate-start")
        request_finished.disconnect(dispatch_uid="kannel-gate-finish")

    def pause(self, seconds: float) -> None:
        self._lock.release()
        try:
            time.sleep(seconds)
        finally:
            self._lock.acquire()

    current: Gate | None = None


def wait_for(predicate, timeout: float = 20, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        if Gate.current is not None:
            Gate.current.pause(interval)
        else:
            time.sleep(interval)


@dataclass
class Sms:
    sender: str
    receiver: str
    text: str


def _decode(kind: str, data: str) -> str:
    if kind == "text":
        return data
    raw = urllib.parse.unquote_to_bytes(data.replace("+", "%20") if kind == "data" else data)
    return raw.decode("utf-16-be") if kind.startswith("ucs") else raw.decode("latin-1")


class Kannel:
    USERNAME, PASSWORD = "bawaba", "sendsms-secret-for-tests"

    def __init__(self, directory: Path, get_url: str):
        self.dir = directory
        self.admin_port, self.box_port, self.smsc_port, self.sendsms_port = (free_port() for _ in range(4))
        self.sendsms_url = f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"
        self.config = directory / "kannel.conf"
        self.fake_log = directory / "fakesmsc.out"
        self.config.write_text(self._config(get_url), encoding="utf-8")
        self.boxes: list[subprocess.Popen] = []
        self.fake: subprocess.Popen | None = None

    def _config(self, get_url: str) -> str:
        d = self.dir
        return f"""
group = core
admin-port = {self.admin_port}
admin-password = admin-secret
admin-allow-ip = 127.0.0.1
smsbox-port = {self.box_port}
box-allow-ip = 127.0.0.1
log-file = "{d}/bearerbox.log"
log-level = 1
access-log = "{d}/access.log"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.box_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
mo-recode = true
log-file = "{d}/smsbox.log"
log-level = 1

group = sendsms-user
username = {self.USERNAME}
password = {self.PASSWORD}
max-messages = 3
concatenation = true

group = sms-service
keyword = default
catch-all = true
get-url = "{get_url}"
max-messages = 1
concatenation = true
omit-empty = true
accept-x-kannel-headers = true
"""

    # --- life cycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.boxes.append(self._spawn([_binary("bearerbox"), str(self.config)], "bearerbox.out"))
        wait_for(lambda: self._listening(self.box_port), what="bearerbox")
        self.boxes.append(self._spawn([_binary("smsbox"), str(self.config)], "smsbox.out"))
        wait_for(lambda: self._listening(self.sendsms_port), what="smsbox's sendsms port")
        self.listen()

    def _spawn(self, argv, log_name) -> subprocess.Popen:
        return subprocess.Popen(argv, cwd=self.dir, stdout=open(self.dir / log_name, "ab"),  # noqa: SIM115
                                stderr=subprocess.STDOUT, start_new_session=True)

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex(("127.0.0.1", port)) == 0

    def status(self) -> str:
        url = f"http://127.0.0.1:{self.admin_port}/status.txt?password=admin-secret"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback test server
                return response.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _smsc_online(self) -> bool:
        return bool(re.search(r"fake\[fake\].*online", self.status()))

    def _replace_fake(self, argv_tail: list[str], stdin=None) -> None:
        self._stop_fake()
        wait_for(lambda: not self._smsc_online(), what="the fake SMSC to disconnect")
        self.fake = subprocess.Popen(
            [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), *argv_tail],
            stdin=stdin, stdout=open(self.fake_log, "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
            start_new_session=True)
        wait_for(self._smsc_online, what="the fake SMSC to connect")

    def listen(self) -> None:
        """A fake SMSC that only receives (interactive mode, its input kept open)."""
        self._replace_fake(["-m", "0"], stdin=subprocess.PIPE)

    def citizen_sends(self, sender: str, text: str, receiver: str = "1234") -> None:
        """The operator delivers a citizen's SMS to Kannel (Arabic as UCS-2, like a handset sends it)."""
        if text.isascii():
            line = f"{sender} {receiver} text {text}"
        else:
            line = f"{sender} {receiver} ucs2 {urllib.parse.quote(text.encode('utf-16-be'))}"
        self._replace_fake(["-i", "0.1", "-m", "1", line])

    def _stop_fake(self) -> None:
        if self.fake is not None:
            _end(self.fake)
            self.fake = None

    def stop(self) -> None:
        self._stop_fake()
        for process in reversed(self.boxes):
            _end(process)
        self.boxes = []

    # --- what the fake SMSC received ----------------------------------------------------------------
    def received(self) -> list[Sms]:
        if not self.fake_log.exists():
            return []
        messages = []
        for line in self.fake_log.read_text("utf-8", "replace").splitlines():
            found = GOT.search(line.strip())
            if found:
                messages.append(Sms(found["sender"], found["receiver"], _decode(found["type"], found["data"])))
        return messages

    def received_by(self, phone: str) -> list[Sms]:
        return [sms for sms in self.received() if sms.receiver == phone]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text("utf-8", "replace")[-3000:]
                         for p in sorted(self.dir.glob("*.log")) + [self.fake_log] if p.exists())


def _end(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
