"""A real RFC 3161 time-stamping authority on loopback for the tests: OpenSSL's `openssl ts -reply` behind a
small HTTP handler, with its own test CA (RSA, unlike the embedded authority's ECDSA key)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

POLICY = "2.25.329800735698586629295641978511506172918"


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_authority(directory: Path) -> None:
    (directory / "ext.cnf").write_text(
        "[tsa]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
        "extendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650",
            "-subj", "/CN=Evidence test root CA/O=Bawaba tests", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
            "-subj", "/CN=Evidence test TSA/O=Bawaba tests", cwd=directory)
    openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.crt",
            "-days", "3650", "-extfile", "ext.cnf", "-extensions", "tsa", cwd=directory)
    (directory / "serial").write_text("01\n")
    (directory / "ts.cnf").write_text(f"""
[ tsa ]
default_tsa = test_tsa
[ test_tsa ]
dir = {directory}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = {POLICY}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")


class LoopbackTSA:
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="evidence-tsa-"))
        make_authority(self.directory)
        self.ca_path = self.directory / "ca.crt"
        self.port = 0
        self.server = None
        self.requests = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tsa"

    def reply(self, query: bytes) -> bytes:
        with self.lock, tempfile.TemporaryDirectory() as work:
            query_path, reply_path = Path(work) / "q.tsq", Path(work) / "r.tsr"
            query_path.write_bytes(query)
            openssl("ts", "-reply", "-config", str(self.directory / "ts.cnf"), "-queryfile", str(query_path),
                    "-out", str(reply_path), cwd=self.directory)
            self.requests += 1
            return reply_path.read_bytes()

    def start(self) -> None:
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                if self.headers.get("Content-Type") != "application/timestamp-query" or not 0 < length < 10_000:
                    self.send_error(400)
                    return
                body = authority.reply(self.rfile.read(length))
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down for real: the port no longer accepts connections."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


if __name__ == "__main__":  # bench/evidence.py runs it in its own process
    import sys
    import time

    authority = LoopbackTSA()
    authority.start()
    print(authority.url, authority.ca_path, flush=True)
    try:
        while sys.stdin.read(1):
            time.sleep(0.1)
    finally:
        authority.close()
