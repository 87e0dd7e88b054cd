"""A real HTTP peer on loopback standing for the provider: its call API (POST /call, which rings agents) and
the recordings it serves (GET /rec/...). Modes make it slow or failing, as providers sometimes are."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A tiny MP3: an ID3v2 header, then MPEG-1 Layer III frame headers (what `filetype` recognises).
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413


class ProviderPeer:
    def __init__(self):
        self.ring_requests: list[dict] = []
        self.transfer_requests: list[dict] = []
        self.mode = "ok"  # ok | slow | refuse
        self.release = threading.Event()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path == "/callTransfer":
                    peer.transfer_requests.append({**form, "apiKey": self.headers.get("apiKey", "")})
                    if peer.mode == "refuse":
                        return self._send(200, json.dumps({"status": "Aborted",
                                                           "errorMessage": "Invalid callLeg"}).encode())
                    return self._send(200, json.dumps({"status": "Success", "errorMessage": "None"}).encode())
                if self.path != "/call":
                    return self._send(404, b"{}")
                peer.ring_requests.append({**form, "apiKey": self.headers.get("apiKey", "")})
                if peer.mode == "slow":
                    peer.release.wait(5)  # longer than the platform's timeout: it gives up first
                    return self._send(200, b"{}")
                if peer.mode == "refuse":
                    return self._send(200, json.dumps({"entries": [], "errorMessage": "Invalid phoneNumber"}).encode())
                body = {"entries": [{"phoneNumber": form.get("to"), "status": "Queued",
                                     "sessionId": f"ATVId_agent_{len(peer.ring_requests)}"}], "errorMessage": "None"}
                return self._send(200, json.dumps(body).encode())

            def do_GET(self):  # noqa: N802
                if self.path == "/rec/voicemail.mp3":
                    return self._send(200, MP3, "audio/mpeg")
                if self.path == "/rec/huge.mp3":
                    return self._send(200, MP3 + b"\x00" * 200_000, "audio/mpeg")
                if self.path == "/rec/page.mp3":
                    return self._send(200, b"<html>not audio</html>", "text/html")
                return self._send(404, b"")

            def _send(self, status, body, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
