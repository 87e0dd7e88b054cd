"""Fetching a voicemail's recording from the provider's `recordingUrl`: HTTP(S) only, a time limit, a size
limit read while downloading (a missing or lying Content-Length changes nothing), and the type read from the
content (MP3 or WAV), as for any upload."""

from __future__ import annotations

import hashlib
import logging
import urllib.parse
import urllib.request

import filetype
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

log = logging.getLogger(__name__)

AUDIO_TYPES = {"audio/mpeg": "mp3", "audio/x-wav": "wav", "audio/wav": "wav"}


class RecordingRefused(Exception):
    pass


def fetch_recording(url: str) -> SimpleUploadedFile:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RecordingRefused("not an http(s) URL")
    allowed_hosts = settings.VOICE_RECORDING_HOSTS
    if allowed_hosts and parts.hostname not in allowed_hosts:
        raise RecordingRefused(f"host {parts.hostname} is not an allowed recording host")
    limit = settings.VOICE_RECORDING_MAX_BYTES
    request = urllib.request.Request(url, headers={"Accept": "audio/mpeg, audio/wav"})  # noqa: S310 - http(s) checked
    try:
        with urllib.request.urlopen(request, timeout=settings.VOICE_PROVIDER_TIMEOUT) as response:  # noqa: S310
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise RecordingRefused(f"recording too large ({declared} bytes)")
            content = response.read(limit + 1)
    except OSError as exc:
        raise RecordingRefused(f"could not fetch: {exc}") from exc
    if len(content) > limit:
        raise RecordingRefused("recording too large")
    if not content:
        raise RecordingRefused("empty recording")
    kind = filetype.guess(content[:8192])
    mime = kind.mime if kind else ""
    if mime not in AUDIO_TYPES:
        raise RecordingRefused(f"not an audio recording ({mime or 'unknown type'})")
    name = f"voicemail-{hashlib.sha256(content).hexdigest()[:12]}.{AUDIO_TYPES[mime]}"
    return SimpleUploadedFile(name, content, content_type=mime)
